/**
 * `npm run bench`: runs every benchmark in its own process (configuration is process-global, so
 * each script starts its own local stack), collects their results from bench/results/*.json,
 * writes BENCHMARKS.md and bench/README-snippet.md, prints a summary, and exits 1 listing any
 * budget that was missed (or any script that failed).
 *
 * Options: `npm run bench -- fanout checker` runs only those scripts (the report still includes
 * the latest saved results of the others).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ApiData } from "./api-latency";
import type { CheckerData } from "./checker";
import type { CostData } from "./cost-model";
import type { DetectionData } from "./detection";
import type { FanoutData } from "./fanout";
import type { PackageData } from "./package-size";
import type { WriteCostData } from "./write-cost";
import {
  BENCH_DIR,
  REPO_ROOT,
  cents,
  commandFor,
  fmt,
  machine,
  readResult,
  renderBudgets,
  renderTables,
  resultPath,
  SOAK_END,
  SOAK_START,
  usd,
  type BenchResult,
  type Budget,
} from "./lib/report";

/** In the order of the issue; `order` is the order they run in (the cost model needs three others). */
const SECTIONS = [
  { name: "fanout", heading: "1. Scheduler fan-out", order: 2, timeoutMin: 6 },
  { name: "checker", heading: "2. Checker throughput", order: 3, timeoutMin: 3 },
  { name: "write-cost", heading: "3. Write and read cost per check", order: 4, timeoutMin: 3 },
  { name: "cost-model", heading: "4. Cost model", order: 5, timeoutMin: 2 },
  { name: "api-latency", heading: "5. API latency", order: 6, timeoutMin: 3 },
  { name: "package-size", heading: "6. Lambda package size and cold init", order: 1, timeoutMin: 3 },
  { name: "detection", heading: "7. Detection latency", order: 7, timeoutMin: 8 },
  { name: "fairness", heading: "8. Fairness: healthy checks while targets hang", order: 8, timeoutMin: 6 },
  { name: "web", heading: "9. Web app", order: 9, timeoutMin: 4 },
  { name: "status-pages", heading: "10. Status page under a traffic spike", order: 10, timeoutMin: 3 },
  { name: "dashboard-reads", heading: "11. Dashboard and monitor-list reads by account size", order: 11, timeoutMin: 6 },
  { name: "vs-kuma", heading: "12. Side by side with Uptime Kuma", order: 12, timeoutMin: 6 },
  { name: "channels", heading: "13. Alert channels: cost of one event per channel", order: 13, timeoutMin: 3 },
  { name: "heartbeats", heading: "14. Heartbeats: cost of a ping and of finding overdue heartbeats", order: 14, timeoutMin: 10 },
] as const;

interface Outcome {
  name: string;
  exitCode: number | null;
  ms: number;
  error?: string;
}

function runScript(name: string, timeoutMin: number): Promise<Outcome> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--no-warnings", path.join(BENCH_DIR, `${name}.ts`)], {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      // stdout repeats the tables that end up in BENCHMARKS.md; progress goes to stderr
      stdio: ["ignore", "ignore", "inherit"],
      detached: false,
    });
    const timer = setTimeout(() => {
      console.error(`[run] ${name} exceeded ${timeoutMin} min; stopping it`);
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    }, timeoutMin * 60_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ name, exitCode: code, ms: Date.now() - started, ...(signal ? { error: `killed by ${signal}` } : {}) });
    });
  });
}

const s1 = (n: number) => `${fmt(n, 3)} s`;

