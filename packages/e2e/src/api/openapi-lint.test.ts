import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

/**
 * The OpenAPI document read by the linters its community uses: Redocly's recommended rules and
 * Spectral's oas ruleset (configs: redocly.yaml, .spectral.yaml at the root). Both run at once.
 */
const root = path.resolve(fileURLToPath(import.meta.url), "../../../../..");
const document = "packages/functions/src/api/openapi.json";
const bin = (pkg: string, file: string) => path.join(path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), file);
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { cwd: root, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" }, maxBuffer: 1 << 24 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );

it("lints without errors in redocly and Spectral", { timeout: 60_000 }, async () => {
  const [redocly, spectral] = await Promise.all([
    run([bin("@redocly/cli", "bin/cli.js"), "lint", document, "--config", "redocly.yaml", "--format", "stylish"]),
    run([bin("@stoplight/spectral-cli", "dist/index.js"), "lint", document, "--ruleset", ".spectral.yaml", "--fail-severity", "error", "--format", "text"]),
  ]);
  expect(redocly.out.split("\n").filter((l) => /\berror\b/.test(l) && !/0 errors/.test(l)), redocly.out).toEqual([]);
  expect(redocly.code, redocly.out).toBe(0);
  expect(spectral.out.split("\n").filter((l) => /\serror\s/.test(l)), spectral.out).toEqual([]);
  expect(spectral.code, spectral.out).toBe(0);
  // the warnings that matter to clients are gone too
  expect(spectral.out).not.toMatch(/operation-operationId|operation-description/);
});
