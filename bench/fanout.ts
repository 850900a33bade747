/**
 * 1. Scheduler fan-out: one tick against 1,000, 10,000 and 100,000 monitors (mixed intervals,
 * some paused) in the local DynamoDB, and against 100,000 monitors that all check every minute
 * (the fleet the cost model prices). Per tick: wall time, CPU time and peak memory of the tick
 * process, items read, read units consumed (ReturnConsumedCapacity), jobs and SQS requests.
 *
 * Budgets: items read within 1.1x of the due monitors at every size (the tick reads the due
 * index, never the table), and read units per due monitor flat as the table grows.
 *
 * Each scenario's stack runs in a child process without pollers (nothing consumes the queue;
 * it is purged after each tick). Each tick runs in its own fresh process (lib/tick-once.ts),
 * like a Lambda invocation, so its memory is its own; at the largest size one more tick runs
 * with the V8 heap limits of the 256 MB tick Lambda. Run alone: npx tsx bench/fanout.ts
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { createInterface } from "node:readline";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { backgroundFunctions } from "@uptime/functions/api/routes";
import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { sqs } from "@uptime/core/platform/aws";
import { config } from "@uptime/core/platform/config";
import { DueIndex } from "@uptime/core/schedule/due-index";
import type { Tick } from "@uptime/core/schedule/tick";
import type { MonitorItem } from "@uptime/core/monitors/monitor";
import { rng } from "@uptime/e2e/kit/rng";
import { INTERVAL_MIX, PAUSED_PERCENT, mixedMonitors, monitorItem, seedMonitors } from "./lib/fixtures";
import { sstOptions } from "./lib/bundle";
import { spawnTs, startHost, useHost, type Host } from "./lib/host";
import type { Snapshot } from "./lib/meter";
import { BENCH_DIR, REPO_ROOT, commandFor, finish, fmt, log, type BenchResult, type Budget } from "./lib/report";

const NAME = "fanout";
const SIZES = (process.env.BENCH_FANOUT_SIZES ?? "1000,10000,100000").split(",").map(Number);
/** The fleet the cost model prices: every monitor checked every minute ("" skips it). */
const ONE_MINUTE_SIZES = (process.env.BENCH_FANOUT_ONE_MINUTE ?? "1000,100000").split(",").filter(Boolean).map(Number);
const TICKS_PER_SIZE = 2;
const TICK_SECONDS = 60; // as deployed: the EventBridge rule fires every minute
const TICK_MEMORY_MB = 256; // memorySize of the tick function (stacks/Pipeline.ts)
/**
 * V8 limits as the Lambda Node.js bootstrap sets them from the function's memory (old space 90%,
 * semi space 5%; from public copies of the bootstrap), so a tick that cannot fit fails here too.
 */
const LAMBDA_V8_FLAGS = `--max-old-space-size=${Math.floor(TICK_MEMORY_MB * 0.9)} --max-semi-space-size=${Math.floor(TICK_MEMORY_MB * 0.05)}`;

interface TickRun {
  report: Tick.Report;
  ms: number;
  cpuMs: number;
  rssBeforeMB: number;
  rssPeakMB: number;
  heapPeakMB: number;
  meter: Snapshot;
}

export interface FanoutRow {
  scenario: "mixed" | "one-minute";
  monitors: number;
  windowStart: number;
  dueMonitors: number;
  expectedJobs: number;
  itemsRead: number;
  itemsScanned: number;
  /** Consumed capacity of the tick's queries (the meter's count, which includes DynamoDB's minimum for an empty query). */
  readUnits: number;
  /** What the tick reported itself (ElectroDB's logger, dynalite's numbers). */
  reportedReadUnits: number;
  readUnitsPerDue: number;
  queries: number;
  jobs: number;
  /** SendMessageBatch requests the tick made (counted on the client). */
  sqsRequests: number;
  /** What the tick's own TickReport says it sent. */
  reportedSqsRequests: number;
  sqsBilledRequests: number;
  messages: number;
  bytesSent: number;
  tickMs: number;
  cpuMs: number;
  rssPeakMB: number;
  rssBeforeMB: number;
  heapPeakMB: number;
  /** Set on the extra tick run with the V8 limits of a 256 MB Lambda. */
  v8Flags?: string;
}

