export * as CohortLive from "./cohort-live";

import { Entity } from "electrodb";
import { ResultSlots } from "../check/result-slots";
import type { Result } from "../check/result-shape";
import { Cohort } from "../monitors/cohort";
import { isConditionalCheckFailed } from "../platform/errors";
import { metered, putWriteUnits, type Meter } from "../platform/metering";
import { DynamoWire } from "../platform/dynamo-wire";
import { lazyEntity, entityOptions, tableName } from "../platform/table";
import { HOUR, floorTo } from "../platform/time";
import { Stats } from "./stats";

/**
 * The "now" figures of a cohort's members, in two items per cohort that a dashboard of N
 * monitors reads with one BatchGetItem per 100 cohorts each:
 *
 * - the live item, rewritten after each stored slot: per member the last result, the ok flags of
 *   the last RECENT checks, and checks and failures of the current hour and the LIVE_HOURS - 1
 *   before it;
 * - the window item, rewritten by the hourly rollup job: per member checks and failures of each
 *   of the 24 whole hours before its `through`, computed from the stored results.
 *
 * 24-hour figures take rolled hours from the window and the rest from the live item. The live
 * item is a cache of what the slot items hold: it is written after them (read, then a put
 * conditioned on its version), so a crash between the two leaves a check out of the live counts
 * until the rollup job rolls that hour up from the results themselves.
 */

export const CohortLiveEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "cohortLive", version: "1", service: "uptime" },
      attributes: {
        cohort: { type: "string", required: true },
        /** Bumped by every write: the condition that keeps concurrent writers from losing each other's results. */
        v: { type: "number", required: true },
        /** Member key → encoded MemberState. */
        m: { type: "any", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: { byCohort: { pk: { field: "pk", composite: ["cohort"] }, sk: { field: "sk", composite: [] } } },
    },
    entityOptions(),
  ),
);

export const CohortWindowEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "cohortWindow", version: "1", service: "uptime" },
      attributes: {
        cohort: { type: "string", required: true },
        /** Every hour before this one is rolled up (epoch ms, a whole hour). */
        through: { type: "number", required: true },
        /** Member key → [checks, failures] per hour, oldest first, of the 24 hours before `through`. */
        m: { type: "any", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: { byCohort: { pk: { field: "pk", composite: ["cohort"] }, sk: { field: "sk", composite: [] } } },
    },
    entityOptions(),
  ),
);

/** Checks in the dashboard's bar strip (history/dashboard.ts RECENT_CHECKS). */
export const RECENT = 40;
/** Hours the live item counts: the rollup job closes an hour within about one hour of its end. */
export const LIVE_HOURS = 3;
const WINDOW_HOURS = 24;
const MASK = (1n << BigInt(RECENT)) - 1n;

const liveKey = (cohort: string) => ({ pk: ResultSlots.partitionOf(cohort), sk: "$cohortlive_1" });

// ---------- one member's live state ----------

export interface MemberState {
  /** Slot of the last result, and that result's fields but its phases (ResultSlots.entryFields). */
  at: number;
  last: unknown[];
  /** Ok flags of the newest `count` checks, newest in bit 0. */
  mask: bigint;
  count: number;
  /** [hour index (epoch hours), checks, failures], oldest first. */
  hours: [number, number, number][];
}

/**
 * A member's state as one JSON string: one attribute value to (un)marshal instead of a list of a
 * dozen numbers, which is most of the CPU a live-item write spends in the SDK.
 */
export function encodeState(s: MemberState): string {
  return JSON.stringify([s.at, s.last, s.mask.toString(36), s.count, ...s.hours.flat()]);
}

export function decodeState(v: unknown): MemberState | undefined {
  if (typeof v !== "string") return undefined;
  const [at, last, mask, count, ...flat] = JSON.parse(v) as [number, unknown[], string, number, ...number[]];
  const hours: [number, number, number][] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) hours.push([flat[i]!, flat[i + 1]!, flat[i + 2]!]);
  return { at, last, mask: [...mask].reduce((n, c) => n * 36n + BigInt(parseInt(c, 36)), 0n), count, hours };
}

/** Adds one stored result to a member's state. */
export function applyResult(s: MemberState | undefined, r: Result, now: number): MemberState {
  const out: MemberState = s ? { ...s, hours: s.hours.map((h) => [...h] as [number, number, number]) } : { at: r.at, last: [], mask: 0n, count: 0, hours: [] };
  if (!s || r.at >= s.at) {
    out.at = r.at;
    // Without phases: lists show the last latency, and the slot item keeps the rest.
    out.last = ResultSlots.entryFields({ ...r, phases: undefined });
  }
  out.mask = ((out.mask << 1n) | (r.ok ? 1n : 0n)) & MASK;
  out.count = Math.min(out.count + 1, RECENT);
  const hour = Math.floor(r.at / HOUR);
  const oldest = Math.floor(now / HOUR) - (LIVE_HOURS - 1);
  if (hour >= oldest) {
    const bucket = out.hours.find((h) => h[0] === hour);
    if (bucket) {
      bucket[1]++;
      if (!r.ok) bucket[2]++;
    } else out.hours.push([hour, 1, r.ok ? 0 : 1]);
  }
  out.hours = out.hours.filter((h) => h[0] >= oldest).sort((a, b) => a[0] - b[0]);
  return out;
}

