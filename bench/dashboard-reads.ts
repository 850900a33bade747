/**
 * 11. Dashboard and monitor-list reads by account size: one account with 10, 100 and 1,000
 * one-minute monitors, each with its last 30 minutes of results and the rollup watermark 12
 * minutes into the hour (as between two runs of the hourly job). Counts the DynamoDB requests
 * of one `GET /v1/dashboard` (Dashboard.overview) and of listing every monitor as
 * `GET /v1/monitors` does, page by page (Monitor.listByOwner + LiveStatus.forMonitors), and
 * times the dashboard (median of 5) against the local DynamoDB.
 * Run alone: npx tsx bench/dashboard-reads.ts
 */
import { startTestStack } from "@uptime/local/testing";
import { Dashboard } from "@uptime/core/history/dashboard";
import { LiveStatus } from "@uptime/core/history/live-status";
import { RollupMarkEntity } from "@uptime/core/history/rollup-job";
import { Monitor } from "@uptime/core/monitors/monitor";
import { HOUR, floorTo } from "@uptime/core/platform/time";
import { monitorItem, seatInCohorts, seedMonitors } from "./lib/fixtures";
import { writeManyResults } from "@uptime/e2e/kit/test-history";
import { installMeters, since, snapshot } from "./lib/meter";
import { commandFor, finish, fmt, log, percentile, type BenchResult, type Budget } from "./lib/report";

const NAME = "dashboard-reads";
const SIZES = [10, 100, 1000];
const RESULTS_PER_MONITOR = 30;
const LIST_PAGE = 1000; // GET /v1/monitors?limit= takes up to 1,000
const TIME_BUDGET_MS = 150;

export interface DashboardRow {
  monitors: number;
  dashboardRequests: number;
  dashboardReadUnits: number;
  dashboardMs: number;
  listRequests: number;
  listMs: number;
  budgetRequests: number;
}
export interface DashboardReadsData {
  rows: DashboardRow[];
}

const requestsOf = (s: ReturnType<typeof since>) => Object.values(s.dynamo.requests).reduce((n, v) => n + v, 0);

async function timed<T>(fn: () => Promise<T>) {
  const before = snapshot();
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0, used: since(before) };
}

async function main() {
  const started = Date.now();
  const stack = await startTestStack({ pollers: false, scheduler: false, log: () => {} });
  let result: BenchResult<DashboardReadsData>;
  try {
    const now = Date.now();
    // Between two runs of the hourly job: rolled up to the hour, raw results since.
    await RollupMarkEntity.put({ job: "hourly", through: floorTo(now - 12 * 60_000, HOUR), updatedAt: now }).go();
    installMeters();
    const rows: DashboardRow[] = [];
    for (const n of SIZES) {
      const ownerId = `dash-${n}`;
      // Created one after another through the API, they fill cohorts of eight (monitors/cohort.ts).
      const monitors = seatInCohorts(Array.from({ length: n }, () => monitorItem({ ownerId, intervalSec: 60, state: "up" }, now - HOUR)));
      await seedMonitors(monitors);
      const results = monitors.flatMap((m) =>
        Array.from({ length: RESULTS_PER_MONITOR }, (_, k) => {
          const at = floorTo(now, 60_000) - (k + 1) * 60_000 + m.offsetSec * 1000;
          return { monitorId: m.monitorId, at, ok: k % 17 !== 0, latencyMs: 100 + k, kind: "scheduled" as const, checkedAt: at + 150 };
        }),
      );
      await writeManyResults(monitors, results, now);
      log(NAME, `${n} monitors seeded`);

      await Dashboard.overview(ownerId); // warm
      const runs = [];
      for (let i = 0; i < 5; i++) runs.push(await timed(() => Dashboard.overview(ownerId)));
      const dash = runs[0]!;
      if (dash.value.monitors.length !== n) throw new Error(`dashboard showed ${dash.value.monitors.length} of ${n} monitors`);

      const list = await timed(async () => {
        let cursor: string | null = null;
        let shown = 0;
        do {
          const page: { data: Monitor.MonitorItem[]; cursor: string | null } = await Monitor.listByOwner(ownerId, { limit: LIST_PAGE, cursor });
          await LiveStatus.forMonitors(page.data);
          shown += page.data.length;
          cursor = page.cursor;
        } while (cursor);
        return shown;
      });
      rows.push({
        monitors: n,
        dashboardRequests: requestsOf(dash.used),
        dashboardReadUnits: dash.used.dynamo.readUnits,
        dashboardMs: percentile(runs.map((r) => r.ms).sort((a, b) => a - b), 50),
        listRequests: requestsOf(list.used),
        listMs: list.ms,
        budgetRequests: Math.ceil(n / 100) + 5,
      });
      log(NAME, `${n}: dashboard ${requestsOf(dash.used)} requests, ${fmt(rows[rows.length - 1]!.dashboardMs)} ms; list ${requestsOf(list.used)} requests`);
    }

    const budgets: Budget[] = [
      ...rows.map((r) => ({
        name: `Dashboard and monitor list of ${r.monitors.toLocaleString("en-US")} monitors: DynamoDB requests`,
        limit: `≤ ${r.budgetRequests} (ceil(N/100) + 5)`,
        actual: `dashboard ${r.dashboardRequests}, list ${r.listRequests}`,
        pass: r.dashboardRequests <= r.budgetRequests && r.listRequests <= r.budgetRequests,
      })),
      {
        name: "Dashboard of 1,000 monitors against the local DynamoDB (median of 5)",
        limit: `≤ ${TIME_BUDGET_MS} ms`,
        actual: `${fmt(rows[rows.length - 1]!.dashboardMs)} ms`,
        pass: rows[rows.length - 1]!.dashboardMs <= TIME_BUDGET_MS,
      },
    ];
    result = {
      name: NAME,
      title: "Dashboard and monitor-list reads",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: "Reads per dashboard and per full monitor list, by account size",
          intro:
            `One account of N one-minute monitors, each with its last ${RESULTS_PER_MONITOR} results; the rollup watermark 12 minutes past the hour. ` +
            `The dashboard is one \`GET /v1/dashboard\` (Dashboard.overview, all monitors); the list is every page of \`GET /v1/monitors\` (${LIST_PAGE} a page). ` +
            "Requests are DynamoDB requests as the SDK sent them (a BatchGetItem of 100 keys is one).",
          columns: ["Monitors", "Dashboard requests", "Dashboard read units", "Dashboard time (median of 5)", "List requests", "List time", "Budget (requests)"],
          rows: rows.map((r) => [r.monitors.toLocaleString("en-US"), r.dashboardRequests, fmt(r.dashboardReadUnits), `${fmt(r.dashboardMs)} ms`, r.listRequests, `${fmt(r.listMs)} ms`, r.budgetRequests]),
          notes: [
            "The monitors were created one after another, so they sit in cohorts of eight (monitors/cohort.ts). Each cohort keeps its members' live figures in one item and the rollup job's 24-hour window in another: a dashboard or a list page is the monitors query, two BatchGetItem requests per 100 cohorts and one for open incidents, whatever N (docs/architecture.md, \"The result store\").",
          ],
        },
      ],
      budgets,
      data: { rows },
    };
  } finally {
    await stack.stop();
  }
  finish(result);
}

await main();
