export * as ResultSlots from "./result-slots";

import { Entity } from "electrodb";
import { Cohort } from "../monitors/cohort";
import { isConditionalCheckFailed } from "../platform/errors";
import { metered, type Meter } from "../platform/metering";
import { DynamoWire } from "../platform/dynamo-wire";
import { lazyEntity, entityOptions, tableName } from "../platform/table";
import { CHECK_KINDS } from "./check-job";
import { PHASE_NAMES } from "./probe-types";
import type { Result } from "./result-shape";

/**
 * The cohort result store: one item per (cohort, slot) holding every member's result of that
 * slot, keyed by member (monitors/cohort.ts). Eight healthy results fit in one write unit, where
 * one item per check costs a unit each. The item is created with all the results a checker has
 * for the slot in one conditional put; a member whose result comes later (a slow target, another
 * message of the cohort) is appended with a conditional update of its own entry. Either
 * condition makes a redelivered job find its slot taken and read the stored result instead,
 * as the per-check items did.
 */
export const ResultSlotEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "resultSlot", version: "1", service: "uptime" },
      attributes: {
        cohort: { type: "string", required: true },
        at: { type: "number", required: true }, // slot, epoch ms
        /** Member key (Cohort.memberKey) → encoded result (encodeEntry). */
        e: { type: "any", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a cohort's history, by slot
        bySlot: { pk: { field: "pk", composite: ["cohort"] }, sk: { field: "sk", composite: ["at"] } },
      },
    },
    entityOptions(),
  ),
);

// ElectroDB's key layout (result-slots.test.ts compares them): prefixes, composite values lowercased.
export const partitionOf = (cohort: string) => `$uptime#cohort_${cohort.toLowerCase()}`;
export const sortKeyOf = (at: number) => `$resultslot_1#at_${at}`;

// ---------- the entry codec ----------

const KIND_CODES = Object.fromEntries(CHECK_KINDS.map((k, i) => [k, i])) as Record<(typeof CHECK_KINDS)[number], number>;

/**
 * A result as a short JSON array (about 30 bytes for a healthy check, against ~250 for an item of
 * its own): [ok, latencyMs, httpStatus, kind, checkedAt - at, certDaysLeft, inMaintenance,
 * phases in PHASE_NAMES order, reason, message], trailing empty fields dropped.
 */
export const encodeEntry = (r: Result): string => JSON.stringify(entryFields(r));

export function entryFields(r: Result): unknown[] {
  const fields: unknown[] = [
    r.ok ? 1 : 0,
    r.latencyMs,
    r.httpStatus ?? null,
    KIND_CODES[r.kind],
    r.checkedAt - r.at,
    r.certDaysLeft ?? null,
    r.inMaintenance ? 1 : 0,
    r.phases ? PHASE_NAMES.map((n) => r.phases![n] ?? null) : null,
    r.reason ?? null,
    r.message ?? null,
  ];
  while (fields.length > 5 && (fields[fields.length - 1] === null || (fields.length === 7 && fields[6] === 0))) fields.pop();
  return fields;
}

export const decodeEntry = (monitorId: string, at: number, text: string): Result => fromFields(monitorId, at, JSON.parse(text));

export function fromFields(monitorId: string, at: number, fields: unknown[]): Result {
  const [ok, latencyMs, httpStatus, kind, checkedDelta, certDaysLeft, inMaintenance, phases, reason, message] = fields as any[];
  const r: Result = { monitorId, at, ok: ok === 1, latencyMs, kind: CHECK_KINDS[kind] ?? "scheduled", checkedAt: at + checkedDelta };
  if (reason != null) r.reason = reason;
  if (message != null) r.message = message;
  if (httpStatus != null) r.httpStatus = httpStatus;
  if (certDaysLeft != null) r.certDaysLeft = certDaysLeft;
  if (Array.isArray(phases)) {
    const p: Record<string, number> = {};
    PHASE_NAMES.forEach((n, i) => phases[i] != null && (p[n] = phases[i]));
    r.phases = p;
  }
  if (inMaintenance === 1) r.inMaintenance = true;
  return r;
}

// ---------- writing ----------

export interface Stored {
  result: Result;
  /** False when an earlier delivery had already stored this member's slot. */
  created: boolean;
}

const ATTEMPTS = 5;

/**
 * Stores results of one cohort's slot (each of a different member) unless stored already.
 * Returns, per result in order, the stored one: ours, or what an earlier delivery stored.
 */
