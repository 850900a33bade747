import { z } from "zod";
import type { MonitorItem } from "./entity";
import { DEFAULT_CERT_EXPIRY_DAYS, DEFAULT_DEGRADED_AFTER_CHECKS, Fields, STATUSES } from "./fields";

/** A monitor as the API shows it: settings left unset read as null, plus its live status. */
export const Info = z
  .object({ id: z.string() })
  .extend(Fields.shape)
  .extend({
    body: Fields.shape.body.nullable(),
    keyword: Fields.shape.keyword.nullable(),
    keywordMode: Fields.shape.keywordMode.nullable(),
    slug: Fields.shape.slug.nullable(),
    degradedAboveMs: Fields.shape.degradedAboveMs.nullable(),
    status: z.enum(STATUSES),
    certDaysLeft: z.number().nullable().describe("Whole days until the certificate of the last check expires; null for plain HTTP or before the first check"),
    lastCheckedAt: z.string().nullable(),
    lastLatencyMs: z.number().nullable(),
    lastError: z.string().nullable(),
    openIncidentId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
export type Info = z.infer<typeof Info>;

export interface LastCheck {
  at: number;
  ok: boolean;
  latencyMs: number;
  message?: string | null;
  certDaysLeft?: number | null;
}

export function status(m: Pick<MonitorItem, "paused" | "state" | "openIncidentId">): Info["status"] {
  if (m.paused) return "paused";
  if (m.openIncidentId) return "down";
  return m.state;
}

export function toInfo(m: MonitorItem, last?: LastCheck): Info {
  return {
    id: m.monitorId,
    name: m.name,
    url: m.url,
    method: m.method,
    headers: (m.headers as Record<string, string> | undefined) ?? {},
    body: m.body ?? null,
    expectedStatus: m.expectedStatus,
    timeoutMs: m.timeoutMs,
    intervalSec: m.intervalSec,
    keyword: m.keyword ?? null,
    keywordMode: m.keyword ? (m.keywordMode ?? "contains") : null,
    failureThreshold: m.failureThreshold,
    recoveryThreshold: m.recoveryThreshold,
    retryIntervalSec: m.retryIntervalSec,
    paused: m.paused,
    slug: m.slug ?? null,
    alertEmails: m.alertEmails,
    channelIds: m.channelIds ?? [],
    remindEveryMin: m.remindEveryMin ?? 0,
    escalateAfterMin: m.escalateAfterMin ?? 0,
    escalationChannelIds: m.escalationChannelIds ?? [],
    assertions: m.assertions ?? [],
    degradedAboveMs: m.degradedAboveMs ?? null,
    degradedAfterChecks: m.degradedAfterChecks ?? DEFAULT_DEGRADED_AFTER_CHECKS,
    degradedAlert: m.degradedAlert ?? true,
    certExpiryDays: m.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS,
    status: status(m),
    certDaysLeft: last?.certDaysLeft ?? null,
    lastCheckedAt: last ? new Date(last.at).toISOString() : null,
    lastLatencyMs: last ? last.latencyMs : null,
    lastError: last && !last.ok ? (last.message ?? "check failed") : null,
    openIncidentId: m.openIncidentId ?? null,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

