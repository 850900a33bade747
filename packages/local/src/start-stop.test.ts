import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { describe, it, type TestContext } from "vitest";

// Process managers and CI stop `npm start` by signalling npm's PID, not the node process under it.
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Live descendants of pid (zombies hold no ports or locks, so they count as gone). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
  } catch {
    // ps exits 1 when there are none
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function alive(pids: number[]): number[] {
  if (pids.length === 0) return [];
  try {
    return execFileSync("ps", ["-o", "pid=,stat=", "-p", pids.join(",")], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([pid, stat]) => pid && !stat?.startsWith("Z"))
      .map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}

function accepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function eventually(what: () => string, ok: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`${what()} (after ${timeoutMs}ms)`);
    await sleep(50);
  }
}

interface Started {
  npm: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  urls: string[];
  tree: number[];
}

async function startNpm({ onTestFinished }: TestContext): Promise<Started> {
  const npm = spawn("npm", ["start"], {
    cwd: repoRoot,
    env: { ...process.env, PORT: "0", MAIL_PORT: "0", DYNAMO_PORT: "0", SQS_PORT: "0", IN_MEMORY: "1", TICK_SECONDS: "60" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  npm.stdout!.on("data", (d) => (out += d));
  npm.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once("exit", (code, signal) => resolve({ code, signal })),
  );
  onTestFinished(() => {
    // A failed run must not leave a stack holding ports for the rest of the suite.
    for (const pid of alive([...tree, ...descendants(npm.pid!)])) process.kill(pid, "SIGKILL");
    if (npm.exitCode === null && npm.signalCode === null) npm.kill("SIGKILL");
  });
  let tree: number[] = [];
  // A boot takes ~3 s alone; on a loaded 2-core CI machine three at once can take far longer.
  await eventually(() => `npm start printed no banner:\n${out}`, () => out.includes("Ctrl-C to stop."), 60_000);
  const urls = [...out.matchAll(/^ {2}(?:API|Mail viewer|DynamoDB|SQS) +(http:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => m[1]);
  if (urls.length !== 4) throw new Error(`unexpected banner:\n${out}`);
  tree = descendants(npm.pid!);
  return { npm, output: () => out, exited, urls, tree };
}

// Concurrent: each case is mostly waiting for a boot and a stop, on ports of its own.
describe.concurrent("npm start", { timeout: 120_000 }, () => {
  it.for(["SIGTERM", "SIGINT"] as const)("stops everything and exits 0 on %s to npm's PID", async (signal, context) => {
    const { expect } = context;
    const { npm, output, exited, urls, tree } = await startNpm(context);
    for (const url of urls) expect(await accepts(url)).toBe(true);

    npm.kill(signal);
    const exit = await Promise.race([exited, sleep(10_000).then(() => undefined)]);
    expect(exit, `npm did not exit after ${signal}:\n${output()}`).toEqual({ code: 0, signal: null });

    for (const url of urls) expect(await accepts(url), `${url} still accepts connections after npm exited`).toBe(false);
    // esbuild's service processes exit when their pipe closes, a moment after node.
    await eventually(() => `processes left after npm exited: ${alive(tree).join(", ")}`, () => alive(tree).length === 0, 2000);
    expect(output()).toContain("Stopped.");
  });

  it("stops when npm itself is killed outright (SIGKILL)", async (context) => {
    const { expect } = context;
    const { npm, exited, urls, tree } = await startNpm(context);
    npm.kill("SIGKILL");
    await exited;
    await eventually(() => `processes left after npm was killed: ${alive(tree).join(", ")}`, () => alive(tree).length === 0, 5000);
    for (const url of urls) expect(await accepts(url)).toBe(false);
  });
});
