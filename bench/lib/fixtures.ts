/**
 * Monitor items written straight to the table, shaped exactly as Monitor.create writes them
 * (same due keys), with deterministic pseudo-random offsets so every run seeds the same table.
 */
import { INTERVALS, MonitorEntity, type MonitorItem } from "@uptime/core/monitors/monitor";
import { monitorItem as fixtureItem, type MonitorFixture } from "@uptime/e2e/kit/monitor-fixture";
import { rng } from "@uptime/e2e/kit/rng";
import { Cohort } from "@uptime/core/monitors/cohort";
import { dueKeys } from "@uptime/core/schedule/due-index";

/**
 * The mix of intervals a hosted uptime service sees: mostly 1 and 5 minutes, a tail of
 * sub-minute and hourly ones, and some paused monitors (which a tick must never read).
 * Weights in percent; they add up to 100.
 */
export const INTERVAL_MIX: Array<{ intervalSec: (typeof INTERVALS)[number]; percent: number }> = [
  { intervalSec: 10, percent: 3 },
  { intervalSec: 20, percent: 2 },
  { intervalSec: 30, percent: 5 },
  { intervalSec: 60, percent: 40 },
  { intervalSec: 120, percent: 5 },
  { intervalSec: 300, percent: 25 },
  { intervalSec: 600, percent: 5 },
  { intervalSec: 900, percent: 3 },
  { intervalSec: 1800, percent: 2 },
  { intervalSec: 3600, percent: 10 },
];
export const PAUSED_PERCENT = 5;

/** The kit's monitor item, with the bench's owner, name, target and alert address. */
export function monitorItem(o: MonitorFixture, now = Date.now()): MonitorItem {
  const target = o.type && o.type !== "http" ? {} : { url: "https://example.com/health" };
  return fixtureItem({ ownerId: "bench-owner", ownerEmail: "ops@example.com", name: "Bench monitor", ...target, ...o }, now);
}

/** `count` monitors following INTERVAL_MIX, with random offsets inside their interval. */
export function mixedMonitors(count: number, seed: number, owners = 1000): MonitorItem[] {
  const r = rng(seed);
  const out: MonitorItem[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    let pick = r() * 100;
    const mix = INTERVAL_MIX.find((m) => (pick -= m.percent) < 0) ?? INTERVAL_MIX[INTERVAL_MIX.length - 1]!;
    const intervalSec = mix.intervalSec;
    out.push(
      monitorItem(
        { intervalSec, offsetSec: Math.floor(r() * intervalSec), paused: r() * 100 < PAUSED_PERCENT, ownerId: `owner-${i % owners}` },
        now,
      ),
    );
  }
  return seatInCohorts(out);
}

/**
 * Seats monitors in cohorts as Monitor.create would, creating them one after another per owner:
 * an owner's monitors of one interval share cohorts of up to COHORT_SIZE (and their offset).
 */
export function seatInCohorts(items: MonitorItem[]): MonitorItem[] {
  const seen = new Map<string, MonitorItem[]>();
  return items.map((m) => {
    const mine = seen.get(m.ownerId) ?? [];
    const { cohort, offsetSec } = Cohort.choose(m.monitorId, m.intervalSec, m.type ?? "http", mine);
    const seated = (m.type === "heartbeat" ? { ...m, cohort: m.monitorId } : { ...m, cohort, offsetSec, ...dueKeys(m.intervalSec, offsetSec, m.paused) }) as MonitorItem;
    mine.push(seated);
    seen.set(m.ownerId, mine);
    return seated;
  });
}

/** BatchWriteItem through ElectroDB (25 items a request), `concurrent` requests in flight. */
export async function seedMonitors(items: MonitorItem[], concurrent = 8) {
  const chunk = 5000;
  for (let i = 0; i < items.length; i += chunk) {
    const res = await MonitorEntity.put(items.slice(i, i + chunk)).go({ concurrent });
    if (res.unprocessed.length) throw new Error(`seeding left ${res.unprocessed.length} monitors unprocessed`);
  }
}
