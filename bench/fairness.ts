/**
 * 8. Fairness: one account's hanging targets must not delay anyone else's checks. The local
 * stack on the wall clock (scheduler at TICK_SECONDS, as deployed, and the check consumer's
 * poller), with 10-second monitors of two owners: a share of them (10% by default) point at a
 * target that accepts the connection and never answers, with the longest timeout allowed; the
 * rest at a healthy target. Their jobs share SQS messages and batches, as in production.
 *
 * For every healthy scheduled check, lateness is the moment its result write returned (seen by
 * a middleware on the shared DynamoDB client) minus its slot. Run alone: npx tsx bench/fairness.ts
 */
import { Cohort } from "@uptime/core/monitors/cohort";
import net from "node:net";
import { watchDynamo } from "@uptime/core/platform/table";
import { startTarget, startTestStack } from "@uptime/local/testing";
import { monitorItem, seatInCohorts, seedMonitors } from "./lib/fixtures";
import { commandFor, finish, fmt, log, percentile, sleep, type BenchResult, type Budget } from "./lib/report";

const NAME = "fairness";
const TICK_SECONDS = Number(process.env.BENCH_TICK_SECONDS ?? 60);
const MONITORS = Number(process.env.BENCH_FAIRNESS_MONITORS ?? 100);
const HANGING_PERCENT = Number(process.env.BENCH_FAIRNESS_HANGING_PERCENT ?? 10);
const MEASURE_TICKS = Number(process.env.BENCH_FAIRNESS_TICKS ?? 2);
const INTERVAL_SEC = 10;
const HANG_TIMEOUT_MS = 30_000; // the longest a monitor may wait
const HEALTHY_TIMEOUT_MS = 10_000; // the default
const BUDGET_P95_MS = 2000;

export interface FairnessData {
  tickSeconds: number;
  monitors: number;
  hanging: number;
  healthySlots: number;
  healthyWritten: number;
  latenessMs: { p50: number; p95: number; p99: number; max: number };
  hangingSlots: number;
  hangingWritten: number;
  hangingLatenessMs: { p50: number; max: number };
}

