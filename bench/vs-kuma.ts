/**
 * 12. Side by side with Uptime Kuma: the whole local stack (scheduler, queue pollers, checkers,
 * and the DynamoDB/SQS/SES emulators, all in this one process) checking N HTTP monitors every
 * 20 s against a loopback target in another process, for a fixed window on the wall clock; CPU
 * per check is this process's user + system time over the checks written in the window.
 *
 * Uptime Kuma is not a dependency: measure it yourself (its process group's CPU over the same
 * window with the same monitors, e.g. from /proc/<pid>/stat) and pass its CPU-ms per check:
 *   KUMA_CPU_MS_PER_CHECK=8.1 npx tsx bench/vs-kuma.ts      (or --kuma=8.1)
 * Without it, the comparison uses the lowest figure the team measured at this number of monitors
 * (bench/competitors.json, with how and where it was measured); without one there, it is not judged.
 * Settings: VS_KUMA_MONITORS (100), VS_KUMA_WINDOW_SEC (180), VS_KUMA_IDLE_SEC (20).
 * Run alone: npx tsx bench/vs-kuma.ts
 * Only the idle figure (`npm start` with no monitors, CPU ms per second): npx tsx bench/vs-kuma.ts --idle
 */
import { startTestStack } from "@uptime/local/testing";
import { CheckResult } from "@uptime/core/check/result";
import { monitorItem, seedMonitors, seatInCohorts } from "./lib/fixtures";
import { idleCpuOfLocalStack } from "./lib/idle";
import { startTargetProcess } from "./lib/targets";
import { commandFor, finish, fmt, log, sleep, type BenchResult, type Budget } from "./lib/report";
import competitors from "./competitors.json" with { type: "json" };

const NAME = "vs-kuma";
const MONITORS = Number(process.env.VS_KUMA_MONITORS ?? 100);
const WINDOW_SEC = Number(process.env.VS_KUMA_WINDOW_SEC ?? 180);
const INTERVAL_SEC = 20;
const kumaArg = process.argv.find((a) => a.startsWith("--kuma="))?.slice("--kuma=".length) ?? process.env.KUMA_CPU_MS_PER_CHECK;
const IDLE_SEC = Number(process.env.VS_KUMA_IDLE_SEC ?? 20);
/** The team's measurements of Kuma (bench/competitors.json): the lowest at MONITORS is the bar. */
const measuredKuma = (competitors.uptimeKuma.cpuMsPerCheck as Record<string, number[]>)[String(MONITORS)];
const KUMA_SOURCE = kumaArg === undefined || kumaArg === "" ? (measuredKuma ? "measured" : undefined) : "given";
const KUMA = KUMA_SOURCE === "given" ? Number(kumaArg) : measuredKuma ? Math.min(...measuredKuma) : undefined;

export interface VsKumaData {
  monitors: number;
  windowSec: number;
  checks: number;
  cpuMs: number;
  cpuMsPerCheck: number;
  kumaCpuMsPerCheck?: number;
  /** `npm start` with no monitors; absent in reports saved before it was measured. */
  idleCpuMsPerSec?: number;
}

