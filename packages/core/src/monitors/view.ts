import { z } from "zod";
import type { MonitorItem } from "./entity";
import { CommonFields, DEFAULT_CERT_EXPIRY_DAYS, DEFAULT_DEGRADED_AFTER_CHECKS, DnsFields, HttpFields, STATUSES, TcpFields, typeOf } from "./shape";
import { HeartbeatInfo, heartbeatInfo } from "../heartbeat/view";

export { targetLabel } from "./shape";

/** A monitor as the API shows it: settings left unset read as null, plus its live status. */
const CommonInfo = z
  .object({ id: z.string() })
  .extend(CommonFields.shape)
  .extend({
    slug: CommonFields.shape.slug.nullable(),
    degradedAboveMs: CommonFields.shape.degradedAboveMs.nullable(),
    target: z.string().describe("What is checked, in a few words: the URL, host:port, or the DNS question and resolver."),
    status: z.enum(STATUSES),
    certDaysLeft: z.number().nullable().describe("Whole days until the certificate of the last check expires; null for plain HTTP or before the first check"),
    lastCheckedAt: z.string().nullable(),
    lastLatencyMs: z.number().nullable(),
    lastError: z.string().nullable(),
    openIncidentId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  });

export const HttpInfo = CommonInfo.extend(HttpFields.shape).extend({
  body: HttpFields.shape.body.nullable(),
  keyword: HttpFields.shape.keyword.nullable(),
  keywordMode: HttpFields.shape.keywordMode.nullable(),
});
export const TcpInfo = CommonInfo.extend(TcpFields.shape).extend({
  send: TcpFields.shape.send.nullable(),
  expectReply: TcpFields.shape.expectReply.nullable(),
});
export const DnsInfo = CommonInfo.extend(DnsFields.shape).extend({
  resolver: DnsFields.shape.resolver.nullable(),
});
/**
 * What a heartbeat does not have: nothing probes it, so a timeout, an interval and retry thresholds
 * would be the placeholders it stores (heartbeat/fields.ts HTTP_PLACEHOLDERS), shown as if they meant something.
 */
const PROBE_ONLY = { timeoutMs: true, intervalSec: true, failureThreshold: true, recoveryThreshold: true, retryIntervalSec: true } as const;
export const HeartbeatMonitorInfo = CommonInfo.omit(PROBE_ONLY).extend({
  type: z.literal("heartbeat"),
  heartbeat: HeartbeatInfo.describe("The ping URL and the schedule"),
});
export const Info = z.discriminatedUnion("type", [HttpInfo, TcpInfo, DnsInfo, HeartbeatMonitorInfo]);
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

/** What a monitor checks, in words for lists, mails and channel messages. */
export function targetOf(m: Pick<MonitorItem, "type" | "url" | "host" | "port" | "tls" | "recordName" | "recordType" | "resolver">): string {
  switch (typeOf(m)) {
    case "http":
      return m.url ?? "";
    case "tcp": {
      const host = m.host?.includes(":") ? `[${m.host}]` : m.host;
      return `${host}:${m.port}${m.tls ? " (TLS)" : ""}`;
    }
    case "dns":
      return `${m.recordName} ${m.recordType}${m.resolver ? ` via ${m.resolver}` : ""}`;
    case "heartbeat":
      // Stored as the schedule in words ("heartbeat, at 03:00 every day, Europe/Berlin"): heartbeat/fields.ts
      return m.url ?? "heartbeat";
  }
}

/** `pingUrl: false`: the caller may read the monitor but not change it, so a heartbeat's ping URL (its credential) is left out. */
export function toInfo(m: MonitorItem, last?: LastCheck, opts: { pingUrl: boolean } = { pingUrl: true }): Info {
  const common = {
    id: m.monitorId,
    name: m.name,
    target: targetOf(m),
    timeoutMs: m.timeoutMs,
    intervalSec: m.intervalSec,
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
    degradedAboveMs: m.degradedAboveMs ?? null,
    degradedAfterChecks: m.degradedAfterChecks ?? DEFAULT_DEGRADED_AFTER_CHECKS,
    degradedAlert: m.degradedAlert ?? true,
    status: status(m),
    certDaysLeft: last?.certDaysLeft ?? null,
    lastCheckedAt: last ? new Date(last.at).toISOString() : null,
    lastLatencyMs: last ? last.latencyMs : null,
    lastError: last && !last.ok ? (last.message ?? "check failed") : null,
    openIncidentId: m.openIncidentId ?? null,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
  switch (typeOf(m)) {
    case "http":
      return {
        ...common,
        type: "http",
        url: m.url ?? "",
        method: m.method ?? "GET",
        headers: (m.headers as Record<string, string> | undefined) ?? {},
        body: m.body ?? null,
        expectedStatus: m.expectedStatus ?? [],
        keyword: m.keyword ?? null,
        keywordMode: m.keyword ? (m.keywordMode ?? "contains") : null,
        assertions: m.assertions ?? [],
        certExpiryDays: m.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS,
      };
    case "tcp":
      return {
        ...common,
        type: "tcp",
        host: m.host ?? "",
        port: m.port ?? 0,
        tls: m.tls ?? false,
        send: m.send ?? null,
        expectReply: m.expectReply ?? null,
        certExpiryDays: m.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS,
      };
    case "dns":
      return {
        ...common,
        type: "dns",
        recordName: m.recordName ?? "",
        recordType: m.recordType ?? "A",
        resolver: m.resolver ?? null,
        expectedValues: m.expectedValues ?? [],
        match: m.match ?? "any",
        alertOnChange: m.alertOnChange ?? false,
      };
    case "heartbeat": {
      const own = Object.fromEntries(Object.entries(common).filter(([k]) => !(k in PROBE_ONLY))) as Omit<typeof common, keyof typeof PROBE_ONLY>;
      return { ...own, type: "heartbeat", heartbeat: heartbeatInfo(m, opts)! };
    }
  }
}
