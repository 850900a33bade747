/**
 * 9. The web app: how much JavaScript the first screen loads, how soon the dashboard shows
 * 1,000 monitors in headless Chromium, and what one open dashboard tab costs per hour.
 *
 * The app is built as `npm start` builds it and served by the local API server; Chromium
 * (/usr/bin/chromium, or CHROMIUM_PATH) reloads the signed-in dashboard of an account with 1,000
 * monitors (no history: each costs the overview its most expensive path, three queries).
 * Run alone: npx tsx bench/web.ts
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { Dashboard } from "@uptime/core/history/dashboard";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { startTestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { monitorItem } from "@uptime/e2e/kit/monitor-fixture";
import { rollUpSince, writeResults } from "@uptime/e2e/kit/test-history";
import { createUser } from "@uptime/e2e/kit/test-users";
import { dashboardReloads, type DashboardReload } from "@uptime/e2e/kit/web-timing";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { installMeters, since, snapshot } from "./lib/meter";
import { commandFor, finish, fmt, log, percentile, type BenchResult, type Budget } from "./lib/report";

const NAME = "web";
const MINUTE = 60_000;
const MONITORS = 1000;
const RELOADS = 5;
const FIRST_SCREEN_BUDGET_KB = 80;
const FIRST_RENDER_BUDGET_MS = 1000;
/** The app's poll interval (packages/web/src/poll.ts). */
const POLL_SEC = 30;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface WebData {
  firstScreenGzipBytes: number;
  chunks: Array<{ file: string; gzipBytes: number; firstScreen: boolean }>;
  reloads: DashboardReload[] | null;
  dashboardReads: Array<{ account: string; monitors: number; requests: number; items: number; readUnits: number; bytes: number }>;
}

/** What the first screen loads: index.html's module script and the chunks it preloads. */
function weigh(dir: string) {
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  const first = new Set(
    [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g), ...html.matchAll(/<link rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]!),
  );
  const assets = path.join(dir, "assets");
  const later = existsSync(assets) ? readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => `assets/${f}`) : [];
  const chunks = [...new Set([...first, ...later])].map((file) => ({
    file,
    gzipBytes: gzipSync(readFileSync(path.join(dir, file))).length,
    firstScreen: first.has(file),
  }));
  return { chunks, firstScreenGzipBytes: chunks.filter((c) => c.firstScreen).reduce((n, c) => n + c.gzipBytes, 0) };
}