/** A target that accepts connections and never says a word. */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** When each result's write returned, keyed `${member key}|${at}` (Cohort.memberKey; slot items hold several). */
function watchResultWrites(): Map<string, number> {
  const written = new Map<string, number>();
  const value = (v: unknown) => (v && typeof v === "object" && "S" in v ? (v as { S: string }).S : v && typeof v === "object" && "N" in v ? Number((v as { N: string }).N) : v);
  watchDynamo(async (command, input, next) => {
    const out = await next(input);
    const seen = (member: string, at: unknown) => {
      const key = `${member}|${at}`;
      if (!written.has(key)) written.set(key, Date.now());
    };
    if (command === "PutItemCommand") {
      const item = input.Item ?? {};
      if (value(item.__edb_e__) === "checkResult") seen(Cohort.memberKey(String(value(item.monitorId))), value(item.at));
      if (value(item.__edb_e__) === "resultSlot") for (const member of Object.keys(item.e?.M ?? {})) seen(member, value(item.at));
    }
    // a member appended to a slot item (ResultSlots.record)
    if (command === "UpdateItemCommand" && String(value(input.Key?.sk)).startsWith("$resultslot_1#at_")) {
      const at = Number(String(value(input.Key!.sk)).slice("$resultslot_1#at_".length));
      for (const [name, member] of Object.entries((input.ExpressionAttributeNames ?? {}) as Record<string, string>)) if (/^#m\d+$/.test(name)) seen(member, at);
    }
    return out;
  });
  return written;
}

async function main() {
  const started = Date.now();
  const stack = await startTestStack({ scheduler: true, pollers: true, tickSeconds: TICK_SECONDS, log: () => {} });
  const healthyTarget = await startTarget({ status: 200, body: "ok" });
  const silent = await silentServer();
  let result: BenchResult<FairnessData>;
  try {
    const written = watchResultWrites();
    const hangingCount = Math.round((MONITORS * HANGING_PERCENT) / 100);
    const monitors = Array.from({ length: MONITORS }, (_, i) => {
      const hanging = i < hangingCount;
      return {
        hanging,
        item: monitorItem({
          intervalSec: INTERVAL_SEC,
          offsetSec: i % INTERVAL_SEC,
          url: hanging ? `${silent.url}/slow${i}` : `${healthyTarget.url}/m${i}`,
          timeoutMs: hanging ? HANG_TIMEOUT_MS : HEALTHY_TIMEOUT_MS,
          ownerId: hanging ? "noisy-owner" : "quiet-owner",
          name: `fair-${i}`,
          state: "up",
        }),
      };
    });
    // Each owner's monitors sit in cohorts of eight, as Monitor.create seats them.
    seatInCohorts(monitors.map((m) => m.item)).forEach((seated, i) => (monitors[i]!.item = seated));
    await seedMonitors(monitors.map((m) => m.item));

    const firstTick = Math.ceil(Date.now() / (TICK_SECONDS * 1000)) * TICK_SECONDS * 1000;
    const from = firstTick;
    const to = firstTick + MEASURE_TICKS * TICK_SECONDS * 1000;
    log(NAME, `${MONITORS} monitors (${hangingCount} hanging); measuring slots from ${new Date(from).toISOString()} for ${MEASURE_TICKS} ticks`);
    // Every slot in the window, then long enough for the last hanging probe to give up.
    await sleep(to - Date.now() + HANG_TIMEOUT_MS + 10_000);

    const lateness = (hanging: boolean) => {
      const values: number[] = [];
      let slots = 0;
      for (const m of monitors.filter((x) => x.hanging === hanging)) {
        for (let at = from + m.item.offsetSec * 1000; at < to; at += INTERVAL_SEC * 1000) {
          slots++;
          const w = written.get(`${Cohort.memberKey(m.item.monitorId)}|${at}`);
          if (w !== undefined) values.push(w - at);
        }
      }
      return { slots, values: values.sort((a, b) => a - b) };
    };
    const healthy = lateness(false);
    const hung = lateness(true);
    const data: FairnessData = {
      tickSeconds: TICK_SECONDS,
      monitors: MONITORS,
      hanging: hangingCount,
      healthySlots: healthy.slots,
      healthyWritten: healthy.values.length,
      latenessMs: {
        p50: percentile(healthy.values, 50),
        p95: percentile(healthy.values, 95),
        p99: percentile(healthy.values, 99),
        max: healthy.values[healthy.values.length - 1] ?? NaN,
      },
      hangingSlots: hung.slots,
      hangingWritten: hung.values.length,
      hangingLatenessMs: { p50: percentile(hung.values, 50), max: hung.values[hung.values.length - 1] ?? NaN },
    };
    const s = (ms: number) => `${fmt(ms / 1000, 3)} s`;
    const allWritten = data.healthyWritten === data.healthySlots;
    const budgets: Budget[] = [
      {
        name: `Healthy checks on time while ${HANGING_PERCENT}% of targets hang (p95 result written after its slot)`,
        limit: `≤ ${s(BUDGET_P95_MS)}, every check written`,
        actual: `${s(data.latenessMs.p95)}, ${data.healthyWritten} of ${data.healthySlots} written`,
        pass: allWritten && data.latenessMs.p95 <= BUDGET_P95_MS,
      },
    ];
    result = {
      name: NAME,
      title: "Fairness",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: `Healthy checks while ${HANGING_PERCENT}% of targets hang (TICK_SECONDS=${TICK_SECONDS})`,
          intro:
            `${MONITORS} monitors checking every ${INTERVAL_SEC} s, offsets spread over the interval, in the local stack on the wall clock. ` +
            `${hangingCount} of them (another owner) point at a server that accepts the connection and never answers, with timeoutMs ${HANG_TIMEOUT_MS}; ` +
            `the others at a healthy local target (timeoutMs ${HEALTHY_TIMEOUT_MS}). Their jobs share queue messages and batches. ` +
            `Lateness: when the result write returned, minus the slot, over ${MEASURE_TICKS} scheduler windows.`,
          columns: ["Monitors", "Slots", "Written", "Lateness p50", "p95", "p99", "max"],
          rows: [
            ["Healthy", healthy.slots, healthy.values.length, s(data.latenessMs.p50), s(data.latenessMs.p95), s(data.latenessMs.p99), s(data.latenessMs.max)],
            ["Hanging", hung.slots, hung.values.length, s(data.hangingLatenessMs.p50), "–", "–", s(data.hangingLatenessMs.max)],
          ],
          notes: [
            "Lateness includes the queue's own delay: DelaySeconds are whole seconds (rounded up from the moment the tick enqueues), then the poller's receive.",
            `A hanging check is written when its own timeout (${s(HANG_TIMEOUT_MS)}) ends.`,
          ],
        },
      ],
      budgets,
      data,
    };
  } finally {
    await silent.stop();
    await healthyTarget.stop();
    await stack.stop();
  }
  finish(result);
}

await main();