/** The README paragraph, with this run's headline numbers. */
function readmeSnippet(r: {
  cost?: BenchResult<CostData>;
  fanout?: BenchResult<FanoutData>;
  detection?: BenchResult<DetectionData>;
  checker?: BenchResult<CheckerData>;
}) {
  const lines = ["## Benchmarks", ""];
  const cost = r.cost?.data;
  if (cost) {
    const [a, b] = cost.fleets;
    const synth = cost.alternatives.find((x) => x.name.startsWith("CloudWatch Synthetics"));
    lines.push(
      `**Cost.** Checking a site every minute costs about **${cents(a!.total)} per monitor-month** at ${a!.monitors.toLocaleString("en-US")} monitors ` +
        `and **${cents(b!.total)}** at ${b!.monitors.toLocaleString("en-US")} (us-east-1 list prices: Lambda on arm64, SQS, DynamoDB on-demand ` +
        `with 30 days of results, SES, CloudWatch Logs)` +
        (synth ? `, against ${usd(synth.usd)} for a one-minute CloudWatch Synthetics canary.` : "."),
      "",
    );
  }
  const fan = r.fanout?.data;
  if (fan) {
    const mixed = fan.rows.filter((x) => x.scenario === "mixed" && !x.v8Flags);
    const sizes = [...new Set(mixed.map((x) => x.monitors))];
    const ratio = Math.max(...fan.rows.map((x) => Math.max(x.itemsRead, x.itemsScanned) / x.dueMonitors));
    const rru = sizes.map((s) => {
      const rs = mixed.filter((x) => x.monitors === s);
      return rs.reduce((t, x) => t + x.readUnits, 0) / rs.reduce((t, x) => t + x.dueMonitors, 0);
    });
    const largest = mixed.filter((x) => x.monitors === sizes[sizes.length - 1]);
    const oneMinuteAll = fan.rows.filter((x) => x.scenario === "one-minute" && !x.v8Flags);
    const oneMinute = oneMinuteAll.filter((x) => x.monitors === Math.max(...oneMinuteAll.map((y) => y.monitors)));
    lines.push(
      `**Fan-out.** The once-a-minute tick reads only the monitors that are due: from ${sizes[0]!.toLocaleString("en-US")} to ` +
        `${sizes[sizes.length - 1]!.toLocaleString("en-US")} monitors it read ${ratio.toFixed(2)}× the due monitors and ` +
        `${fmt(Math.min(...rru), 2)}–${fmt(Math.max(...rru), 2)} read units per due monitor (flat as the table grows), and a tick over ` +
        `${sizes[sizes.length - 1]!.toLocaleString("en-US")} monitors took ${s1(largest.reduce((t, x) => t + x.tickMs, 0) / largest.length / 1000)} against local DynamoDB` +
        (oneMinute.length
          ? ` (${s1(oneMinute.reduce((t, x) => t + x.tickMs, 0) / oneMinute.length / 1000)} when all ${oneMinute[0]!.monitors.toLocaleString("en-US")} check every minute).`
          : "."),
      "",
    );
  }
  const det = r.detection?.data;
  if (det) {
    const row = (g: string) => det.rows.find((x) => x.group === g);
    const d10 = row("10s");
    const d60 = row("60s");
    if (d10 && d60) {
      lines.push(
        `**Detection.** With the default three-failure threshold, a DOWN email arrives ${s1(d10.detect.median)} (median; ${s1(d10.detect.max)} at worst) ` +
          `after a site fails for a 10-second monitor and ${s1(d60.detect.median)} (${s1(d60.detect.max)}) for a 60-second monitor; ` +
          `recovery is reported after ${s1(d10.recover.median)} and ${s1(d60.recover.median)}.`,
        "",
      );
    }
  }
  lines.push(
    "Measured with `npm run bench` against the local stack (dynalite, fauxqs, aws-ses-v2-local); tables, commands, the machine and the budgets " +
      "are in [BENCHMARKS.md](BENCHMARKS.md).",
    "",
  );
  return lines.join("\n");
}

