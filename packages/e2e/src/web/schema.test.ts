import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const web = fileURLToPath(new URL("../../../web/", import.meta.url));

// The web app's API types are generated from openapi.json; stale types would let app and docs drift.
it("the web app's API types match openapi.json (else run `npm run openapi-types -w packages/web`)", { timeout: 30_000 }, () => {
  const bin = path.join(path.dirname(createRequire(path.join(web, "package.json")).resolve("openapi-typescript/package.json")), "bin", "cli.js");
  const dir = mkdtempSync(path.join(tmpdir(), "openapi-types-"));
  try {
    const out = path.join(dir, "schema.d.ts");
    const run = spawnSync(process.execPath, [bin, "../functions/src/api/openapi.json", "-o", out], { cwd: web, encoding: "utf8" });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    expect(readFileSync(path.join(web, "src/api/schema.d.ts"), "utf8"), "packages/web/src/api/schema.d.ts is stale").toBe(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