export interface FanoutData {
  rows: FanoutRow[];
  seeding: Array<{ scenario: string; monitors: number; added: number; ms: number }>;
  tickMemoryMB: number;
  v8Flags: string;
  mix: typeof INTERVAL_MIX;
  pausedPercent: number;
  /** Ticks under the 256 MB Lambda's V8 limits that did not complete. */
  cappedFailures: Array<{ scenario: string; monitors: number; error: string }>;
}

function runTickProcess(host: Host, windowStart: number, nodeOptions?: string): Promise<TickRun> {
  return new Promise((resolve, reject) => {
    const child = spawnTs(path.join(BENCH_DIR, "lib", "tick-once.ts"), [], {
      ...host.env,
      BENCH_TICK_AT: String(windowStart),
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    });
    child.stdin!.end();
    let result: TickRun | undefined;
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("{")) result = JSON.parse(line);
    });
    child.once("exit", (code, signal) => (result ? resolve(result) : reject(new Error(`tick process exited with ${signal ?? code}`))));
  });
}

/** The tick function as deployed: its minified bundle (SST's esbuild options), built once. */
let tickBundle: string | undefined;
async function bundledTick(): Promise<string> {
  if (tickBundle) return tickBundle;
  const dir = mkdtempSync(path.join(os.tmpdir(), "uptime-bench-tick-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const outfile = path.join(dir, "index.mjs");
  const entry = path.join(REPO_ROOT, backgroundFunctions.tick.handler.replace(/\.[^./]+$/, ".ts"));
  await esbuild.build({ ...sstOptions(entry, outfile), sourcemap: false });
  return (tickBundle = outfile);
}

/**
 * One invocation of the bundled tick handler in plain Node (no tsx) with the V8 limits of the
 * 256 MB Lambda: the closest local stand-in for the deployed function's "Max Memory Used".
 * The bundle has its own SDK clients, so read units and SQS requests come from its TickReport.
 */
async function runBundledTick(host: Host, windowStart: number): Promise<TickRun> {
  const bundle = await bundledTick();
  const script = `
    let rssPeak = 0, heapPeak = 0;
    const sample = () => { const m = process.memoryUsage(); rssPeak = Math.max(rssPeak, m.rss); heapPeak = Math.max(heapPeak, m.heapUsed); };
    const sampler = setInterval(sample, 5);
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    sample();
    const rssBefore = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const report = await handler({ time: new Date(${windowStart * 1000}).toISOString() });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sample();
    clearInterval(sampler);
    const maxRss = process.resourceUsage().maxRSS * 1024;
    console.log("BENCH_RESULT " + JSON.stringify({ report, ms, cpuMs: (cpu.user + cpu.system) / 1000, rssBeforeMB: rssBefore / 2 ** 20,
      rssPeakMB: Math.max(rssPeak, maxRss) / 2 ** 20, heapPeakMB: heapPeak / 2 ** 20 }));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...LAMBDA_V8_FLAGS.split(" "), "--input-type=module", "-e", script],
      { env: { ...process.env, ...host.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, maxBuffer: 64 * 2 ** 20 },
      (err, stdout) => {
        const line = stdout.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
        if (!line) return reject(new Error(err ? `bundled tick failed: ${String(err.message).split("\n")[0]}` : "bundled tick printed no result"));
        const r = JSON.parse(line.slice("BENCH_RESULT ".length));
        const empty = { requests: {}, readUnits: r.report.readUnits, tableWriteUnits: 0, gsiWriteUnits: 0, failedConditionalWrites: 0, itemsScanned: r.report.itemsRead, itemsReturned: r.report.itemsRead };
        resolve({ ...r, meter: { dynamo: empty, sqs: { requests: {}, messagesSent: 0, bytesSent: 0, billedSendRequests: r.report.sqsRequests } } });
      },
    );
  });
}

function dueIn(monitors: MonitorItem[], windowStart: number) {
  let due = 0;
  let jobs = 0;
  for (const m of monitors) {
    if (m.paused) continue;
    const n = DueIndex.dueTimes(m, windowStart, TICK_SECONDS).length;
    if (n) {
      due++;
      jobs += n;
    }
  }
  return { due, jobs };
}

/** Monitors that all check every minute, offsets spread over the minute. */
function oneMinuteMonitors(count: number, seed: number): MonitorItem[] {
  const r = rng(seed);
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => monitorItem({ intervalSec: 60, offsetSec: Math.floor(r() * 60), ownerId: `owner-${i % 1000}` }, now));
}

/**
 * Seeds the table in steps up to each size and runs TICKS_PER_SIZE ticks at each, plus one
 * under the Lambda's V8 limits at the largest size.
 */
async function runScenario(scenario: FanoutRow["scenario"], all: MonitorItem[], sizes: number[], data: FanoutData) {
  const host = await startHost({ tickSeconds: TICK_SECONDS });
  try {
    useHost(host);
    // A fixed hour far from now; each tick gets its own window (the tick claim makes a window run once).
    const base = 1_900_000_000 - (1_900_000_000 % 3600);
    let seeded = 0;
    for (const [i, size] of sizes.entries()) {
      const t0 = performance.now();
      await seedMonitors(all.slice(seeded, size), 8);
      const ms = performance.now() - t0;
      data.seeding.push({ scenario, monitors: size, added: size - seeded, ms });
      log(NAME, `${scenario}: seeded ${size - seeded} monitors (${size} total) in ${fmt(ms / 1000)} s`);
      seeded = size;
      const present = all.slice(0, size);
      const capped = i === sizes.length - 1;
      for (let k = 0; k < TICKS_PER_SIZE + (capped ? 1 : 0); k++) {
        const underLambdaLimits = k === TICKS_PER_SIZE;
        // minutes 7, 8, 17, 18, ... of the hour: the long-interval buckets differ from tick to tick.
        // The bundled handler takes the clock for `now`, so its window is two minutes ahead of it
        // (delays stay realistic; the far-off windows of the other ticks would all clip to 15 minutes).
        const windowStart = underLambdaLimits ? Math.floor(Date.now() / 60_000) * 60 + 120 : base + i * 600 + (7 + k) * 60;
        const expected = dueIn(present, windowStart);
        let run: TickRun;
        try {
          run = underLambdaLimits ? await runBundledTick(host, windowStart) : await runTickProcess(host, windowStart);
        } catch (err) {
          if (!underLambdaLimits) throw err;
          // That it does not fit is the finding: record it rather than fail the bench.
          const error = String((err as Error).message ?? err);
          data.cappedFailures.push({ scenario, monitors: size, error });
          log(NAME, `${scenario} ${size} monitors under the 256 MB V8 limits: ${error}`);
          await sqs().send(new PurgeQueueCommand({ QueueUrl: config().CHECKS_QUEUE_URL }));
          continue;
        }
        if (run.report.skipped) throw new Error(`tick for ${windowStart} was skipped (window already claimed)`);
        await sqs().send(new PurgeQueueCommand({ QueueUrl: config().CHECKS_QUEUE_URL }));
        const d = run.meter.dynamo;
        const row: FanoutRow = {
          scenario,
          monitors: size,
          windowStart,
          dueMonitors: expected.due,
          expectedJobs: expected.jobs,
          itemsRead: run.report.itemsRead,
          itemsScanned: d.itemsScanned,
          readUnits: d.readUnits,
          reportedReadUnits: run.report.readUnits,
          readUnitsPerDue: d.readUnits / expected.due,
          queries: run.report.queries,
          jobs: run.report.jobs,
          sqsRequests: run.meter.sqs.requests.SendMessageBatchCommand ?? run.report.sqsRequests,
          reportedSqsRequests: run.report.sqsRequests,
          sqsBilledRequests: run.meter.sqs.billedSendRequests,
          messages: run.meter.sqs.messagesSent,
          bytesSent: run.meter.sqs.bytesSent,
          tickMs: run.ms,
          cpuMs: run.cpuMs,
          rssPeakMB: run.rssPeakMB,
          rssBeforeMB: run.rssBeforeMB,
          heapPeakMB: run.heapPeakMB,
          ...(underLambdaLimits ? { v8Flags: LAMBDA_V8_FLAGS } : {}),
        };
        // The bundled run reports through its own clients: the tick's counts stand in for the meter's.
        if (underLambdaLimits) row.readUnits = Math.max(row.readUnits, run.report.readUnits);
        if (!underLambdaLimits && row.reportedSqsRequests !== row.sqsRequests) {
          log(NAME, `note: the TickReport says ${row.reportedSqsRequests} SQS requests; the client sent ${row.sqsRequests}`);
        }
        if (row.jobs !== expected.jobs) throw new Error(`tick enqueued ${row.jobs} jobs, expected ${expected.jobs}`);
        data.rows.push(row);
        log(NAME, `${scenario} ${size}: ${row.dueMonitors} due, read ${row.itemsRead} items / ${fmt(row.readUnits)} RRU in ${fmt(row.tickMs)} ms, peak RSS ${fmt(row.rssPeakMB)} MB`);
      }
    }
  } finally {
    await host.stop();
  }
}

async function main() {
  const started = Date.now();
  const data: FanoutData = {
    rows: [],
    seeding: [],
    tickMemoryMB: TICK_MEMORY_MB,
    v8Flags: LAMBDA_V8_FLAGS,
    mix: INTERVAL_MIX,
    pausedPercent: PAUSED_PERCENT,
    cappedFailures: [],
  };
  await runScenario("mixed", mixedMonitors(Math.max(...SIZES), 20240601), SIZES, data);
  if (ONE_MINUTE_SIZES.length) await runScenario("one-minute", oneMinuteMonitors(Math.max(...ONE_MINUTE_SIZES), 7), ONE_MINUTE_SIZES, data);
  const rows = data.rows;

  const budgets: Budget[] = [];
  const worstRatio = Math.max(...rows.map((r) => Math.max(r.itemsRead, r.itemsScanned) / r.dueMonitors));
  budgets.push({
    name: "Fan-out: items read per tick / due monitors, every size",
    limit: "≤ 1.1",
    actual: `${fmt(worstRatio, 4)} (worst of ${rows.length} ticks)`,
    pass: worstRatio <= 1.1,
  });
  const perDue = (size: number) => {
    const rs = rows.filter((r) => r.scenario === "mixed" && r.monitors === size);
    return rs.reduce((s, r) => s + r.readUnits, 0) / rs.reduce((s, r) => s + r.dueMonitors, 0);
  };
  const smallest = perDue(SIZES[0]!);
  const growth = Math.max(...SIZES.map((s) => perDue(s) / smallest));
  budgets.push({
    name: "Fan-out: read units per due monitor flat as the table grows",
    limit: `≤ 1.1× the ${SIZES[0]!.toLocaleString("en-US")}-monitor value at every size`,
    actual: SIZES.map((s) => `${s.toLocaleString("en-US")}: ${fmt(perDue(s), 3)}`).join(", ") + ` (max ${fmt(growth, 3)}×)`,
    pass: growth <= 1.1,
  });

  const label = (r: FanoutRow) =>
    `${r.monitors.toLocaleString("en-US")}${r.scenario === "one-minute" ? " (all 1-minute)" : ""}${r.v8Flags ? ", bundled tick, 256 MB V8 limits" : ""}`;
  const mixText = INTERVAL_MIX.map((m) => `${m.intervalSec}s ${m.percent}%`).join(", ");
  const result: BenchResult<FanoutData> = {
    name: NAME,
    title: "Scheduler fan-out",
    command: commandFor(NAME),
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    tables: [
      {
        title: "One tick (60-second window) by table size",
        intro:
          `Monitors with mixed intervals (${mixText}; ${PAUSED_PERCENT}% paused) in the local DynamoDB (dynalite), and tables of ` +
          `${ONE_MINUTE_SIZES.map((n) => n.toLocaleString("en-US")).join(" and ")} monitors that all check every minute. Each tick is one fresh process calling ` +
          `\`Tick.run\` for a 60-second window, as the tick Lambda does; ${TICKS_PER_SIZE} ticks per size in different minutes. ` +
          `"Due" is computed independently from the seeded items with \`DueIndex.dueTimes\`. Read units are DynamoDB's consumed capacity ` +
          `(eventually consistent queries of the \`due\` index).`,
        columns: [
          "Monitors",
          "Due monitors",
          "Items read",
          "Read / due",
          "Read units",
          "RRU per due monitor",
          "Queries",
          "Jobs",
          "SQS requests (billed)",
          "Tick time",
          "Tick CPU",
          "Peak RSS",
        ],
        rows: [
          ...rows.map((r) => [
            label(r),
            r.dueMonitors.toLocaleString("en-US"),
            r.itemsRead.toLocaleString("en-US"),
            fmt(Math.max(r.itemsRead, r.itemsScanned) / r.dueMonitors, 4),
            fmt(r.readUnits),
            fmt(r.readUnitsPerDue, 3),
            r.queries,
            r.jobs.toLocaleString("en-US"),
            r.v8Flags ? `${r.sqsRequests.toLocaleString("en-US")}*` : `${r.sqsRequests.toLocaleString("en-US")} (${r.sqsBilledRequests.toLocaleString("en-US")})`,
            `${fmt(r.tickMs / 1000, 3)} s`,
            `${fmt(r.cpuMs / 1000, 3)} s`,
            `${fmt(r.rssPeakMB)} MB`,
          ]),
          ...data.cappedFailures.map((f) => [
            `${f.monitors.toLocaleString("en-US")}${f.scenario === "one-minute" ? " (all 1-minute)" : ""}, bundled tick, 256 MB V8 limits`,
            "–", "–", "–", "–", "–", "–", "–", "–", `**failed**: ${f.error}`, "–", "–",
          ]),
        ],
        notes: [
          "Items read counts what the queries returned and what DynamoDB scanned (ScannedCount); they are equal because the due index holds only what is due: no filter discards anything.",
          "SQS requests are counted on the tick's SQS client; * marks the bundled-tick rows, whose client the bench cannot see: their figure is the TickReport's own count" +
            (rows.some((r) => !r.v8Flags && r.reportedSqsRequests !== r.sqsRequests)
              ? `, which is low: in the other rows the TickReport said ${rows
                  .filter((r) => !r.v8Flags && r.reportedSqsRequests !== r.sqsRequests)
                  .map((r) => `${r.reportedSqsRequests.toLocaleString("en-US")} where ${r.sqsRequests.toLocaleString("en-US")} were sent`)
                  .slice(0, 3)
                  .join(", ")}.`
              : "."),
          "Jobs: a 10-second monitor is enqueued 6 times per window (one message per due second, delayed with DelaySeconds), so jobs exceed due monitors in the mixed table. " +
            'SQS requests are SendMessageBatch calls (10 messages of up to 10 jobs each); "billed" counts each started 64 KiB of a request\'s payload.',
          `"Bundled tick" rows run the minified tick bundle (SST's esbuild options) in plain Node with \`${LAMBDA_V8_FLAGS}\`, the heap limits the ` +
            `Lambda Node.js bootstrap derives from the tick's ${TICK_MEMORY_MB} MB; their peak RSS (process maximum, import included) is the closest ` +
            `local stand-in for the "Max Memory Used" Lambda would report. Lambda stops a function that goes over its memory setting.`,
          `The other rows run the TypeScript sources under tsx, whose peak RSS includes tsx and the compiled sources (≈ ${fmt(Math.min(...rows.filter((r) => !r.v8Flags).map((r) => r.rssBeforeMB)))} MB before the tick starts).`,
          "Tick time is against dynalite and fauxqs on this machine: an upper bound for DynamoDB, whose query pages come back in milliseconds.",
        ],
      },
      {
        title: "Seeding the table (not part of the tick)",
        intro: "BatchWriteItem through ElectroDB (`MonitorEntity.put([...]).go({ concurrent: 8 })`, 25 items a request).",
        columns: ["Table", "Table size after", "Monitors added", "Time", "Items/s"],
        rows: data.seeding.map((s) => [
          s.scenario,
          s.monitors.toLocaleString("en-US"),
          s.added.toLocaleString("en-US"),
          `${fmt(s.ms / 1000)} s`,
          fmt(s.added / (s.ms / 1000)),
        ]),
      },
    ],
    budgets,
    data,
  };
  finish(result);
}

await main();