// ---------- writing ----------

const ATTEMPTS = 8;

/** A live item as a writer reads it: its version and members' states. */
export interface LiveItem {
  v: number;
  m: Record<string, unknown>;
}

/**
 * The live items of several cohorts, for writers about to update them: one BatchGetItem per 100,
 * eventually consistent. A cohort without a live item maps to null; one DynamoDB left unread is
 * absent (its writer reads it itself).
 */
export async function readForUpdate(cohorts: string[]): Promise<Map<string, LiveItem | null>> {
  const out = new Map<string, LiveItem | null>();
  const unique = [...new Set(cohorts)];
  for (let i = 0; i < unique.length; i += 100) {
    const part = unique.slice(i, i + 100);
    const { Items, Unread } = await DynamoWire.batchGet({ TableName: tableName(), Keys: part.map(liveKey) });
    const unread = new Set(Unread.map((k) => k.pk as string));
    const found = new Map(Items.map((item) => [item.cohort as string, { v: item.v as number, m: item.m as Record<string, unknown> }]));
    for (const cohort of part) if (!unread.has(liveKey(cohort).pk)) out.set(cohort, found.get(cohort) ?? null);
  }
  return out;
}

/**
 * Adds results just stored (each of a different member of `cohort`) to the cohort's live item.
 * `known` is the item as read a moment ago (readForUpdate), null when there was none: the first
 * attempt then starts from it instead of reading.
 */
