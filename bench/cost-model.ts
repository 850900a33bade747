/**
 * 4. Cost model: the AWS bill per monitor-month at a 1-minute interval, for fleets of 1,000 and
 * 100,000 monitors, computed from what the other benches measured (fan-out, checker, write cost)
 * and the unit prices in bench/prices.json, beside what the alternatives charge.
 *
 * Nothing here is measured; every input is named in the assumptions table with where it came
 * from. If a needed result is missing, its bench is run first.
 * Run alone: npx tsx bench/cost-model.ts
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { CheckerData } from "./checker";
import type { FanoutData, FanoutRow } from "./fanout";
import type { DashboardReadsData } from "./dashboard-reads";
import type { WriteCostData } from "./write-cost";
import { queueSettings } from "@uptime/core/platform/queues";
import { BENCH_DIR, REPO_ROOT, cents, commandFor, finish, fmt, log, readResult, usd, type BenchResult } from "./lib/report";

const NAME = "cost-model";
const FLEETS = [1_000, 100_000];
const CHECKS_PER_MONTH = 30 * 24 * 60; // 43,200: a 1-minute monitor
const RUNS_PER_MONTH = 30 * 24 * 60; // tick invocations
const HOURS_PER_MONTH = 30 * 24;
const CHECKER_MEMORY_GB = 0.5; // sst.config.ts default memorySize 512
const TICK_MEMORY_GB = 0.25; // stacks/Pipeline.ts
const ALERT_MEMORY_GB = 0.25;
const ROLLUP_MEMORY_GB = 0.5; // the rollup function has no memorySize of its own: the app default
const MONITOR_INDEXES = 2; // monitor items are in gsi1 and gsi2 (ALL projection)

type Prices = {
  checked: string;
  prices: Record<string, { usd: number; text: string; source: string; checked: string }>;
  assumptions: Record<string, { value?: number; text: string }>;
  alternatives: Record<string, { usd: number; text: string }>;
};

function need<D>(name: string) {
  let r = readResult<D>(name);
  if (!r) {
    log(NAME, `no bench/results/${name}.json yet: running ${commandFor(name)}`);
    spawnSync(process.execPath, ["--import", "tsx", "--no-warnings", path.join(BENCH_DIR, `${name}.ts`)], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    r = readResult<D>(name);
    if (!r) throw new Error(`${name} produced no result`);
  }
  return r;
}

/** Linear interpolation over measured (x, y) points, clamped to the ends. */
function interpolate(points: Array<[number, number]>, x: number) {
  const p = [...points].sort((a, b) => a[0] - b[0]);
  if (x <= p[0]![0]) return p[0]![1];
  for (let i = 1; i < p.length; i++) {
    const [x0, y0] = p[i - 1]!;
    const [x1, y1] = p[i]!;
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return p[p.length - 1]![1];
}

export interface FleetCost {
  monitors: number;
  lines: Array<{ item: string; usd: number }>;
  total: number;
  inputs: Record<string, number>;
}

/**
 * A deployed stage with no monitors and no visitors: what it costs to exist. Event source mappings
 * long-poll both queues whether or not anything arrives (the mapping has no setting for fewer
 * pollers short of provisioned mode, which bills poller-hours); the tick runs every minute and,
 * looking ahead, writes two window claims (its own, refused, and the next); the rollup job lists
 * the empty due index hourly. No Secrets Manager secret any more: the origin-verify secret is an
 * SST secret (SSM standard SecureString, no charge), which saved $0.40.
 */
export function idleStage(P: (k: string) => number, A: (k: string) => number, rollupFixedRruPerRun: number) {
  const GB = 1024 ** 3;
  const tickWru = 2; // own-window claim (refused) + next-window claim
  const tickRru = 0.5 * (1 + 10); // maintenance due query + the empty due-index queries, eventually consistent
  const lines = [
    {
      item: `SQS long polls of 2 event source mappings (${A("sqsEsmPollersIdle")} pollers, 20 s each)`,
      usd: A("sqsEsmPollersIdle") * ((30 * 86400) / 20) * (P("sqsStandardRequest") + P("sqsFifoRequest")),
    },
    { item: "Tick Lambda (43,200 runs, 256 MB)", usd: RUNS_PER_MONTH * (P("lambdaRequest") + TICK_MEMORY_GB * (IDLE_TICK_MS / 1000) * P("lambdaArmGbSecond")) },
    { item: "Tick DynamoDB (window claims, empty due queries)", usd: RUNS_PER_MONTH * (tickWru * P("dynamoWriteRequestUnit") + tickRru * P("dynamoReadRequestUnit")) },
    { item: "Rollup job (hourly listing of the empty index)", usd: HOURS_PER_MONTH * (rollupFixedRruPerRun * P("dynamoReadRequestUnit") + P("lambdaRequest") + ROLLUP_MEMORY_GB * 0.1 * P("lambdaArmGbSecond")) },
    { item: "CloudWatch Logs (tick: platform lines + two report lines)", usd: (RUNS_PER_MONTH * (A("lambdaPlatformLogBytesPerInvocation") + 400) * (P("logsIngestGb") + P("logsStorageGbMonth"))) / GB },
    { item: "Secrets (SST secrets in SSM standard parameters)", usd: 0 },
  ];
  return { lines, total: lines.reduce((sum, l) => sum + l.usd, 0) };
}
/** An idle tick: two conditional writes and a few empty queries on a warm container. */
const IDLE_TICK_MS = 60;

export interface CostData {
  idle: ReturnType<typeof idleStage>;
  fleets: FleetCost[];
  alternatives: Array<{ name: string; usd: number; text: string }>;
  pricesChecked: string;
}

async function main() {
  const started = Date.now();
  const prices = JSON.parse(readFileSync(path.join(BENCH_DIR, "prices.json"), "utf8")) as Prices;
  const P = (k: string) => {
    const p = prices.prices[k];
    if (!p) throw new Error(`prices.json has no ${k}`);
    return p.usd;
  };
  const A = (k: string) => prices.assumptions[k]!.value!;
  const fanout = need<FanoutData>("fanout");
  const checker = need<CheckerData>("checker");
  const writes = need<WriteCostData>("write-cost");

  const typicalMs = A("typicalTargetLatencyMs");
  const cpuScale = A("lambdaCpuScale");
  // Invocation duration vs checks per invocation, at the typical target latency (1, 10 and 100 jobs measured).
  const slow = checker.data.rows.find((r) => r.injectedMs === typicalMs)!;
  const small = checker.data.smallBatches.filter((s) => s.injectedMs === typicalMs);
  const wall: Array<[number, number]> = [[checker.data.jobsPerInvocation, slow.invocationMs.p50], ...small.map((s): [number, number] => [s.checksPerInvocation, s.invocationMs])];
  const cpu: Array<[number, number]> = [[checker.data.jobsPerInvocation, slow.cpuMsPerCheck * checker.data.jobsPerInvocation], ...small.map((s): [number, number] => [s.checksPerInvocation, s.cpuMsPerInvocation])];
  // On a 512 MB Lambda the CPU part takes cpuScale times longer (0.29 vCPU instead of a core).
  const lambdaMs = (n: number) => interpolate(wall, n) + interpolate(cpu, n) * (cpuScale - 1);

  // Ticks over a fleet that all checks every minute, at the fleet's size (else the nearest measured).
  const fanoutAt = (size: number): FanoutRow[] => {
    const pool = fanout.data.rows.filter((r) => !r.v8Flags && r.scenario === "one-minute");
    const rows = pool.length ? pool : fanout.data.rows.filter((r) => !r.v8Flags);
    const sizes = [...new Set(rows.map((r) => r.monitors))];
    const nearest = sizes.reduce((a, b) => (Math.abs(b - size) < Math.abs(a - size) ? b : a));
    return rows.filter((r) => r.monitors === nearest);
  };
  const steady = writes.data.phases.find((p) => p.phase === "Steady state (all up)")!;
  const failing = writes.data.phases.find((p) => p.phase.startsWith("Failing"))!;
  const goingDown = writes.data.phases.find((p) => p.phase.startsWith("Going down"))!;
  const recovery = writes.data.phases.find((p) => p.phase.startsWith("Recovery"))!;
  const rollup = writes.data.rollup;
  const overhead = writes.data.storageOverheadBytes;
  const GB = 1024 ** 3;

  const fleets: FleetCost[] = FLEETS.map((N) => {
    const rows = fanoutAt(N);
    const sum = (f: (r: FanoutRow) => number) => rows.reduce((s, r) => s + f(r), 0);
    const due = sum((r) => r.dueMonitors);
    const jobs = sum((r) => r.jobs);
    const jobsPerMessage = jobs / sum((r) => r.messages);
    const bytesPerMessage = sum((r) => r.bytesSent) / sum((r) => r.messages);
    const tickRruPerDue = sum((r) => r.readUnits) / due;
    const tickSendPerJob = sum((r) => r.sqsBilledRequests) / jobs;
    const tickMsPerDue = sum((r) => r.tickMs) / due;
    // A fleet of N one-minute monitors: all N due every minute.
    const messagesPerSecond = N / 60 / jobsPerMessage;
    // Never more than the mapping's batch size (stacks/Pipeline.ts: one message, for honest latencies).
    const messagesPerInvocation = Math.min(queueSettings.checks.batchSize, Math.max(1, Math.round(messagesPerSecond / A("sqsEsmPollersIdle"))));
    const checksPerInvocation = jobsPerMessage * messagesPerInvocation;
    const invocationMs = lambdaMs(checksPerInvocation);
    const perCheck = {
      lambdaRequests: 1 / checksPerInvocation,
      lambdaGbS: (CHECKER_MEMORY_GB * invocationMs) / 1000 / checksPerInvocation,
      // send (tick) + receive and delete (event source mapping), each 64 KiB of payload one request
      sqs: tickSendPerJob + (Math.ceil((bytesPerMessage * messagesPerInvocation) / 65536) + 1) / checksPerInvocation,
      wru: steady.wru + rollup.wruPerCheck,
      rru: steady.rru + rollup.rruPerCheck + tickRruPerDue,
      logBytes: A("lambdaPlatformLogBytesPerInvocation") / checksPerInvocation + slow.logBytesPerCheck,
    };
    const checks = CHECKS_PER_MONTH;
    // Fixed monthly costs of the system, shared by the fleet.
    const tickSeconds = (tickMsPerDue * N) / 1000;
    const fixed = {
      tickLambda: RUNS_PER_MONTH * (P("lambdaRequest") + TICK_MEMORY_GB * tickSeconds * P("lambdaArmGbSecond")),
      tickLogs: RUNS_PER_MONTH * (A("lambdaPlatformLogBytesPerInvocation") + 200) * (P("logsIngestGb") + P("logsStorageGbMonth")) / GB,
      // idle long polls of the event source mappings: both queues, pollers × one 20 s poll each
      sqsIdle: A("sqsEsmPollersIdle") * ((30 * 86400) / 20) * (P("sqsStandardRequest") + P("sqsFifoRequest")),
      // the rollup job lists every monitor once an hour: ~127 due-index queries plus the monitor items
      rollupListing: HOURS_PER_MONTH * (rollup.fixedRruPerRun + (N * writes.data.itemBytes.monitor) / 8192) * P("dynamoReadRequestUnit"),
    };
    // Storage: results kept for the retention period, hour and day rollups, the monitor item with its 2 index copies.
    const storedBytes =
      // a result's share of its cohort's slot item, the item's overhead included
      checks * (A("retentionDays") / 30) * writes.data.itemBytes.healthyResult +
      35 * 24 * (rollup.hourItemBytes + overhead) +
      400 * (rollup.dayItemBytes + overhead) +
      (1 + MONITOR_INDEXES) * (writes.data.itemBytes.monitor + overhead);
    const incidents = A("incidentsPerMonitorMonth");
    // The checks of the outage after the three that opened the incident fail with it open: each
    // costs what a failing check costs beyond a healthy one (it reads the monitor).
    const openChecks = Math.max(0, A("outageMinutes") - 3);
    const perIncident = {
      wru: goingDown.wru + recovery.wru + openChecks * (failing.wru - steady.wru),
      rru: goingDown.rru + recovery.rru + openChecks * (failing.rru - steady.rru),
      sqs: goingDown.sqsRequests + recovery.sqsRequests,
      emails: goingDown.emails + recovery.emails,
      // two retry messages (own invocations) and two alert-consumer invocations
      lambda: 2 * (P("lambdaRequest") + CHECKER_MEMORY_GB * (lambdaMs(1) / 1000) * P("lambdaArmGbSecond")) + 2 * (P("lambdaRequest") + ALERT_MEMORY_GB * 0.1 * P("lambdaArmGbSecond")),
    };
    const lines = [
      { item: "Lambda requests (checker)", usd: checks * perCheck.lambdaRequests * P("lambdaRequest") },
      { item: "Lambda GB-seconds (checker, arm64 512 MB)", usd: checks * perCheck.lambdaGbS * P("lambdaArmGbSecond") },
      { item: "Lambda tick (requests + GB-s, shared)", usd: fixed.tickLambda / N },
      {
        item: "Lambda rollup job (hourly, GB-s)",
        usd: HOURS_PER_MONTH * (ROLLUP_MEMORY_GB * (rollup.msPerMonitorRun / 1000) * P("lambdaArmGbSecond") + P("lambdaRequest") / N),
      },
      { item: "SQS requests (send, receive, delete; idle polls shared)", usd: checks * perCheck.sqs * P("sqsStandardRequest") + fixed.sqsIdle / N },
      { item: "DynamoDB write units (results + rollups)", usd: checks * perCheck.wru * P("dynamoWriteRequestUnit") },
      { item: "DynamoDB read units (tick + rollups)", usd: checks * perCheck.rru * P("dynamoReadRequestUnit") + fixed.rollupListing / N },
      { item: `DynamoDB storage (${A("retentionDays")}-day results, rollups)`, usd: (storedBytes / GB) * P("dynamoStorageGbMonth") },
      { item: "DynamoDB point-in-time recovery", usd: (storedBytes / GB) * P("dynamoPitrGbMonth") },
      {
        item: `Incidents (${incidents}/month of ${A("outageMinutes")} min: units, retries, alert queue, 2 emails)`,
        usd:
          incidents *
          (perIncident.wru * P("dynamoWriteRequestUnit") +
            perIncident.rru * P("dynamoReadRequestUnit") +
            perIncident.sqs * P("sqsFifoRequest") +
            perIncident.emails * P("sesEmail") +
            perIncident.lambda),
      },
      { item: "CloudWatch Logs (ingest + 1 month storage)", usd: checks * perCheck.logBytes * (P("logsIngestGb") + P("logsStorageGbMonth")) / GB + fixed.tickLogs / N },
    ];
    const total = lines.reduce((s, l) => s + l.usd, 0);
    return {
      monitors: N,
      lines,
      total,
      inputs: {
        jobsPerMessage,
        messagesPerInvocation,
        checksPerInvocation,
        invocationMs,
        lambdaGbSPerCheck: perCheck.lambdaGbS,
        sqsPerCheck: perCheck.sqs,
        wruPerCheck: perCheck.wru,
        rruPerCheck: perCheck.rru,
        tickRruPerDue,
        tickSeconds,
        storedMB: storedBytes / 2 ** 20,
        logBytesPerCheck: perCheck.logBytes,
      },
    };
  });

  // What the result store costs for accounts that fill cohorts less well (docs/architecture.md): the
  // write line scaled to their write units per check, everything else as measured. Modelled.
  const DESIGN_WRU = [
    { name: "measured: cohorts of 8 (slot item 1/8 + live item 1/8 + rollups)", wru: undefined as number | undefined },
    { name: "cohorts of 4 (an account with 4 monitors of an interval)", wru: 2 / 4 + 0.0207 },
    { name: "a monitor alone in its interval (cohort of 1: slot item + live item)", wru: 2 + 0.0207 },
    { name: "monitors from before cohorts (one item per check)", wru: 1 + 0.0174 },
    { name: "issue 22 target", wru: 0.5 },
    { name: "issue 22 stretch", wru: 0.2 },
  ];
  const totalAt = (f: FleetCost, wru: number | undefined) => {
    const line = f.lines.find((l) => l.item.startsWith("DynamoDB write units"))!;
    return wru === undefined ? f.total : f.total - line.usd + (line.usd / f.inputs.wruPerCheck!) * wru;
  };
  // One dashboard tab polling every 30 s for a month, for an account of 1,000 monitors.
  const dash = readResult<DashboardReadsData>("dashboard-reads")?.data.rows.find((r) => r.monitors === 1000);
  const POLLS_PER_MONTH = 30 * 86400 / 30;
  const alternatives = Object.entries(prices.alternatives).map(([name, a]) => ({ name, usd: a.usd, text: a.text }));
  const [small1k, large] = fleets as [FleetCost, FleetCost];
  const idle = idleStage(P, A, rollup.fixedRruPerRun);
  const data: CostData = { idle, fleets, alternatives, pricesChecked: prices.checked };
  const result: BenchResult<CostData> = {
    name: NAME,
    title: "Cost model",
    command: commandFor(NAME),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    tables: [
      {
        title: "AWS bill per monitor-month at a 1-minute interval",
        intro:
          `${CHECKS_PER_MONTH.toLocaleString("en-US")} checks per monitor a month; us-east-1 on-demand list prices from \`bench/prices.json\` (checked ${prices.checked}), ` +
          "no free tiers. Counts come from the fan-out, checker and write-cost benches of this run; the model's assumptions are listed below.",
          columns: ["Line item", ...fleets.map((f) => `${f.monitors.toLocaleString("en-US")} monitors`)],
        rows: [
          ...small1k.lines.map((l, i) => [l.item, ...fleets.map((f) => usd(f.lines[i]!.usd))]),
          ["**Total per monitor-month**", ...fleets.map((f) => `**${usd(f.total)}** (${cents(f.total)})`)],
          ["Whole fleet per month", ...fleets.map((f) => usd(f.total * f.monitors))],
        ],
      },
      {
        title: "Idle stage: no monitors, no visitors (per month)",
        intro:
          "What a deployed stage costs to exist (a `pr-123` stage, or production before its first monitor). API Gateway, CloudFront and S3 " +
          "charge per request and are 0 here; the table's storage and backups are empty.",
        columns: ["Line item", "Per month"],
        rows: [...idle.lines.map((l) => [l.item, usd(l.usd)]), ["**Idle stage total**", `**${usd(idle.total)}**`]],
      },
      {
        title: "Beside the alternatives (per monitor-month, 1-minute checks)",
        columns: ["Option", "Per monitor-month", `vs. this at 1,000`, `vs. this at 100,000`],
        rows: [
          ["This project, 1,000 monitors", usd(small1k.total), "1×", "–"],
          ["This project, 100,000 monitors", usd(large.total), "–", "1×"],
          ...alternatives.map((a) => [`${a.name}: ${a.text}`, usd(a.usd), `${fmt(a.usd / small1k.total, 3)}×`, `${fmt(a.usd / large.total, 3)}×`]),
        ],
      },
      {
        title: "The result store's write units, by how full the cohorts are (modelled)",
        intro:
          "The bill per monitor-month with the DynamoDB write line scaled to each case's write units per healthy check (docs/architecture.md, \"The result store\"); every other line as measured above. " +
          "Only the first row is measured.",
        columns: ["Design", "WRU per check", ...fleets.map((f) => `${f.monitors.toLocaleString("en-US")} monitors`)],
        rows: DESIGN_WRU.map((d) => [d.name, fmt(d.wru ?? fleets[0]!.inputs.wruPerCheck!, 3), ...fleets.map((f) => cents(totalAt(f, d.wru)))]),
        notes: [
          dash
            ? `A dashboard tab of a 1,000-monitor account polled every 30 s costs ${fmt(dash.dashboardReadUnits)} read units per poll (dashboard-reads bench: ${dash.dashboardRequests} requests), ` +
              `${usd(dash.dashboardReadUnits * POLLS_PER_MONTH * P("dynamoReadRequestUnit"))} a month; not in the per-monitor bill above, which leaves the API out.`
            : "Run `npx tsx bench/dashboard-reads.ts` for the cost of a dashboard tab.",
        ],
      },
      {
        title: "Model inputs",
        intro: "Derived from the measured results; the ones marked assumed come from `bench/prices.json` → assumptions.",
        columns: ["Input", ...fleets.map((f) => `${f.monitors.toLocaleString("en-US")} monitors`), "Source"],
        rows: [
          ["Jobs per SQS message", ...fleets.map((f) => fmt(f.inputs.jobsPerMessage!)), "fan-out bench (all-1-minute table of that size)"],
          ["Messages per checker invocation", ...fleets.map((f) => fmt(f.inputs.messagesPerInvocation!)), `assumed: messages visible per second / 5 pollers, 1–${queueSettings.checks.batchSize} (the mapping's batch size)`],
          ["Checks per checker invocation", ...fleets.map((f) => fmt(f.inputs.checksPerInvocation!)), "product of the two above"],
          ["Checker invocation on Lambda", ...fleets.map((f) => `${fmt(f.inputs.invocationMs!)} ms`), `checker bench at ${typicalMs} ms target (1/10/100 jobs), CPU part × ${cpuScale}`],
          ["Lambda GB-s per check", ...fleets.map((f) => fmt(f.inputs.lambdaGbSPerCheck!, 3)), "512 MB × duration / checks"],
          ["SQS requests per check", ...fleets.map((f) => fmt(f.inputs.sqsPerCheck!, 3)), "tick sends (fan-out) + receive/delete per invocation"],
          ["DynamoDB WRU per check", ...fleets.map((f) => fmt(f.inputs.wruPerCheck!, 4)), "write-cost bench (checker + rollup job)"],
          ["DynamoDB RRU per check", ...fleets.map((f) => fmt(f.inputs.rruPerCheck!, 3)), "fan-out RRU per due monitor + rollup reads"],
          ["Tick duration (one minute's fan-out)", ...fleets.map((f) => `${fmt(f.inputs.tickSeconds!, 3)} s`), "fan-out bench, all-1-minute table (dynalite: an upper bound)"],
          ["Stored per monitor", ...fleets.map((f) => `${fmt(f.inputs.storedMB!)} MB`), "write-cost item sizes + 100 B per item"],
          ["Log bytes per check", ...fleets.map((f) => fmt(f.inputs.logBytesPerCheck!)), "330 B platform lines per invocation (assumed) + checker output (measured: 0 when healthy)"],
        ],
        notes: [
          ...Object.entries(prices.assumptions).map(([k, a]) => `${k}${a.value !== undefined ? ` = ${a.value}` : ""}: ${a.text}.`),
          "Not included: the API (API Gateway and API Lambdas scale with users, not monitors), data transfer out (probes download small responses), and Lambda INIT billing of cold starts (rare at a steady load).",
        ],
      },
    ],
    budgets: [],
    data,
  };
  finish(result);
}

await main();
