import { spawn } from "node:child_process";
import os from "node:os";
import { createInterface } from "node:readline";

/** Per path, in the order they came: ms from each request's arrival to its answer being written. */
export type Served = Record<string, number[]>;

/**
 * Plain HTTP sites in a process of their own, answering 200 "ok" after their delay. Beside the
 * emulators, a site answers late whenever they are busy, and the checker would be blamed for
 * it; alone, its response time is close to the delay it was given, and what it actually took is
 * recorded: `served(url)` hands over (and forgets) what each path took. Not counted in anyone's CPU.
 *
 * On a machine of two cores the sites share them with the emulators and the code under test, and a
 * site that is not scheduled answers late: its real response time then grows, and a checker that
 * measures it correctly looks wrong against the injected delay. A site has a machine of its own
 * when deployed, so the process runs at TARGET_NICE (`priority` says what it got; raising a
 * priority needs root or CAP_SYS_NICE, and without them the sites run as before).
 */
export const TARGET_NICE = -15;

export async function startTargetProcess(delaysMs: number[]): Promise<{ urls: string[]; priority: number; served: (url: string) => Promise<Served>; stop: () => void }> {
  const script = `
    const http = require("node:http");
    const delays = JSON.parse(process.argv[1]);
    Promise.all(delays.map((d) => new Promise((resolve) => {
      let served = {};
      const answer = (req, res, arrived) => {
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
        (served[req.url] ??= []).push(performance.now() - arrived);
      };
      http.createServer((req, res) => {
        if (req.url === "/_served") { res.end(JSON.stringify(served)); served = {}; return; }
        const arrived = performance.now();
        req.resume();
        d > 0 ? setTimeout(answer, d, req, res, arrived) : answer(req, res, arrived);
      }).listen(0, "127.0.0.1", function () { resolve(this.address().port); });
    }))).then((ports) => console.log(JSON.stringify(ports)));
    process.stdin.on("end", () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ["-e", script, JSON.stringify(delaysMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once("line", (l) => resolve(JSON.parse(l)));
    child.once("exit", (code) => reject(new Error(`target process exited with ${code}`)));
  });
  let priority = 0;
  try {
    os.setPriority(child.pid!, TARGET_NICE);
    priority = os.getPriority(child.pid!);
  } catch {
    // not permitted: the sites share the CPU on equal terms
  }
  return {
    urls: ports.map((p) => `http://127.0.0.1:${p}`),
    priority,
    served: async (url) => (await fetch(`${url}/_served`)).json() as Promise<Served>,
    stop: () => child.kill(),
  };
}
