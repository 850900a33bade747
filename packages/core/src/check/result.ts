export * as CheckResult from "./result";

import { PutItemCommand, type AttributeValue, type PutItemCommandInput } from "@aws-sdk/client-dynamodb";
import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { bindToTable, dynamo, entityOptions, tableName } from "../platform/table";
import { CHECK_KINDS, type CheckKind } from "./check-job";
import type { FailureReason, ProbeOutcome } from "./probe";
import { PHASE_NAMES } from "./probe-types";

const PHASE_ATTRIBUTES = Object.fromEntries(PHASE_NAMES.map((n) => [n, { type: "number" as const }])) as Record<
  (typeof PHASE_NAMES)[number],
  { type: "number" }
>;
export const Phases = z.object(Object.fromEntries(PHASE_NAMES.map((n) => [n, z.number().optional()])) as Record<(typeof PHASE_NAMES)[number], z.ZodOptional<z.ZodNumber>>);
export type Phases = z.infer<typeof Phases>;

/**
 * One item per check, keyed by monitor and slot (the instant the check was due). The slot
 * key is what makes at-least-once delivery harmless: a second delivery of the same slot
 * finds the item and records nothing new. Items expire by TTL after the retention period.
 */
export const CheckResultEntity = bindToTable(
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

export const Result = z.object({
  monitorId: z.string(),
  at: z.number(),
  ok: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  httpStatus: z.number().optional(),
  latencyMs: z.number(),
  certDaysLeft: z.number().optional(),
  phases: Phases.optional(),
  kind: z.enum(CHECK_KINDS),
  inMaintenance: z.boolean().optional(),
  checkedAt: z.number(),
});
export type Result = z.infer<typeof Result>;

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

/**
 * Stores a result unless this slot already has one. Returns the stored result: ours, or
 * the one an earlier delivery of the same slot wrote (so both deliveries act on the same facts).
 */
export async function record(result: Result): Promise<{ result: Result; created: boolean }> {
  const expiresAt = Math.floor(result.at / 1000) + config().RESULT_RETENTION_DAYS * 86400;
  try {
    await dynamo().send(new PutItemCommand(putInput({ ...result, expiresAt })));
    return { result, created: true };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const existing = await find(result.monitorId, result.at);
    return { result: existing ?? result, created: false };
  }
}

export async function find(monitorId: string, at: number): Promise<Result | undefined> {
  const { data } = await CheckResultEntity.get({ monitorId, at }).go({ consistent: true });
  return data ? (data as Result) : undefined;
}

// the newest `count` results of a monitor, newest first (consistent: decides incidents)
export async function latest(monitorId: string, count: number): Promise<Result[]> {
  const { data } = await CheckResultEntity.query
    .history({ monitorId })
    .go({ order: "desc", limit: count, consistent: true });
  return data as Result[];
}

/** The query behind `list`: a monitor's results, optionally between two instants. */
export function historyQuery(monitorId: string, opts: { from?: number; to?: number } = {}) {
  const q = CheckResultEntity.query.history({ monitorId });
  return opts.from !== undefined && opts.to !== undefined
    ? q.between({ at: opts.from }, { at: opts.to })
    : opts.from !== undefined
      ? q.gte({ at: opts.from })
      : opts.to !== undefined
        ? q.lte({ at: opts.to })
        : q;
}

// a monitor's results newest first, optionally between two instants, a page at a time
export async function list(
  monitorId: string,
  opts: { from?: number; to?: number; limit?: number; cursor?: string | null } = {},
) {
  const res = await historyQuery(monitorId, opts).go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data as Result[], cursor: res.cursor };
}

export type { FailureReason };

/** The newest result of a monitor, for its live status fields. */
export async function lastOf(monitorId: string, options: { logger?: (event: any) => void; params?: Record<string, unknown> } = {}): Promise<Result | undefined> {
  const { data } = await CheckResultEntity.query.history({ monitorId }).go({ order: "desc", limit: 1, ...options });
  return data[0] as Result | undefined;
}