function notes(r: {
  fanout?: BenchResult<FanoutData>;
  checker?: BenchResult<CheckerData>;
  pkg?: BenchResult<PackageData>;
  detection?: BenchResult<DetectionData>;
  api?: BenchResult<ApiData>;
  writes?: BenchResult<WriteCostData>;
}): string[] {
  const out: string[] = [];
  const fan = r.fanout?.data;
  const pkg = r.pkg?.data;
  if (fan) {
    // The bundled tick under the 256 MB Lambda's V8 limits: its peak RSS against the function's memory.
    for (const c of fan.rows.filter((x) => x.v8Flags)) {
      out.push(
        `Tick memory: the bundled tick over ${c.monitors.toLocaleString("en-US")} monitors${c.scenario === "one-minute" ? " that all check every minute" : ""} ` +
          `(${c.dueMonitors.toLocaleString("en-US")} due, ${c.jobs.toLocaleString("en-US")} jobs) peaked at ${fmt(c.rssPeakMB)} MB RSS with the V8 limits of a 256 MB Lambda ` +
          `(${fmt(c.rssBeforeMB)} MB after importing the bundle)` +
          (c.rssPeakMB > fan.tickMemoryMB
            ? `: over the tick function's ${fan.tickMemoryMB} MB. runTick holds every due monitor and every job in memory before it sends the first message.`
            : `, within the tick function's ${fan.tickMemoryMB} MB.`),
      );
    }
    // How full the queue messages are (a message holds up to 10 jobs; Lambda bills per invocation, SQS per request).
    const packing = [...new Set(fan.rows.filter((x) => !x.v8Flags).map((x) => `${x.scenario}|${x.monitors}`))].map((k) => {
      const [scenario, size] = k.split("|");
      const rs = fan.rows.filter((x) => !x.v8Flags && x.scenario === scenario && x.monitors === Number(size));
      return { scenario, size: Number(size), perMessage: rs.reduce((t, x) => t + x.jobs, 0) / rs.reduce((t, x) => t + x.messages, 0) };
    });
    const sparse = packing.filter((p) => p.perMessage < 5);
    if (sparse.length) {
      out.push(
        `Sparse messages: ${sparse.map((p) => `${p.scenario} ${p.size.toLocaleString("en-US")}-monitor table ${fmt(p.perMessage, 2)} jobs per message`).join(", ")} ` +
          `(others: ${packing.filter((p) => p.perMessage >= 5).map((p) => `${p.scenario} ${p.size.toLocaleString("en-US")}: ${fmt(p.perMessage, 3)}`).join(", ")}; at most 10). ` +
          "The tick enqueues page by page, so jobs due in the same second but read by different queries (interval buckets) or pages do not share messages; " +
          "each message is a checker invocation when the queue is quiet, plus its SQS receive and delete.",
      );
    }
    const miscounted = fan.rows.filter((x) => !x.v8Flags && x.reportedSqsRequests !== undefined && x.reportedSqsRequests !== x.sqsRequests);
    if (miscounted.length) {
      out.push(
        `TickReport.sqsRequests is low when several queries send at once: ${miscounted
          .slice(0, 3)
          .map((x) => `${x.reportedSqsRequests.toLocaleString("en-US")} reported, ${x.sqsRequests.toLocaleString("en-US")} sent (${x.monitors.toLocaleString("en-US")} ${x.scenario})`)
          .join("; ")}. ` + "`report.sqsRequests += (await CheckJob.enqueue(...)).requests` reads the total before the await, so concurrent pages overwrite each other's additions.",
      );
    }
    for (const f of fan.cappedFailures) out.push(`Tick memory: with ${f.monitors.toLocaleString("en-US")} monitors (${f.scenario}) the tick did not complete under the 256 MB Lambda's V8 limits (${f.error}).`);
  }
  const ch = r.checker?.data;
  if (ch) {
    const full = ch.rows.map((x) => `${x.injectedMs} ms target: ${fmt(x.withinTolerance * 100, 3)}% (p50 ${x.latency.p50} ms)`).join(", ");
    const single = ch.smallBatches.filter((x) => x.checksPerInvocation === 1).map((x) => `${fmt(x.withinTolerance * 100, 3)}%`).join(" and ");
    out.push(
      `Latency accuracy depends on how many checks one invocation runs at once: with a full batch of ${ch.jobsPerInvocation} checks, the share within 5 ms of the ` +
        `injected latency was ${full}; one check per invocation: ${single}. A batch's probes start, and their responses are handled, on one ` +
        "thread: a response that arrives while the thread is busy is timed when the thread gets to it. Probes started 0.5 ms apart (Checker.START_SPACING_MS) " +
        "come back spread out, and the sites run at high priority so that their own lateness on this 2-core machine is not counted (bench/lib/targets.ts); " +
        "a 512 MB Lambda has about 0.3 of this machine's CPU, so a full batch leaves it less idle time to read responses in.",
    );
  }
  const det = r.detection?.data;
  const short = det?.rows.find((x) => x.group === "10s-short");
  if (short && short.recover.median > short.recover.expectedMedian + 5) {
    out.push(
      `Recovery after a short outage: when a 10-second monitor's target came back within the scheduler minute its incident opened in, the RECOVERED ` +
        `email took ${s1(short.recover.median)} (median) instead of the ${s1(short.recover.expectedMedian)} the rules imply: jobs enqueued before the ` +
        "incident carry an \"up\" snapshot, and a passing check with an \"up\" snapshot never reads the monitor.",
    );
  }
  if (det && det.slotOffsetMs.median < 0) {
    out.push(
      `Scheduled checks run early: ${fmt(-det.slotOffsetMs.median)} ms before their slot at the median (up to ${fmt(-det.slotOffsetMs.min)} ms), ` +
        "because CheckJob.enqueue rounds DelaySeconds down from the moment the tick enqueues, a little after the window starts.",
    );
  }
  if (pkg) {
    const over = pkg.functions.filter((f) => f.bytes > 1.5 * 1024 * 1024);
    if (over.length) {
      out.push(
        `Package size: ${over.map((f) => `${f.name} (${fmt(f.bytes / 1024)} KB)`).join(", ")} over 1.5 MB. Their largest parts: ` +
          over.map((f) => `${f.name}: ${f.families.slice(0, 3).map((x) => `${x.name} ${fmt(x.bytes / 1024)} KB`).join(", ")}`).join("; ") +
          `. Relying on the runtime's SDK would bring them to ${fmt(Math.max(...over.map((f) => f.bytesWithoutSdk)) / 1024)} KB or less.`,
      );
    }
  }
  const api = r.api?.data;
  if (api?.rows.some((x) => !x.available)) {
    out.push(`API: ${api.rows.filter((x) => !x.available).map((x) => `${x.route} answered ${x.status}`).join("; ")} during this run, so those rows are "not available".`);
  }
  return out;
}

