export * as Cohort from "./cohort";

import { randomInt } from "node:crypto";
import type { MonitorItem } from "./entity";

/**
 * A cohort is up to COHORT_SIZE monitors of one owner that share an interval and an offset, so
 * their checks fall due at the same instant, travel in the same message and are stored together:
 * one result item per cohort and slot, one live-figures item per cohort (check/result-slots.ts,
 * history/cohort-live.ts). That is how a healthy check costs a fraction of a write unit
 * (docs/architecture.md, "The result store").
 *
 * A monitor joins a cohort when it is created and keeps it for life, so its whole history sits in
 * one partition: changing the interval only moves it off the cohort's slots (its results are
 * then stored alone, still in that partition). Monitors created before cohorts existed have none
 * and keep one item per check (check/result.ts).
 */

/** Members per cohort: 8 healthy entries stay under 1 KB in both the slot item and the live item. */
export const COHORT_SIZE = 8;

export type Member = Pick<MonitorItem, "monitorId"> & { cohort?: string };

/**
 * The key of a member inside its cohort's items: the first 12 hex digits of its id (48 random
 * bits), so eight members cost ~100 bytes of names instead of ~300. `choose` never seats two
 * members with the same key in one cohort.
 */
export const memberKey = (monitorId: string) => monitorId.replace(/-/g, "").slice(0, 12).toLowerCase();

/** Whether the monitor's results live in cohort items (true for every monitor created since). */
export const hasCohort = <T extends { cohort?: string | null }>(m: T): m is T & { cohort: string } => typeof m.cohort === "string" && m.cohort.length > 0;

type Candidate = Pick<MonitorItem, "monitorId" | "intervalSec" | "offsetSec" | "type"> & { cohort?: string };

/**
 * Where a new monitor goes: the fullest cohort of the owner with the same interval that still has
 * a seat (its offset is then the monitor's), or a new cohort named after the monitor with a random
 * offset. Heartbeats are checked only when a deadline passes, never at a shared instant: each is
 * its own cohort. Two monitors created at the same moment may both take the last seat; a cohort
 * of nine is only a slightly larger item.
 */
export function choose(monitorId: string, intervalSec: number, type: string, others: Candidate[]): { cohort: string; offsetSec: number } {
  if (type !== "heartbeat") {
    const key = memberKey(monitorId);
    // Every member writes into its cohort's partition, on its slots or not: keys must differ from all of them.
    const keysOf = new Map<string, Set<string>>();
    for (const o of others) if (o.cohort) keysOf.set(o.cohort, (keysOf.get(o.cohort) ?? new Set()).add(memberKey(o.monitorId)));
    // Seats are counted per (cohort, offset): a member that changed interval no longer shares the slots.
    const seats = new Map<string, { cohort: string; offsetSec: number; members: number }>();
    for (const o of others) {
      if (!o.cohort || o.type === "heartbeat" || o.intervalSec !== intervalSec) continue;
      const id = `${o.cohort}|${o.offsetSec}`;
      const seat = seats.get(id) ?? { cohort: o.cohort, offsetSec: o.offsetSec, members: 0 };
      seat.members++;
      seats.set(id, seat);
    }
    const seat = [...seats.values()]
      // The live item holds every member, on the slots or not: the cohort's size is what is capped.
      .filter((s) => keysOf.get(s.cohort)!.size < COHORT_SIZE && !keysOf.get(s.cohort)!.has(key))
      .sort((a, b) => b.members - a.members)[0];
    const cohort = seat?.cohort;
    if (cohort && seat) return { cohort, offsetSec: seat.offsetSec };
  }
  return { cohort: monitorId, offsetSec: randomInt(0, intervalSec) };
}
