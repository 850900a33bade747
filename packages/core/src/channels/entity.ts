import { Entity, type EntityItem } from "electrodb";
import { lazyEntity, entityOptions } from "../platform/table";

export const CHANNEL_TYPES = ["webhook", "slack", "discord", "teams", "googlechat", "telegram", "ntfy", "pagerduty", "email", "eventbridge"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * A place an organisation's alerts go. Settings that are not secret sit in `settings` (JSON);
 * URLs, tokens and keys only in `sealed`, AES-256-GCM encrypted (secrets.ts), so the table never
 * holds them in plain text. `hint` is the last four characters shown instead of them.
 */
export const ChannelEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "channel", version: "1", service: "uptime" },
      attributes: {
        channelId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        type: { type: CHANNEL_TYPES, required: true },
        name: { type: "string", required: true },
        settings: { type: "string", required: true },
        sealed: { type: "string" },
        hint: { type: "string" },
        isDefault: { type: "boolean", required: true, default: false },
        /** Set when the service said the channel is gone (404/410); cleared by an edit or a successful send. */
        brokenAt: { type: "number" },
        brokenReason: { type: "string" },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one channel
        byId: { pk: { field: "pk", composite: ["channelId"] }, sk: { field: "sk", composite: [] } },
        // an organisation's channels, oldest first
        byOrg: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["orgId"] },
          sk: { field: "gsi1sk", composite: ["createdAt", "channelId"] },
        },
      },
    },
    entityOptions(),
  ),
);
export type ChannelItem = EntityItem<typeof ChannelEntity>;

/**
 * One item per (channel, event): the claim that makes a delivery happen once however often its
 * queue message arrives. `attempt` names the one queue message allowed to act next; `status`
 * moves pending -> sending -> sent | failed (or back to pending for a retry) by conditional writes.
 */
export const DeliveryEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "delivery", version: "1", service: "uptime" },
      attributes: {
        channelId: { type: "string", required: true },
        eventId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        /** The event as the channel receives it (JSON), fixed when the delivery was created. */
        event: { type: "string", required: true },
        status: { type: ["pending", "sending", "sent", "failed", "skipped", "unconfirmed"] as const, required: true },
        attempt: { type: "number", required: true },
        nextAt: { type: "number", required: true },
        firstAt: { type: "number", required: true },
        claimedAt: { type: "number" },
        doneAt: { type: "number" },
        lastStatus: { type: "number" },
        lastError: { type: "string" },
        expiresAt: { type: "number" },
      },
      indexes: {
        // one delivery of one event to one channel
        byKey: { pk: { field: "pk", composite: ["channelId", "eventId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);
export type DeliveryItem = EntityItem<typeof DeliveryEntity>;

/** Every attempt to reach a channel, newest first under the channel; the API shows the last 100, TTL removes the rest. */
export const DeliveryLogEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "deliveryLog", version: "1", service: "uptime" },
      attributes: {
        channelId: { type: "string", required: true },
        at: { type: "number", required: true },
        eventId: { type: "string", required: true },
        eventType: { type: "string", required: true },
        attempt: { type: "number", required: true },
        outcome: { type: ["sent", "retry", "failed", "skipped"] as const, required: true },
        httpStatus: { type: "number" },
        latencyMs: { type: "number" },
        error: { type: "string" },
        /** The start of the service's answer (or, for a local EventBridge event, the event itself). */
        response: { type: "string" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a channel's delivery attempts by time
        byChannel: { pk: { field: "pk", composite: ["channelId"] }, sk: { field: "sk", composite: ["at", "eventId", "attempt"] } },
      },
    },
    entityOptions(),
  ),
);
export type DeliveryLogItem = EntityItem<typeof DeliveryLogEntity>;

/**
 * The tick's agenda of incident follow-ups (reminders, escalation): one partition ordered by time,
 * so each minute is one small query, never a scan of incidents. An entry is removed once acted on
 * or found moot (incident resolved or acknowledged).
 */
export const FollowUpDueEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "followUpDue", version: "1", service: "uptime" },
      attributes: {
        at: { type: "number", required: true },
        incidentId: { type: "string", required: true },
        kind: { type: ["reminder", "escalation"] as const, required: true },
        monitorId: { type: "string", required: true },
      },
      indexes: {
        // incident follow-ups due by a time
        byTime: { pk: { field: "pk", composite: [] }, sk: { field: "sk", composite: ["at", "incidentId", "kind"] } },
      },
    },
    entityOptions(),
  ),
);