export async function record(cohort: string, results: Result[], now = Date.now(), meter?: Meter, known?: LiveItem | null): Promise<void> {
  if (results.length === 0) return;
  const Key = liveKey(cohort);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let item: LiveItem | undefined;
    if (attempt === 0 && known !== undefined) item = known ?? undefined;
    else {
      // Eventually consistent (half the read units): a stale read only fails the version condition and is read again.
      const got = await DynamoWire.get({ TableName: tableName(), Key, ConsistentRead: attempt > 0 });
      if (meter) meter.requests++;
      item = got.Item as LiveItem | undefined;
    }
    const m: Record<string, unknown> = { ...(item?.m ?? {}) };
    for (const r of results) {
      const k = Cohort.memberKey(r.monitorId);
      m[k] = encodeState(applyResult(decodeState(m[k]), r, now));
    }
    try {
      await DynamoWire.put({
        TableName: tableName(),
        Item: { ...Key, cohort, v: (item?.v ?? 0) + 1, m, updatedAt: now, __edb_e__: "cohortLive", __edb_v__: "1" },
        ...(item
          ? { ConditionExpression: "#v = :v", ExpressionAttributeNames: { "#v": "v" }, ExpressionAttributeValues: { ":v": item.v } }
          : { ConditionExpression: "attribute_not_exists(#pk)", ExpressionAttributeNames: { "#pk": "pk" } }),
      });
      if (meter) meter.requests++;
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Another member's results were written in between: read again and add ours to theirs.
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
  throw new Error(`live item of cohort ${cohort}: still contended after ${ATTEMPTS} attempts`);
}

/** Takes a deleted monitor out of its cohort's live and window items. */
export async function forget(m: { monitorId: string; cohort: string }): Promise<void> {
  const k = Cohort.memberKey(m.monitorId);
  for (const sk of ["$cohortlive_1", "$cohortwindow_1"]) {
    try {
      await DynamoWire.update({
        TableName: tableName(),
        Key: { pk: ResultSlots.partitionOf(m.cohort), sk },
        UpdateExpression: "REMOVE #m.#k",
        ConditionExpression: "attribute_exists(#m)",
        ExpressionAttributeNames: { "#m": "m", "#k": k },
      });
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
}

/**
 * The rollup job's part: sets the checks and failures per hour it computed (member key → hour
 * start → Agg) for hours in [from, to), and moves the window to end at `to` if that is later.
 */
export async function rollWindow(cohort: string, from: number, to: number, perMember: Map<string, Map<number, Stats.Agg>>, now = Date.now()): Promise<number> {
  const { data } = await CohortWindowEntity.get({ cohort }).go({ consistent: true });
  const old = data as { through: number; m: Record<string, number[]> } | null;
  const through = Math.max(old?.through ?? to, to);
  const first = through - WINDOW_HOURS * HOUR;
  const m: Record<string, number[]> = {};
  const keys = new Set([...Object.keys(old?.m ?? {}), ...perMember.keys()]);
  for (const k of keys) {
    const hours = new Array<number>(WINDOW_HOURS * 2).fill(0);
    const prior = old?.m[k];
    if (prior) {
      const priorFirst = old!.through - WINDOW_HOURS * HOUR;
      for (let i = 0; i < WINDOW_HOURS; i++) {
        const j = (priorFirst + i * HOUR - first) / HOUR;
        if (j >= 0 && j < WINDOW_HOURS) [hours[2 * j], hours[2 * j + 1]] = [prior[2 * i] ?? 0, prior[2 * i + 1] ?? 0];
      }
    }
    for (let h = Math.max(from, first); h < Math.min(to, through); h += HOUR) {
      const agg = perMember.get(k)?.get(h);
      const j = (h - first) / HOUR;
      // An hour this run covered is recomputed from the results: a member without results in it had none.
      [hours[2 * j], hours[2 * j + 1]] = [agg?.count ?? 0, agg?.failures ?? 0];
    }
    while (hours.length && hours[hours.length - 1] === 0) hours.pop();
    if (hours.some((n) => n > 0)) m[k] = hours;
  }
  const item = { cohort, through, m, updatedAt: now };
  await CohortWindowEntity.put(item).go({ response: "none" });
  return putWriteUnits((CohortWindowEntity.put(item).params() as { Item: Record<string, unknown> }).Item);
}

// ---------- reading ----------

export interface CohortFigures {
  live?: Record<string, unknown>;
  window?: { through: number; m: Record<string, number[]> };
}

/** Live items (and window items, for 24-hour figures) of many cohorts: one BatchGetItem request per 100 cohorts each. */
export async function readMany(cohorts: string[], opts: { window?: boolean; meter?: Meter } = {}): Promise<Map<string, CohortFigures>> {
  const { meter } = opts;
  const unique = [...new Set(cohorts)];
  const out = new Map<string, CohortFigures>(unique.map((c) => [c, {}]));
  if (unique.length === 0) return out;
  const keys = unique.map((cohort) => ({ cohort }));
  const [live, window] = await Promise.all([
    CohortLiveEntity.get(keys).go({ ...metered(meter) }),
    opts.window === false ? { data: [] } : CohortWindowEntity.get(keys).go({ ...metered(meter) }),
  ]);
  for (const item of live.data as any[]) out.get(item.cohort)!.live = item.m;
  for (const item of window.data as any[]) out.get(item.cohort)!.window = { through: item.through, m: item.m };
  return out;
}

export interface MemberFigures {
  last?: Result;
  /** Checks and failures over the current hour and the 23 before it. */
  day: Stats.Agg;
  recent: { since?: number; ok: boolean[] };
}

/** One member's figures from its cohort's items. */
export function figuresOf(
  m: { monitorId: string; intervalSec: number },
  items: CohortFigures | undefined,
  now: number,
): MemberFigures {
  const k = Cohort.memberKey(m.monitorId);
  const state = decodeState(items?.live?.[k]);
  const day = Stats.emptyAgg();
  const firstHour = floorTo(now, HOUR) - 23 * HOUR;
  const through = items?.window?.through ?? -Infinity;
  const win = items?.window?.m[k];
  if (win) {
    const winFirst = through - WINDOW_HOURS * HOUR;
    for (let i = 0; 2 * i < win.length; i++) {
      const h = winFirst + i * HOUR;
      if (h >= firstHour && h <= now) {
        day.count += win[2 * i] ?? 0;
        day.failures += win[2 * i + 1] ?? 0;
      }
    }
  }
  for (const [hour, n, f] of state?.hours ?? []) {
    const h = hour * HOUR;
    if (h >= firstHour && h >= through && h <= now) {
      day.count += n;
      day.failures += f;
    }
  }
  if (!state) return { day, recent: { ok: [] } };
  const ok: boolean[] = [];
  for (let i = state.count - 1; i >= 0; i--) ok.push(((state.mask >> BigInt(i)) & 1n) === 1n);
  // The strip's start: the last check less (count - 1) intervals, as the flags keep no times.
  const since = state.at - (state.count - 1) * m.intervalSec * 1000;
  return { last: ResultSlots.fromFields(m.monitorId, state.at, state.last), day, recent: { since, ok } };
}

/** A member's last result, from its cohort's live item alone (one GetItem). */
export async function lastOf(m: { monitorId: string; cohort: string }, meter?: Meter): Promise<Result | undefined> {
  const { data } = await CohortLiveEntity.get({ cohort: m.cohort }).go({ ...metered(meter) });
  const state = decodeState((data as { m?: Record<string, unknown> } | null)?.m?.[Cohort.memberKey(m.monitorId)]);
  return state ? ResultSlots.fromFields(m.monitorId, state.at, state.last) : undefined;
}
