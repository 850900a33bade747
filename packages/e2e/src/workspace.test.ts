import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));

// `npm test` runs `npm run deps` on the real tree and stops if it fails; this shows that check
// would catch a cycle, with the project's own configuration, in the package it guards.
it("the dependency check fails on an import cycle and names the rule", { timeout: 60_000 }, () => {
  const probe = join("packages", "core", "src", `__cycle_probe_${process.pid}__`);
  mkdirSync(join(root, probe), { recursive: true });
  try {
    writeFileSync(join(root, probe, "a.ts"), 'import { b } from "./b";\nexport const a = () => b;\n');
    writeFileSync(join(root, probe, "b.ts"), 'import { a } from "./a";\nexport const b = () => a;\n');
    const run = spawnSync(join(root, "node_modules", ".bin", "depcruise"), [probe, "--config", ".dependency-cruiser.cjs"], {
      cwd: root,
      encoding: "utf8",
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.error).toBeUndefined();
    expect(run.status, output).not.toBe(0);
    expect(output).toContain("no-circular");
    expect(output).toContain(`${probe}/a.ts`);
  } finally {
    rmSync(join(root, probe), { recursive: true, force: true });
  }
});