async function main() {
  const started = Date.now();
  const build = await ensureWebBuild({ log: (l) => log(NAME, l) });
  const weight = weigh(build.dir);
  log(NAME, `first screen ${fmt(weight.firstScreenGzipBytes / 1024)} KB gzipped`);

  const stack = await startTestStack({ webDir: build.dir, pollers: false, log: () => {} });
  let data: WebData;
  try {
    const user = await createUser(stack);
    const me = (await user.call("GET", "/v1/me")).body.id as string;
    const items = Array.from({ length: MONITORS }, (_, i) =>
      monitorItem({ intervalSec: 60, ownerId: me, name: `Site ${String(i).padStart(4, "0")}`, state: i % 10 === 0 ? "down" : "up" }),
    );
    await MonitorEntity.put(items).go({ concurrent: 4 });
    log(NAME, `seeded ${MONITORS} monitors`);

    // A smaller account with history: 20 one-minute monitors, 24 hours of results each, rolled up.
    const small = await createUser(stack);
    const smallId = (await small.call("GET", "/v1/me")).body.id as string;
    const now = Date.now();
    const busy = Array.from({ length: 20 }, (_, i) => monitorItem({ intervalSec: 60, ownerId: smallId, name: `Busy ${i}` }));
    await MonitorEntity.put(busy).go({ concurrent: 4 });
    for (const m of busy) await writeResults(m.monitorId, { from: floorTo(now - DAY, MINUTE), to: now - 30_000, everySec: 60, latencyMs: () => 120 });
    await rollUpSince(now - DAY - HOUR);
    log(NAME, "seeded 20 monitors with 24 h of results");

    // Counted as DynamoDB bills it (bench/lib/meter.ts: a query that finds nothing still costs 0.5 RRU).
    installMeters();
    const dashboardReads: WebData["dashboardReads"] = [];
    for (const [account, ownerId] of [[`${MONITORS.toLocaleString("en-US")} monitors, no results yet`, me], ["20 one-minute monitors, 24 h of results", smallId]]) {
      const before = snapshot();
      const overview = await Dashboard.overview(ownerId!);
      const used = since(before).dynamo;
      dashboardReads.push({
        account: account!,
        monitors: overview.monitors.length,
        requests: Object.values(used.requests).reduce((n, v) => n + v, 0),
        items: used.itemsScanned,
        readUnits: used.readUnits,
        bytes: Buffer.byteLength(JSON.stringify(overview)),
      });
    }

    let reloads: WebData["reloads"] = null;
    if (existsSync(CHROMIUM)) {
      reloads = await dashboardReloads({
        chromium: CHROMIUM,
        url: stack.apiUrl,
        email: user.email,
        password: "correct horse battery",
        reloads: RELOADS,
        monitors: MONITORS,
        onReload: (r, i) =>
          log(NAME, `reload ${i + 1}: rows at ${fmt(r.firstRowsMs)} ms (first page ${fmt(r.dashboardApiMs)} ms, rendering after it ${fmt(r.afterDataMs)} ms), all at ${fmt(r.allRowsMs)} ms`),
      });
    } else log(NAME, `${CHROMIUM} is missing: first render not measured`);
    data = { ...weight, reloads, dashboardReads };
  } finally {
    await stack.stop();
  }

  type Reload = NonNullable<WebData["reloads"]>[number];
  const med = (f: (r: Reload) => number) =>
    data.reloads ? percentile(data.reloads.map(f).sort((a, b) => a - b), 50) : null;
  const firstRows = med((r) => r.firstRowsMs);
  const perHour = 3600 / POLL_SEC;
  const budgets: Budget[] = [
    {
      name: "Web app: first screen's JavaScript, gzipped",
      limit: `≤ ${FIRST_SCREEN_BUDGET_KB} KB`,
      actual: `${fmt(data.firstScreenGzipBytes / 1024)} KB`,
      pass: data.firstScreenGzipBytes <= FIRST_SCREEN_BUDGET_KB * 1024,
    },
    {
      name: `Web app: dashboard with ${MONITORS.toLocaleString("en-US")} monitors, reload to first rows (median of ${RELOADS})`,
      limit: `≤ ${FIRST_RENDER_BUDGET_MS} ms`,
      actual: firstRows === null ? "not measured (no Chromium)" : `${fmt(firstRows)} ms`,
      pass: firstRows === null ? null : firstRows <= FIRST_RENDER_BUDGET_MS,
    },
  ];
  const result: BenchResult<WebData> = {
    name: NAME,
    title: "9. Web app",
    command: commandFor(NAME),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    tables: [
      {
        title: "JavaScript by chunk",
        intro: "The production build `npm start` serves (`vite build`); the first screen loads index.html's module script and the chunks it preloads.",
        columns: ["Chunk", "Gzipped", "First screen"],
        rows: [
          ...data.chunks.map((c) => [c.file.replace(/-[\w-]{8}\.js$/, ".js"), `${fmt(c.gzipBytes / 1024)} KB`, c.firstScreen ? "yes" : "no"]),
          ["First screen in total", `${fmt(data.firstScreenGzipBytes / 1024)} KB`, "yes"],
        ],
      },
      {
        title: `Dashboard with ${MONITORS.toLocaleString("en-US")} monitors in headless Chromium`,
        intro:
          `A signed-in reload of \`/\` (the session comes back through the refresh cookie), ${RELOADS} times: from the navigation's start to the first ` +
          "monitor row in the DOM, the first page's request (`GET /v1/dashboard?limit=50`) inside it, what the app spent after that response (parsing, " +
          "50 rows), and when the other 950 had arrived (`?cursor=`), so that filter and search cover every monitor.",
        columns: ["Measure", "Median", "Worst"],
        rows: data.reloads
          ? (
              [
                ["Reload to first rows", (r) => r.firstRowsMs],
                ["GET /v1/dashboard?limit=50 (request to response end)", (r) => r.dashboardApiMs],
                ["After that response to first rows", (r) => r.afterDataMs],
                ["Reload to all 1,000 monitors loaded", (r) => r.allRowsMs],
              ] as Array<[string, (r: Reload) => number]>
            ).map(([label, f]) => [label, `${fmt(med(f))} ms`, `${fmt(Math.max(...data.reloads!.map(f)))} ms`])
          : [["Not measured: no Chromium", null, null]],
      },
      {
        title: "What an open dashboard tab costs",
        intro:
          `One \`GET /v1/dashboard\` for this account (Dashboard.overview, metered as DynamoDB bills it: a query that finds nothing costs 0.5 read units), and ${perHour} of them: one poll every ${POLL_SEC} s while the tab is visible, ` +
          "none while it is hidden. A 304 (nothing but the clock changed) saves the bytes, not the reads: the ETag is a hash of the body, so the body is built first.",
        columns: ["Account", "Per", "API calls", "DynamoDB requests", "Items read", "Read units", "Response bytes"],
        rows: data.dashboardReads.flatMap((d) => [
          [d.account, "call", 1, fmt(d.requests), fmt(d.items), fmt(d.readUnits), fmt(d.bytes)],
          [d.account, "monitor per call", null, fmt(d.requests / d.monitors), fmt(d.items / d.monitors), fmt(d.readUnits / d.monitors), fmt(d.bytes / d.monitors)],
          [d.account, "visible tab-hour", perHour, fmt(d.requests * perHour), fmt(d.items * perHour), fmt(d.readUnits * perHour), fmt(d.bytes * perHour)],
        ]),
      },
    ],
    budgets,
    data,
  };
  finish(result);
}

await main();
