/**
 * 5. API latency on the local stack: p50/p99 of login, list monitors, dashboard and summary
 * under 20 concurrent clients for 10 seconds (autocannon), plus one client for a few seconds
 * (closer to what a single request sees on a warm Lambda, where concurrent requests get
 * their own containers).
 *
 * The stack (API server + emulators, no pollers, no scheduler, deployed bcrypt cost) runs in a
 * child process; autocannon runs here, so the load generator does not share the server's event
 * loop. Data: one account with 20 one-minute monitors and 24 hours of results each, rolled up as
 * the hourly job would have. An endpoint that answers 404 is reported "not available".
 * Run alone: npx tsx bench/api-latency.ts
 */
import autocannon from "autocannon";
import { writeManyResults } from "@uptime/e2e/kit/test-history";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { rng } from "@uptime/e2e/kit/rng";
import { startHost, useHost } from "./lib/host";
import { commandFor, finish, fmt, log, sleep, type BenchResult } from "./lib/report";

const NAME = "api-latency";
const CONNECTIONS = 20;
const DURATION_SEC = Number(process.env.BENCH_API_SECONDS ?? 10);
const SINGLE_SEC = 3;
const MONITORS = 20;

export interface EndpointRow {
  name: string;
  route: string;
  available: boolean;
  status?: number;
  c20?: { p50: number; p99: number; rps: number; requests: number; non2xx: number; errors: number };
  c1?: { p50: number; p99: number; rps: number };
}

export interface ApiData {
  rows: EndpointRow[];
  connections: number;
  durationSec: number;
  monitors: number;
  bcryptCost: number;
}