export async function record(cohort: string, at: number, results: Result[], expiresAt: number, meter?: Meter): Promise<Stored[]> {
  const out = new Map<string, Stored>();
  const byKey = new Map(results.map((r) => [Cohort.memberKey(r.monitorId), r]));
  let pending = [...byKey.keys()];
  const Key = { pk: partitionOf(cohort), sk: sortKeyOf(at) };
  const params = meter ? { ReturnConsumedCapacity: "TOTAL" as const } : {};
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= ATTEMPTS) throw new Error(`result slot ${cohort}@${at}: still contended after ${attempt} attempts`);
    try {
      if (attempt === 0) {
        // The common case: the slot is new, and every member's result is here.
        await DynamoWire.put({
          TableName: tableName(),
          Item: { ...Key, cohort, at, e: Object.fromEntries(pending.map((k) => [k, encodeEntry(byKey.get(k)!)])), expiresAt, __edb_e__: "resultSlot", __edb_v__: "1" },
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": "pk" },
          ...params,
        });
        if (meter) meter.requests++;
      } else {
        const names: Record<string, string> = { "#e": "e" };
        const values: Record<string, string> = {};
        const sets: string[] = [];
        const conditions: string[] = [];
        pending.forEach((k, i) => {
          names[`#m${i}`] = k;
          values[`:m${i}`] = encodeEntry(byKey.get(k)!);
          sets.push(`#e.#m${i} = :m${i}`);
          conditions.push(`attribute_not_exists(#e.#m${i})`);
        });
        await DynamoWire.update({
          TableName: tableName(),
          Key,
          UpdateExpression: `SET ${sets.join(", ")}`,
          // The item exists (the put was refused): only the missing entries are added.
          ConditionExpression: `attribute_exists(#e) AND ${conditions.join(" AND ")}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...params,
        });
        if (meter) meter.requests++;
      }
      for (const k of pending) out.set(k, { result: byKey.get(k)!, created: true });
      pending = [];
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      // Taken, wholly or in part: read what is there (consistently), keep it, and add the rest.
      const stored = await readSlot(cohort, at, meter);
      pending = pending.filter((k) => {
        const text = stored?.[k];
        if (text === undefined) return true;
        out.set(k, { result: decodeEntry(byKey.get(k)!.monitorId, at, text), created: false });
        return false;
      });
      if (!stored) throw new Error(`result slot ${cohort}@${at}: refused, yet not found`);
    }
  }
  return results.map((r) => out.get(Cohort.memberKey(r.monitorId))!);
}

/** The entries of one slot item (consistent: decides what a redelivery acts on). */
async function readSlot(cohort: string, at: number, meter?: Meter): Promise<Record<string, string> | undefined> {
  const res = await DynamoWire.get({ TableName: tableName(), Key: { pk: partitionOf(cohort), sk: sortKeyOf(at) }, ConsistentRead: true, ...(meter && { ReturnConsumedCapacity: "TOTAL" }) });
  if (meter) {
    meter.requests++;
    meter.readUnits += Number(res.ConsumedCapacity?.CapacityUnits ?? 0);
    if (res.Item) meter.items++;
  }
  return res.Item?.e as Record<string, string> | undefined;
}

// ---------- reading ----------

export async function find(m: { monitorId: string; cohort: string }, at: number): Promise<Result | undefined> {
  const text = (await readSlot(m.cohort, at))?.[Cohort.memberKey(m.monitorId)];
  return text === undefined ? undefined : decodeEntry(m.monitorId, at, text);
}

/** The member's results in the slot items given, in their order. */
export function entriesOf(m: { monitorId: string }, items: Array<{ at: number; e: Record<string, string> }>): Result[] {
  const key = Cohort.memberKey(m.monitorId);
  const out: Result[] = [];
  for (const item of items) {
    const text = item.e?.[key];
    if (text !== undefined) out.push(decodeEntry(m.monitorId, item.at, text));
  }
  return out;
}

/**
 * A member's results with at in [from, to], newest first when `desc`, at most `limit`: slot
 * items are read a page at a time until enough of them hold the member (a cohort's items hold
 * every member, so a page of L items usually holds L of this member's results).
 */
export async function query(
  m: { monitorId: string; cohort: string },
  opts: { from?: number; to?: number; desc?: boolean; limit?: number; consistent?: boolean; meter?: Meter },
): Promise<Result[]> {
  const from = opts.from ?? 0;
  const to = opts.to ?? Number.MAX_SAFE_INTEGER;
  if (to < from) return [];
  const want = opts.limit ?? Infinity;
  const out: Result[] = [];
  let cursor: string | null = null;
  do {
    const page: { data: any[]; cursor: string | null } = await ResultSlotEntity.query
      .bySlot({ cohort: m.cohort })
      .between({ at: from }, { at: to })
      .go({
        order: opts.desc ? "desc" : "asc",
        cursor,
        consistent: opts.consistent ?? false,
        ...(Number.isFinite(want) && { limit: Math.min(1000, Math.max(want - out.length, 1) + 4) }),
        ...metered(opts.meter),
      });
    out.push(...entriesOf(m, page.data));
    cursor = page.cursor;
  } while (cursor && out.length < want);
  return Number.isFinite(want) ? out.slice(0, want) : out;
}
