import { z } from "zod";

/*
 * What a monitor is, as stored and shown: its types, states and fields. Kept apart from the input
 * rules (fields.ts), which bring the assertion parser and the cron schedule with them, so modules
 * that only read monitors (entity, views, jobs, alerts) stay out of their bundles and cold start.
 */

export const INTERVALS = [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const KEYWORD_MODES = ["contains", "not-contains"] as const;
/** The live state stored on a monitor; degraded: up, but slower than degradedAboveMs (check/rules.ts). */
export const STATES = ["pending", "up", "down", "degraded"] as const;
/** The status shown for a monitor: its state, or paused. */
export const STATUSES = ["up", "down", "pending", "paused", "degraded"] as const;
/** Days before a certificate expires at which its monitor warns, when not set. */
export const DEFAULT_CERT_EXPIRY_DAYS = [30, 14, 7, 1];
export const DEFAULT_DEGRADED_AFTER_CHECKS = 3;

/**
 * What a monitor checks. Stored monitors without a `type` are HTTP monitors (they predate the
 * field), so reads treat an absent type as "http" and nothing is migrated. Heartbeat (push)
 * monitors add their own variant.
 */
export const MONITOR_TYPES = ["http", "tcp", "dns", "heartbeat"] as const;
export type MonitorType = (typeof MONITOR_TYPES)[number];
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SOA"] as const;
/** How a DNS answer is compared with `expectedValues`: all of them present, any one of them, or none. */
export const DNS_MATCH_MODES = ["any", "all", "none"] as const;

/** The type a stored monitor has: items written before types existed are HTTP monitors. */
export const typeOf = (m: { type?: MonitorType | null }): MonitorType => m.type ?? "http";

/**
 * A monitor's settings, as stored and shown: every field once. `CommonFields` are shared by every
 * type; each type adds its own variant, and `Fields` is their union on `type`. The API's input
 * rules are in the `*Rules` objects below; the view, the queued job's snapshot and the probe
 * request pick from these objects.
 */
export const CommonFields = z.object({
  name: z.string(),
  timeoutMs: z.number(),
  intervalSec: z.number(),
  failureThreshold: z.number(),
  recoveryThreshold: z.number(),
  retryIntervalSec: z.number(),
  paused: z.boolean(),
  slug: z.string(),
  alertEmails: z.array(z.string()),
  channelIds: z.array(z.string()),
  /** Minutes between reminders while the monitor stays down and nobody acknowledged; 0: no reminders. */
  remindEveryMin: z.number(),
  /** Minutes after which an unacknowledged incident also goes to escalationChannelIds; 0: no escalation. */
  escalateAfterMin: z.number(),
  escalationChannelIds: z.array(z.string()),
  /** A passing check slower than this counts as slow; absent: never degraded. */
  degradedAboveMs: z.number(),
  /** Consecutive slow checks that make the monitor degraded. */
  degradedAfterChecks: z.number(),
  /** Whether turning degraded alerts the monitor's emails and channels. */
  degradedAlert: z.boolean(),
});
export type CommonFields = z.infer<typeof CommonFields>;

export const HttpFields = z.object({
  type: z.literal("http"),
  url: z.string(),
  method: z.enum(METHODS),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  /** Exact codes ("200") or inclusive ranges ("200-299"). */
  expectedStatus: z.array(z.string()),
  keyword: z.string(),
  keywordMode: z.enum(KEYWORD_MODES),
  /** Expressions the response must satisfy (check/assertions.ts); a failed one fails the check. */
  assertions: z.array(z.string()),
  /** Days before the certificate's expiry at which to warn, once each per certificate. */
  certExpiryDays: z.array(z.number()),
});
export type HttpFields = z.infer<typeof HttpFields>;

export const TcpFields = z.object({
  type: z.literal("tcp"),
  host: z.string(),
  port: z.number(),
  /** Connect with TLS (the certificate is verified and its days left recorded, as for HTTPS). */
  tls: z.boolean(),
  /** Sent once connected. */
  send: z.string(),
  /** A substring the reply must contain; without it, connecting is enough. */
  expectReply: z.string(),
  /** With tls: days before the certificate's expiry at which to warn, as for HTTPS. */
  certExpiryDays: z.array(z.number()),
});
export type TcpFields = z.infer<typeof TcpFields>;

export const DnsFields = z.object({
  type: z.literal("dns"),
  recordName: z.string(),
  recordType: z.enum(DNS_RECORD_TYPES),
  /** An IP address, optionally with a port ("1.1.1.1", "[2606:4700::1111]:53"); absent: the platform's resolver. */
  resolver: z.string(),
  expectedValues: z.array(z.string()),
  match: z.enum(DNS_MATCH_MODES),
  /** A check whose answer differs from the last one seen fails once (and the new answer becomes the last seen). */
  alertOnChange: z.boolean(),
});
export type DnsFields = z.infer<typeof DnsFields>;

/**
 * A heartbeat (push) monitor: nothing is probed, its jobs pings (heartbeat/*). It keeps the common
 * settings and stores placeholders for the HTTP ones it has no use for (heartbeat/fields.ts).
 */
export const HeartbeatFields = z.object({
  type: z.literal("heartbeat"),
  periodSec: z.number(),
  cron: z.string(),
  timeZone: z.string(),
  graceSec: z.number(),
});
export type HeartbeatFields = z.infer<typeof HeartbeatFields>;

export const Fields = z.discriminatedUnion("type", [
  CommonFields.extend(HttpFields.shape),
  CommonFields.extend(TcpFields.shape),
  CommonFields.extend(DnsFields.shape),
  CommonFields.extend(HeartbeatFields.shape),
]);
export type Fields = z.infer<typeof Fields>;

/** Public status page addresses (/status/{slug}): one namespace for monitors' and organisations' pages. */
export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, "3-64 characters: lowercase letters, digits and inner hyphens");

/** What mails and channel messages call a monitor's target: a URL, or (TCP, DNS) just the target. */
export const targetLabel = (target: string) => (/^https?:\/\//i.test(target) ? "URL" : /^heartbeat\b/.test(target) ? "Schedule" : "Target");
