import { z } from "zod";
import type { MonitorItem } from "./entity";
import { Fields, STATUSES } from "./fields";
import { HeartbeatInfo, heartbeatInfo } from "../heartbeat/view";

/** A monitor as the API shows it: settings left unset read as null, plus its live status. */
export const Info = z
  .object({ id: z.string() })
  .extend(Fields.shape)
  .extend({
    body: Fields.shape.body.nullable(),
    keyword: Fields.shape.keyword.nullable(),
    keywordMode: Fields.shape.keywordMode.nullable(),
    slug: Fields.shape.slug.nullable(),
    type: z.enum(["http", "heartbeat"]),
    heartbeat: HeartbeatInfo.nullable().describe("A heartbeat monitor's ping URL and schedule; null for other types"),
    status: z.enum(STATUSES),
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
    type: m.type === "heartbeat" ? "heartbeat" : "http",
    heartbeat: heartbeatInfo(m),
    status: status(m),
    lastCheckedAt: last ? new Date(last.at).toISOString() : null,
    lastLatencyMs: last ? last.latencyMs : null,
    lastError: last && !last.ok ? (last.message ?? "check failed") : null,
    openIncidentId: m.openIncidentId ?? null,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