async function main() {
  const started = Date.now();
  const host = await startHost({});
  let result: BenchResult<ApiData>;
  try {
    useHost(host);
    const api = async (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
      const headers: Record<string, string> = {};
      if (init.json !== undefined) headers["content-type"] = "application/json";
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      const res = await fetch(host.apiUrl + path, { ...init, headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
      const text = await res.text();
      return { status: res.status, body: text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text };
    };

    // -- data: an account, its monitors, a day of history, rolled up
    const email = `bench-${Date.now()}@example.com`;
    const password = "correct horse battery staple";
    await api("/v1/auth/register", { method: "POST", json: { email, password } });
    const login = await api("/v1/auth/login", { method: "POST", json: { email, password } });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    const token = login.body.accessToken as string;
    const ids: string[] = [];
    for (let i = 0; i < MONITORS; i++) {
      const res = await api("/v1/monitors", { method: "POST", token, json: { name: `Site ${i}`, url: `http://127.0.0.1:9/site-${i}`, intervalSec: 60 } });
      if (res.status !== 201) throw new Error(`create monitor: ${res.status} ${JSON.stringify(res.body)}`);
      ids.push(res.body.id);
    }
    const now = Date.now();
    const from = floorTo(now - DAY, 60_000);
    const r = rng(11);
    const t0 = performance.now();
    const writeResults = async (monitorId: string, items: Parameters<typeof writeManyResults>[1]) =>
      writeManyResults([(await MonitorEntity.get({ monitorId }).go()).data!], items);
    for (const monitorId of ids) {
      await MonitorEntity.patch({ monitorId }).set({ state: "up" }).go();
      const items = [];
      for (let at = from; at < now; at += 60_000) {
        const ok = r() > 0.003;
        items.push({
          monitorId,
          at,
          ok,
          ...(ok ? {} : { reason: "status_mismatch", message: "expected 200-399, got 503", httpStatus: 503 }),
          latencyMs: r() < 0.9 ? Math.round(80 + r() * 120) : Math.round(200 + r() ** 3 * 4800),
          kind: "scheduled" as const,
          checkedAt: at + 250,
        });
      }
      await writeResults(monitorId, items);
    }
    // as the hourly job would have left it: every whole hour rolled up, the watermark after the last
    await RollupJob.run(floorTo(from, HOUR), floorTo(now - 120_000, HOUR));
    await RollupJob.catchUp(now, { maxHours: 1 });
    log(NAME, `seeded ${MONITORS} monitors with 24 h of results in ${fmt((performance.now() - t0) / 1000)} s`);

    const auth = { authorization: `Bearer ${token}` };
    const endpoints = [
      { name: "Login", route: "POST /v1/auth/login", method: "POST", path: "/v1/auth/login", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) },
      { name: "List monitors", route: "GET /v1/monitors", method: "GET", path: "/v1/monitors", headers: auth },
      { name: "Dashboard", route: "GET /v1/dashboard", method: "GET", path: "/v1/dashboard", headers: auth },
      { name: "Summary (24h)", route: "GET /v1/monitors/{id}/summary", method: "GET", path: `/v1/monitors/${ids[0]}/summary`, headers: auth },
    ];

    const rows: EndpointRow[] = [];
    for (const e of endpoints) {
      const probe = await fetch(host.apiUrl + e.path, { method: e.method, headers: e.headers, body: e.body });
      await probe.text();
      // A route that answers 404 or 5xx is broken: its row is "not available" and the run fails below.
      if (probe.status === 404 || probe.status >= 500) {
        rows.push({ name: e.name, route: e.route, available: false, status: probe.status });
        log(NAME, `${e.route}: ${probe.status}, not available`);
        continue;
      }
      const opts = { url: host.apiUrl + e.path, method: e.method, headers: e.headers, body: e.body };
      const one = await autocannon({ ...opts, connections: 1, duration: SINGLE_SEC });
      const many = await autocannon({ ...opts, connections: CONNECTIONS, duration: DURATION_SEC, timeout: 30 });
      // autocannon stops at the deadline with requests still queued in the server; let them finish.
      await sleep(2500);
      rows.push({
        name: e.name,
        route: e.route,
        available: true,
        status: probe.status,
        c20: {
          p50: many.latency.p50,
          p99: many.latency.p99,
          rps: many.requests.average,
          requests: many.requests.total,
          non2xx: many.non2xx,
          errors: many.errors + many.timeouts,
        },
        c1: { p50: one.latency.p50, p99: one.latency.p99, rps: one.requests.average },
      });
      log(NAME, `${e.route}: p50 ${many.latency.p50} ms, p99 ${many.latency.p99} ms at ${CONNECTIONS} connections`);
    }

    const data: ApiData = { rows, connections: CONNECTIONS, durationSec: DURATION_SEC, monitors: MONITORS, bcryptCost: 10 };
    result = {
      name: NAME,
      title: "API latency (local stack)",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: `${CONNECTIONS} concurrent clients for ${DURATION_SEC} s`,
          intro:
            `autocannon against the local API server (the same Hono apps the Lambdas run, routed as API Gateway routes them), in a separate process ` +
            `from the emulators' clients. One account with ${MONITORS} one-minute monitors, 24 h of results each, rolled up as the hourly job would have; ` +
            `bcrypt cost 10 as deployed. The 1-client columns are a ${SINGLE_SEC}-second run with one connection.`,
          columns: ["Endpoint", "Route", `p50 (${CONNECTIONS} clients)`, `p99 (${CONNECTIONS} clients)`, "Requests/s", "Errors / non-2xx", "p50 (1 client)", "p99 (1 client)"],
          rows: rows.map((r) =>
            r.available
              ? [r.name, r.route, `${r.c20!.p50} ms`, `${r.c20!.p99} ms`, fmt(r.c20!.rps), `${r.c20!.errors} / ${r.c20!.non2xx}`, `${r.c1!.p50} ms`, `${r.c1!.p99} ms`]
              : [r.name, r.route, "not available", `(answered ${r.status})`, "–", "–", "–", "–"],
          ),
          notes: [
            "Locally one Node process serves every request, so 20 clients queue for one CPU: p50 at 20 clients is roughly 20 × the per-request CPU time. " +
              "Deployed, each concurrent request gets its own Lambda container; the 1-client latency is the closer guide to what a user waits on a warm function " +
              "(a 512 MB Lambda has about 0.3 of a vCPU, so CPU-bound work such as bcrypt takes longer there than on this machine).",
            "Login is deliberately CPU-bound: one bcrypt comparison at cost 10 per request.",
            "List monitors reads the page of monitors and each monitor's newest result (one query per monitor); the dashboard reads each monitor's hour rollups and its raw results since the last rollup.",
          ],
        },
      ],
      budgets: [
        {
          name: "Every measured API route answers",
          limit: "no 404 or 5xx",
          actual: rows.filter((r) => !r.available).map((r) => `${r.route} ${r.status}`).join(", ") || "all answered",
          pass: rows.every((r) => r.available),
        },
      ],
      data,
    };
  } finally {
    await host.stop();
  }
  // finish() exits the process, so it comes after the host is stopped.
  finish(result);
}

await main();