async function main() {
  const started = Date.now();
  if (KUMA !== undefined && !(KUMA > 0)) throw new Error(`Kuma's CPU-ms per check must be a positive number, not ${kumaArg}`);
  // Measured first and alone: the stack below would share the machine with it.
  const idle = await idleCpuOfLocalStack(IDLE_SEC);
  log(NAME, `npm start with no monitors: ${fmt(idle.cpuMsPerSec, 3)} CPU ms/s over ${IDLE_SEC} s`);
  if (process.argv.includes("--idle")) return;
  const target = await startTargetProcess([0]);
  const stack = await startTestStack({ scheduler: true, tickSeconds: 60, log: () => {} });
  let result: BenchResult<VsKumaData>;
  try {
    // One account's monitors created one after another: cohorts of eight (monitors/cohort.ts).
    const monitors = seatInCohorts(
      Array.from({ length: MONITORS }, (_, i) => monitorItem({ ownerId: "vs-kuma", intervalSec: INTERVAL_SEC, url: `${target.urls[0]}/m${i}`, state: "up" })),
    );
    await seedMonitors(monitors);
    // Start on a tick boundary plus a little, with one tick's jobs already running.
    await sleep(60_000 - (Date.now() % 60_000) + 5_000);
    log(NAME, `measuring ${MONITORS} monitors for ${WINDOW_SEC} s`);
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    await sleep(WINDOW_SEC * 1000);
    const cpu = process.cpuUsage(cpu0);
    const t1 = Date.now();
    let checks = 0;
    for (const m of monitors) {
      const data = await CheckResult.between(m, t0, t1 + 1);
      checks += data.length;
    }
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const data: VsKumaData = { monitors: MONITORS, windowSec: WINDOW_SEC, checks, cpuMs, cpuMsPerCheck: cpuMs / checks, idleCpuMsPerSec: idle.cpuMsPerSec, ...(KUMA !== undefined && { kumaCpuMsPerCheck: KUMA }) };
    const budgets: Budget[] = [
      {
        name: `Whole local stack, CPU per check at ${MONITORS} monitors, against Uptime Kuma's on the same machine`,
        limit: KUMA === undefined ? "below Kuma's (pass KUMA_CPU_MS_PER_CHECK)" : `< ${fmt(KUMA, 3)} ms (Kuma ${competitors.uptimeKuma.version}, ${KUMA_SOURCE === "given" ? "given" : "the team's lowest measurement"})`,
        actual: `${fmt(data.cpuMsPerCheck, 3)} ms`,
        pass: KUMA === undefined ? null : data.cpuMsPerCheck < KUMA,
      },
    ];
    result = {
      name: NAME,
      title: "Side by side with Uptime Kuma",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: `${MONITORS} HTTP monitors every ${INTERVAL_SEC} s on a loopback target, ${WINDOW_SEC} s window`,
          intro:
            "Ours: the whole local stack in one process (scheduler on the wall clock, queue pollers, check and alert consumers, and the DynamoDB, SQS and SES emulators), " +
            "its user + system CPU over the window divided by the results written in it. Kuma: " +
            (KUMA_SOURCE === "given"
              ? "the figure given on the command line, measured the same way on the same machine."
              : `the lowest of the team's measurements at ${MONITORS} monitors (${measuredKuma?.join("–") ?? "none"} ms; bench/competitors.json: ${competitors.uptimeKuma.how} Source: ${competitors.uptimeKuma.source}).`),
          columns: ["Monitors", "Checks in window", "CPU (ours)", "CPU ms per check (ours)", "CPU ms per check (Uptime Kuma)", "Ours / Kuma"],
          rows: [
            [
              MONITORS,
              checks,
              `${fmt(cpuMs / 1000, 3)} s`,
              fmt(data.cpuMsPerCheck, 3),
              KUMA === undefined ? "not given" : fmt(KUMA, 3),
              KUMA === undefined ? "–" : `${fmt(data.cpuMsPerCheck / KUMA, 3)}×`,
            ],
          ],
          notes: [
            `With no monitors at all, \`npm start\` (the same stack, in memory) spends ${fmt(idle.cpuMsPerSec, 3)} CPU ms per second (its process over ${IDLE_SEC} s, after 5 s of quiet): the floor under the figure above: the minute's tick, the queue emulator's 20 ms timer while a poll waits, one 20 s long poll per queue.`,
            "Deployed, the emulators' share is AWS's (DynamoDB, SQS), billed per request instead of per CPU-second; locally it runs in the measured process, as Kuma's SQLite runs in Kuma's.",
          ],
        },
      ],
      budgets,
      data,
    };
  } finally {
    await stack.stop();
    target.stop();
  }
  finish(result);
}

await main();
