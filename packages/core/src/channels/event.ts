export * as ChannelEvent from "./event";

import { z } from "zod";

/**
 * What every channel is told, version 1: the body of a generic webhook, the `detail` of an
 * EventBridge event, and the source every chat format is rendered from. Documented in
 * docs/alerts.md; fields are only ever added within a version.
 */
export const TYPES = [
  "monitor.down",
  "monitor.recovered",
  "monitor.reminder",
  "monitor.flapping",
  "incident.acknowledged",
  "monitor.degraded",
  "monitor.certificate_expiring",
  "status_page.incident.created",
  "status_page.incident.updated",
  "status_page.incident.resolved",
  "channel.test",
] as const;
export type Type = (typeof TYPES)[number];

export const Monitor = z.object({ id: z.string(), name: z.string(), url: z.string() });
export const Incident = z.object({
  id: z.string(),
  status: z.enum(["open", "resolved"]),
  startedAt: z.string(),
  resolvedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  reason: z.string(),
  message: z.string().nullable(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
});

export const Payload = z.object({
  type: z.enum(TYPES),
  version: z.literal(1),
  /** Unique per (event, channel); a receiver that sees it twice has seen the same event. Also the webhook-id. */
  id: z.string(),
  timestamp: z.string(),
  orgId: z.string(),
  data: z.object({
    monitor: Monitor.optional(),
    incident: Incident.optional(),
    /** monitor.reminder: 1 for the first reminder. */
    reminder: z.number().int().optional(),
    /** monitor.down sent to an escalation channel because nobody acknowledged in time. */
    escalated: z.boolean().optional(),
    /** monitor.flapping: state changes this hour, and when alerts resume. */
    flapping: z.object({ changes: z.number(), until: z.string() }).optional(),
    /** monitor.degraded: the slow streak that made the monitor degraded. */
    degraded: z.object({ since: z.string(), latencyMs: z.number(), aboveMs: z.number(), checks: z.number() }).optional(),
    /** monitor.certificate_expiring: days left, the threshold crossed, and the certificate's expiry when known. */
    certificate: z.object({ daysLeft: z.number(), threshold: z.number(), expiresAt: z.string().nullable() }).optional(),
    /** status_page.incident.*: the posted incident. */
    statusPage: z.object({ pageId: z.string(), incidentId: z.string(), title: z.string(), status: z.string(), message: z.string() }).optional(),
    channel: z.object({ id: z.string(), name: z.string() }).optional(),
    links: z.object({ monitor: z.string().optional(), acknowledge: z.string().optional() }),
  }),
});
export type Payload = z.infer<typeof Payload>;
