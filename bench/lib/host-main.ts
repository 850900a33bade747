/**
 * The child side of host.ts: one local stack (emulators, optionally API, pollers, scheduler)
 * plus any number of target sites, in their own process. It prints one `HOST_READY <json>`
 * line with the endpoints and runs until its stdin closes or it gets SIGTERM.
 */
import { startLocalStack } from "@uptime/local/runtime";
import { startTarget, type Target } from "@uptime/local/testing";
import { startDnsServer } from "@uptime/core/check/dns-test-server";
import type { HostOptions, HostInfo } from "./host";

const opts = JSON.parse(process.env.BENCH_HOST_OPTS ?? "{}") as HostOptions;

const stack = await startLocalStack({
  port: 0,
  mailPort: 0,
  dynamoPort: 0,
  sqsPort: 0,
  inMemory: true,
  scheduler: opts.scheduler ?? false,
  pollers: opts.pollers ?? false,
  tickSeconds: opts.tickSeconds,
  env: opts.env,
  log: opts.verbose ? (l) => console.error(l) : () => {},
  logError: (m, e) => console.error(m, e),
});

const targets: Record<string, Target> = {};
for (const t of opts.targets ?? []) targets[t.name] = await startTarget({ status: 200, body: t.body ?? "ok", delayMs: t.delayMs });

const dns = opts.dns ? await startDnsServer() : undefined;
dns?.set("bench.example.test", "A", [{ address: "192.0.2.1" }]);

const info: HostInfo = {
  pid: process.pid,
  apiUrl: stack.apiUrl,
  mailUrl: stack.mailUrl,
  endpoints: stack.endpoints,
  queueUrls: stack.queueUrls,
  tableName: stack.tableName,
  tickSeconds: stack.tickSeconds,
  jwtSecret: process.env.JWT_SECRET!,
  targets: Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, t.url])),
  dnsResolver: dns?.address,
};
process.stdout.write(`HOST_READY ${JSON.stringify(info)}\n`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  for (const t of Object.values(targets)) await t.stop().catch(() => {});
  await dns?.close().catch(() => {});
  await stack.stop().catch((e) => console.error("host: stop failed", e));
  process.exit(0);
}
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
