/**
 * `npm run soak -- --minutes 30`: a realistic fleet on the local stack for that long while a
 * share of every DynamoDB, SQS and SES request fails as AWS fails under load, then the
 * invariants (packages/e2e/src/kit/soak.ts). Writes bench/results/soak.json and the "Soak under
 * injected faults" section of BENCHMARKS.md (kept by `npm run bench`, which does not run it).
 * Exit code 1 if an invariant broke.
 *
 * Options: --minutes 30 --monitors 150 --targets 15 --subscribers 5 --seed 1
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { runSoak } from "@uptime/e2e/kit/soak";
import { finish, machine, REPO_ROOT, renderTables, SOAK_END, SOAK_START, type Table } from "./lib/report";


const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "30" },
    monitors: { type: "string", default: "150" },
    targets: { type: "string", default: "15" },
    subscribers: { type: "string", default: "5" },
    seed: { type: "string", default: "1" },
  },
});
const minutes = Number(values.minutes);
const started = Date.now();
const faults = {
  dynamodb: { throttle: 0.02, serverError: 0.01, lostResponse: 0.02 },
  sqs: { throttle: 0.02, serverError: 0.01, lostResponse: 0.02, redeliver: 0.1 },
  ses: { throttle: 0.05, serverError: 0.01 },
};
const report = await runSoak({
  durationMs: minutes * 60_000,
  monitors: Number(values.monitors),
  targets: Number(values.targets),
  subscribers: Number(values.subscribers),
  postedIncidents: Math.max(1, Math.round(minutes / 3)),
  outageCycleMs: 120_000,
  seed: Number(values.seed),
  faults,
  log: (line) => console.error(line),
});

const command = `npm run soak -- --minutes ${minutes} --monitors ${values.monitors} --targets ${values.targets} --subscribers ${values.subscribers} --seed ${values.seed}`;
const rates = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k} ${v * 100}%`).join(", ");
const tables: Table[] = [
  {
    title: "Faults injected",
    intro: `${report.options.monitors} HTTP monitors every 10 s on ${report.options.targets} local targets, each target down half of every 2 minutes, ${report.options.subscribers} status-page subscribers and ${report.options.postedIncidents} posted incidents (created, updated, resolved), for ${minutes} minutes. Rates per request: DynamoDB ${rates(faults.dynamodb)}; SQS ${rates(faults.sqs)}; SES ${rates(faults.ses)}. A lost response is the local stand-in for a function killed between two writes: the write happened, the caller saw an error.`,
    columns: ["Service", "Fault", "Operation", "Injected"],
    rows: Object.entries(report.faults)
      .map(([k, v]) => [...k.split(" ", 3), v] as [string, string, string, number])
      .sort((a, b) => b[3] - a[3]),
    notes: [`Requests through the fault proxies: DynamoDB ${report.requests.dynamodb}, SQS ${report.requests.sqs}, SES ${report.requests.ses}.`],
  },
  {
    title: "Invariants",
    columns: ["Invariant", "Held", "Detail"],
    rows: report.invariants.map((i) => [i.name, i.held ? "yes" : "**NO**", i.detail]),
    notes: [
      `Ticks run: ${report.figures.ticksDone} (${report.figures.ticksFailed} failed under faults; deployed, EventBridge retries a failed tick, locally its window is skipped and no slot of it is expected).`,
      `Results ${report.figures.results}, incidents ${report.figures.incidents}, alert mails ${report.figures.alertMails}, subscriber mails ${report.figures.subscriberMails}.`,
    ],
  },
];

const section = [
  SOAK_START,
  "## Soak under injected faults",
  "",
  `\`${command}\` (${Math.round((Date.now() - started) / 60_000)} min, Node ${machine().node}, ${machine().cores} cores)`,
  "",
  renderTables(tables),
  SOAK_END,
].join("\n");
const benchmarks = path.join(REPO_ROOT, "BENCHMARKS.md");
const current = existsSync(benchmarks) ? readFileSync(benchmarks, "utf8") : "";
const marked = new RegExp(`${SOAK_START}[\\s\\S]*?${SOAK_END}`);
writeFileSync(benchmarks, marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n${section}\n`);

finish({
  name: "soak",
  title: "Soak under injected faults",
  command,
  startedAt: new Date(started).toISOString(),
  durationMs: Date.now() - started,
  tables,
  budgets: report.invariants.map((i) => ({ name: i.name, limit: "holds", actual: i.held ? "held" : i.detail, pass: i.held })),
  data: report,
});
