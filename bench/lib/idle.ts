import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { REPO_ROOT, sleep } from "./report";

/** user + system CPU of one process so far, in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // ticks are 1/100 s on Linux (USER_HZ), whatever the kernel's own rate
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * What `npm start` costs doing nothing: the whole local stack (emulators, pollers, scheduler, API)
 * started as `npm start` starts it, in memory, with no monitors; its CPU over `windowSec` after
 * `settleSec` of quiet. Linux only (/proc).
 */
export async function idleCpuOfLocalStack(windowSec: number, settleSec = 5): Promise<{ cpuMsPerSec: number; windowSec: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--no-warnings", "packages/local/src/main.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, IN_MEMORY: "1", PORT: "0", MAIL_PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => line.includes("Ctrl-C to stop") && resolve());
      child.once("exit", (code) => reject(new Error(`npm start exited with ${code} before it was ready`)));
    });
    await sleep(settleSec * 1000);
    const before = cpuMsOf(child.pid!);
    const t0 = performance.now();
    await sleep(windowSec * 1000);
    const cpuMs = cpuMsOf(child.pid!) - before;
    return { cpuMsPerSec: cpuMs / ((performance.now() - t0) / 1000), windowSec };
  } finally {
    child.kill("SIGTERM");
  }
}