async function main() {
  const started = Date.now();
  const only = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const selected = SECTIONS.filter((s) => only.length === 0 || only.includes(s.name)).sort((a, b) => a.order - b.order);
  const outcomes: Outcome[] = [];
  for (const s of selected) {
    // A result left from an earlier run must not pass for this one.
    rmSync(resultPath(s.name), { force: true });
    console.error(`\n[run] ${s.heading}: ${commandFor(s.name)}`);
    const o = await runScript(s.name, s.timeoutMin);
    outcomes.push(o);
    if (!existsSync(resultPath(s.name))) o.error = o.error ?? `exited with ${o.exitCode} and wrote no result`;
    console.error(`[run] ${s.name} finished in ${fmt(o.ms / 1000)} s${o.error ? ` (${o.error})` : ""}`);
  }
  const totalMs = Date.now() - started;

  const results = Object.fromEntries(SECTIONS.map((s) => [s.name, readResult(s.name)])) as Record<string, BenchResult<any> | undefined>;
  const m = machine();
  const allBudgets: Array<Budget & { section: string }> = SECTIONS.flatMap((s) => (results[s.name]?.budgets ?? []).map((b) => ({ ...b, section: s.heading })));
  const failed = outcomes.filter((o) => o.error);
  const ranNow = new Set(outcomes.map((o) => o.name));

  const md: string[] = [
    "# Benchmarks",
    "",
    "Generated by `npm run bench` (bench/run.ts); do not edit by hand. Every number comes from this machine running the local stack " +
      "(DynamoDB: dynalite, SQS: fauxqs, SES: aws-ses-v2-local) unless a table says it is modelled.",
    "",
    `- Date: ${new Date(started).toISOString()}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB memory, ${m.os}`,
    `- Node: ${m.node}`,
    `- Total runtime: ${fmt(totalMs / 1000)} s for ${outcomes.length} script${outcomes.length === 1 ? "" : "s"}` +
      (only.length ? ` (only: ${only.join(", ")}; other sections are from their last saved run)` : ""),
    "",
    "Run everything with `npm run bench`, or one section with the command shown under it. Budgets are checked by the bench, not by tests; " +
      "`npm run bench` exits 1 when one is missed. Counts (items, units, requests, bytes) repeat exactly from run to run; timings (tick time, " +
      "throughput, latency, import time) move by tens of percent between runs on a shared 2-core machine.",
    "",
    "## Budgets",
    "",
    renderBudgets(allBudgets),
    "",
  ];
  const runNotes = notes({
    fanout: results.fanout,
    checker: results.checker,
    pkg: results["package-size"],
    detection: results.detection,
    api: results["api-latency"],
    writes: results["write-cost"],
  });
  if (runNotes.length) md.push("## Findings in this run", "", ...runNotes.map((n) => `- ${n}`), "");
  for (const s of SECTIONS) {
    const r = results[s.name];
    md.push(`## ${s.heading}`, "");
    if (!r) {
      md.push(`Not available: \`${commandFor(s.name)}\` ${failed.find((f) => f.name === s.name)?.error ?? "has not been run"}.`, "");
      continue;
    }
    md.push(
      `Command: \`${r.command}\` (${fmt(r.durationMs / 1000)} s, ${r.startedAt.replace("T", " ").slice(0, 19)} UTC${ranNow.has(s.name) ? "" : ", from an earlier run"})`,
      "",
      renderTables(r.tables, "###"),
      "",
    );
    if (r.budgets.length) md.push(renderBudgets(r.budgets), "");
  }
  // The soak runs for half an hour on its own (`npm run soak`); its section is carried over as it stands.
  const benchmarksPath = path.join(REPO_ROOT, "BENCHMARKS.md");
  const soak = existsSync(benchmarksPath) ? new RegExp(`${SOAK_START}[\\s\\S]*?${SOAK_END}`).exec(readFileSync(benchmarksPath, "utf8"))?.[0] : undefined;
  if (soak) md.push(soak, "");
  writeFileSync(benchmarksPath, md.join("\n").replace(/\n{3,}/g, "\n\n"));
  writeFileSync(
    path.join(BENCH_DIR, "README-snippet.md"),
    readmeSnippet({ cost: results["cost-model"], fanout: results.fanout, detection: results.detection, checker: results.checker }),
  );

  // -- summary
  console.log(`\nBENCHMARKS.md written (${fmt(totalMs / 1000)} s in total).\n`);
  console.log(readmeSnippet({ cost: results["cost-model"], fanout: results.fanout, detection: results.detection }));
  for (const b of allBudgets) console.log(`${b.pass === null ? "?   " : b.pass ? "pass" : "FAIL"}  ${b.name}: ${b.actual} (limit ${b.limit})`);
  const missed = allBudgets.filter((b) => b.pass === false);
  if (failed.length) console.log(`\nScripts that failed: ${failed.map((f) => `${f.name} (${f.error})`).join(", ")}`);
  if (missed.length || failed.length) {
    console.log(`\n${missed.length} budget${missed.length === 1 ? "" : "s"} missed${missed.length ? ":" : "."}`);
    for (const b of missed) console.log(`  - ${b.name}: ${b.actual}, limit ${b.limit}`);
    process.exit(1);
  }
  console.log("\nAll budgets met.");
}

await main();
