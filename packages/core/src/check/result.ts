export * as CheckResult from "./result";

import { PutItemCommand, type AttributeValue, type PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { assertCursorFor, badCursor, lazyEntity, cursorObject, dynamo, entityOptions, tableName } from "../platform/table";
import { CHECK_KINDS, type CheckKind } from "./check-job";
import type { FailureReason, ProbeOutcome } from "./probe";
import { PHASE_NAMES } from "./probe-types";
import { Phases, Result } from "./result-shape";
import { ResultSlots } from "./result-slots";
import { CohortLive } from "../history/cohort-live";
import { Cohort } from "../monitors/cohort";
import { Telemetry } from "../platform/telemetry";
import { metered, type Meter } from "../platform/metering";
import { mapLimit } from "../platform/concurrency";

export { Phases, Result };

const PHASE_ATTRIBUTES = Object.fromEntries(PHASE_NAMES.map((n) => [n, { type: "number" as const }])) as Record<
  (typeof PHASE_NAMES)[number],
  { type: "number" }
>;


/**
 * One item per check, keyed by monitor and slot (the instant the check was due). The slot
 * key is what makes at-least-once delivery harmless: a second delivery of the same slot
 * finds the item and records nothing new. Items expire by TTL after the retention period.
 */
export const CheckResultEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "checkResult", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        at: { type: "number", required: true }, // slot, epoch ms
        ok: { type: "boolean", required: true },
        reason: { type: "string" },
        message: { type: "string" },
        httpStatus: { type: "number" },
        latencyMs: { type: "number", required: true },
        certDaysLeft: { type: "number" },
        /** Where the time went, ms: DNS, connect, TLS, first byte, download (Probe.Phases). */
        phases: { type: "map", properties: PHASE_ATTRIBUTES },
        kind: { type: CHECK_KINDS, required: true },
        /** Made while scheduled maintenance muted the monitor: recorded, but opens no incident. */
        inMaintenance: { type: "boolean" },
        checkedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a monitor's history, by slot
        history: {
          pk: { field: "pk", composite: ["monitorId"] },
          sk: { field: "sk", composite: ["at"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type { CheckKind };



export const View = z.object({
  at: z.string(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  message: z.string().nullable(),
  httpStatus: z.number().nullable(),
  latencyMs: z.number(),
  certDaysLeft: z.number().nullable(),
  phases: Phases.nullable().describe("Milliseconds spent resolving DNS, connecting, in the TLS handshake, waiting for the first byte and downloading; null when not measured"),
  kind: z.enum(CHECK_KINDS),
  inMaintenance: z.boolean(),
});
export type View = z.infer<typeof View>;

export function toView(r: Result): View {
  return {
    at: new Date(r.at).toISOString(),
    ok: r.ok,
    reason: r.reason ?? null,
    message: r.message ?? null,
    httpStatus: r.httpStatus ?? null,
    latencyMs: r.latencyMs,
    certDaysLeft: r.certDaysLeft ?? null,
    phases: r.phases ?? null,
    kind: r.kind,
    inMaintenance: r.inMaintenance === true,
  };
}

export function fromOutcome(monitorId: string, at: number, kind: CheckKind, outcome: ProbeOutcome, checkedAt = Date.now()): Result {
  return {
    monitorId,
    at,
    ok: outcome.ok,
    reason: outcome.reason,
    message: outcome.message,
    httpStatus: outcome.httpStatus,
    latencyMs: outcome.latencyMs,
    certDaysLeft: outcome.certDaysLeft,
    ...(outcome.phases && { phases: outcome.phases }),
    kind,
    checkedAt,
  };
}

const attr = (v: unknown): AttributeValue | undefined => {
  if (v === undefined) return undefined;
  if (typeof v === "string") return { S: v };
  if (typeof v === "number") return { N: String(v) };
  if (typeof v === "boolean") return { BOOL: v };
  if (v && typeof v === "object") {
    const m: Record<string, AttributeValue> = {};
    for (const [k, x] of Object.entries(v)) {
      const a = attr(x);
      if (a) m[k] = a;
    }
    return { M: m };
  }
  throw new Error(`cannot store ${typeof v} in a check result`);
};

/**
 * The PutItem that `CheckResultEntity.create(item).go()` sends, built by hand: the result write is
 * the checker's hottest call, and ElectroDB spends ~0.1 ms building it (plus an error object with
 * a captured stack per `go()`), more than the rest of the write. Same keys, same attributes,
 * same condition (result.test.ts compares the two).
 */
export function putInput(item: Result & { expiresAt: number }): PutItemCommandInput {
  const Item: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(item)) {
    const a = attr(v);
    if (a) Item[k] = a;
  }
  // ElectroDB's key layout: service and entity prefixes, composite values lowercased.
  Item.pk = { S: `$uptime#monitorid_${item.monitorId.toLowerCase()}` };
  Item.sk = { S: `$checkresult_1#at_${item.at}` };
  Item.__edb_e__ = { S: "checkResult" };
  Item.__edb_v__ = { S: "1" };
  return {
    TableName: tableName(),
    Item,
    ConditionExpression: "attribute_not_exists(#pk) AND attribute_not_exists(#sk)",
    ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk" },
  };
}


// ---------- the store facade: cohort items, or one item per check for monitors without a cohort ----------

/** Whose results: the monitor, and its cohort when it has one (monitors/cohort.ts). */
export interface Owner {
  monitorId: string;
  cohort?: string | null;
}

export interface Stored {
  result: Result;
  /** False when an earlier delivery of the same slot had already stored it. */
  created: boolean;
}

const expiresAtOf = (at: number) => Math.floor(at / 1000) + config().RESULT_RETENTION_DAYS * 86400;

/**
 * Stores a result unless this slot already has one. Returns the stored result: ours, or
 * the one an earlier delivery of the same slot wrote (so both deliveries act on the same facts).
 */
export async function record(result: Result, owner: { cohort?: string | null } = {}): Promise<Stored> {
  return (await recordSlot(owner.cohort ?? undefined, result.at, [result]))[0]!;
}

/**
 * Stores the results of one slot of one cohort (each of a different member) in one write, then
 * adds the new ones to the cohort's live figures. Without a cohort, each result is its own item.
 */
export async function recordSlot(cohort: string | undefined, at: number, results: Result[], now = Date.now()): Promise<Stored[]> {
  if (!cohort) return Promise.all(results.map(recordAlone));
  const stored = await ResultSlots.record(cohort, at, results, expiresAtOf(at));
  await addToLive(cohort, stored, now);
  return stored;
}

/**
 * Adds the results this delivery stored to the cohort's live item, from `known` (the item as just
 * read) when given. The results are stored: if the live item misses them, the next write brings
 * its last check back and the rollup job's window its hour counts (cohort-live.ts); the check
 * itself must not fail for it.
 */
function addToLive(cohort: string, stored: Stored[], now: number, known?: CohortLive.LiveItem | null): Promise<void> {
  const fresh = stored.filter((s) => s.created).map((s) => s.result);
  return CohortLive.record(cohort, fresh, now, undefined, known).catch((err) =>
    Telemetry.log.warn("live figures not updated", { cohort, results: fresh.length, error: String(err) }),
  );
}

/** One cohort's results of one slot. */
export interface SlotResults {
  cohort: string;
  at: number;
  results: Result[];
}

/**
 * recordSlot for several cohorts' slots at once (a checker batch's groups that completed
 * together): their live items are read in one request, while the slots are written, instead of
 * one read each. Settles per slot, in order.
 */
export async function recordSlots(slots: SlotResults[], now = Date.now()): Promise<PromiseSettledResult<Stored[]>[]> {
  if (slots.length === 1) return Promise.allSettled([recordSlot(slots[0]!.cohort, slots[0]!.at, slots[0]!.results, now)]);
  // Read before the slots are written: a live item written in between fails its version condition, and is read again.
  const known = CohortLive.readForUpdate(slots.map((s) => s.cohort)).catch(() => new Map<string, CohortLive.LiveItem | null>());
  const stored = await Promise.allSettled(slots.map((s) => ResultSlots.record(s.cohort, s.at, s.results, expiresAtOf(s.at))));
  const live = await known;
  await Promise.all(slots.map((s, i) => (stored[i]!.status === "fulfilled" ? addToLive(s.cohort, stored[i]!.value, now, live.get(s.cohort)) : undefined)));
  return stored;
}

async function recordAlone(result: Result): Promise<Stored> {
  try {
    await dynamo().send(new PutItemCommand(putInput({ ...result, expiresAt: expiresAtOf(result.at) })));
    return { result, created: true };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const existing = await find({ monitorId: result.monitorId }, result.at);
    return { result: existing ?? result, created: false };
  }
}

export async function find(owner: Owner, at: number): Promise<Result | undefined> {
  if (Cohort.hasCohort(owner)) return ResultSlots.find({ monitorId: owner.monitorId, cohort: owner.cohort }, at);
  const { data } = await CheckResultEntity.get({ monitorId: owner.monitorId, at }).go({ consistent: true });
  return data ? (data as Result) : undefined;
}

// the newest `count` results of a monitor, newest first (consistent: decides incidents)
export async function latest(owner: Owner, count: number): Promise<Result[]> {
  if (Cohort.hasCohort(owner)) return ResultSlots.query({ monitorId: owner.monitorId, cohort: owner.cohort }, { desc: true, limit: count, consistent: true });
  const { data } = await CheckResultEntity.query.history({ monitorId: owner.monitorId }).go({ order: "desc", limit: count, consistent: true });
  return data as Result[];
}

/** A monitor's results with at in [from, to), oldest first, all of them. */
export async function between(owner: Owner, from: number, to: number, meter?: Meter): Promise<Result[]> {
  if (to <= from) return [];
  if (Cohort.hasCohort(owner)) return ResultSlots.query({ monitorId: owner.monitorId, cohort: owner.cohort }, { from, to: to - 1, meter });
  const { data } = await CheckResultEntity.query
    .history({ monitorId: owner.monitorId })
    .between({ at: from }, { at: to - 1 })
    .go({ pages: "all", ...metered(meter) });
  return data as Result[];
}

/** The query behind `list` for monitors without a cohort: their results, optionally between two instants. */
function historyQuery(monitorId: string, opts: { from?: number; to?: number } = {}) {
  const q = CheckResultEntity.query.history({ monitorId });
  return opts.from !== undefined && opts.to !== undefined
    ? q.between({ at: opts.from }, { at: opts.to })
    : opts.from !== undefined
      ? q.gte({ at: opts.from })
      : opts.to !== undefined
        ? q.lte({ at: opts.to })
        : q;
}

/**
 * A monitor's results newest first, optionally between two instants, a page at a time. The
 * cursor of a cohort member names the member and the slot of the last result returned: it can
 * only move the range within the member's own results.
 */
export async function list(
  owner: Owner,
  opts: { from?: number; to?: number; limit?: number; cursor?: string | null; order?: "asc" | "desc" } = {},
): Promise<{ data: Result[]; cursor: string | null }> {
  const limit = opts.limit ?? 50;
  const order = opts.order ?? "desc";
  if (!Cohort.hasCohort(owner)) {
    const query = historyQuery(owner.monitorId, opts);
    assertCursorFor(opts.cursor, CheckResultEntity, "history", query.params());
    const res = await query.go({ order, limit, cursor: opts.cursor ?? null });
    return { data: res.data as Result[], cursor: res.cursor ?? null };
  }
  let from = opts.from ?? 0;
  let to = opts.to ?? Number.MAX_SAFE_INTEGER;
  const member = Cohort.memberKey(owner.monitorId);
  if (opts.cursor) {
    const after = slotOfCursor(opts.cursor, member);
    // The last result a page returned lies inside the listing's range.
    if (after < from || after > to) throw badCursor();
    if (order === "desc") to = after - 1;
    else from = after + 1;
  }
  const data = await ResultSlots.query({ monitorId: owner.monitorId, cohort: owner.cohort }, { from, to, desc: order === "desc", limit: limit + 1 });
  const page = data.slice(0, limit);
  const cursor = data.length > limit ? Buffer.from(JSON.stringify({ m: member, at: String(page[page.length - 1]!.at) })).toString("base64url") : null;
  return { data: page, cursor };
}

/**
 * A cohort member's cursor names the member and the slot of the last result returned, so it can
 * only move the range within that member's own results; anything else is a 400.
 */
function slotOfCursor(cursor: string, member: string): number {
  const { m, at, ...rest } = cursorObject(cursor);
  if (Object.keys(rest).length > 0 || m !== member || typeof at !== "string" || !/^[0-9]{1,15}$/.test(at)) throw badCursor();
  return Number(at);
}

export type { FailureReason };

/** The newest result of a monitor, for its live status fields. */
export async function lastOf(owner: Owner, meter?: Meter): Promise<Result | undefined> {
  if (Cohort.hasCohort(owner)) return CohortLive.lastOf({ monitorId: owner.monitorId, cohort: owner.cohort }, meter);
  const { data } = await CheckResultEntity.query.history({ monitorId: owner.monitorId }).go({ order: "desc", limit: 1, ...metered(meter) });
  return data[0] as Result | undefined;
}

/**
 * Stores many results of one monitor at once, as an import would (tests and the bench seed
 * history with it): each slot conditionally, like the checker, then the live figures in one update.
 */
export async function storeMany(owner: Owner, results: Result[], now = Date.now()): Promise<void> {
  const sorted = [...results].sort((a, b) => a.at - b.at);
  if (!Cohort.hasCohort(owner)) {
    await CheckResultEntity.put(sorted.map((r) => ({ ...r, expiresAt: expiresAtOf(r.at) }))).go({ concurrent: 4 });
    return;
  }
  await mapLimit(sorted, 16, (r) => ResultSlots.record(owner.cohort, r.at, [r], expiresAtOf(r.at)));
  await CohortLive.record(owner.cohort, sorted, now);
}
