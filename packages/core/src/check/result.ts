export * as CheckResult from "./result";

import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { bindToTable, entityOptions } from "../platform/table";
import { CHECK_KINDS, type CheckKind } from "./check-job";
import type { FailureReason, ProbeOutcome } from "./probe";

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
    kind,
    checkedAt,
  };
}

/**
 * Stores a result unless this slot already has one. Returns the stored result: ours, or
 * the one an earlier delivery of the same slot wrote (so both deliveries act on the same facts).
 */
export async function record(result: Result): Promise<{ result: Result; created: boolean }> {
  const expiresAt = Math.floor(result.at / 1000) + config().RESULT_RETENTION_DAYS * 86400;
  try {
    await CheckResultEntity.create({ ...result, expiresAt }).go({ response: "none" });
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
