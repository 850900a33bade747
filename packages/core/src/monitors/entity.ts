import { Entity } from "electrodb";
import { lazyEntity, entityOptions } from "../platform/table";
import { DNS_MATCH_MODES, DNS_RECORD_TYPES, KEYWORD_MODES, METHODS, MONITOR_TYPES, STATES } from "./shape";

export const MonitorEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "monitor", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        ownerId: { type: "string", required: true },
        name: { type: "string", required: true },
        // absent on monitors stored before types existed: those are HTTP monitors (fields.ts typeOf)
        type: { type: MONITOR_TYPES },
        // HTTP (every stored HTTP monitor has url, method and expectedStatus)
        url: { type: "string" },
        method: { type: METHODS },
        headers: { type: "any" },
        body: { type: "string" },
        expectedStatus: { type: "list", items: { type: "string" } },
        timeoutMs: { type: "number", required: true },
        intervalSec: { type: "number", required: true },
        keyword: { type: "string" },
        keywordMode: { type: KEYWORD_MODES },
        // TCP
        host: { type: "string" },
        port: { type: "number" },
        tls: { type: "boolean" },
        send: { type: "string" },
        expectReply: { type: "string" },
        // DNS
        recordName: { type: "string" },
        recordType: { type: DNS_RECORD_TYPES },
        resolver: { type: "string" },
        expectedValues: { type: "list", items: { type: "string" } },
        match: { type: DNS_MATCH_MODES },
        alertOnChange: { type: "boolean" },
        /** The answer a DNS monitor with alertOnChange saw last (sorted values, joined); written only when it changes. */
        lastAnswer: { type: "string" },
        failureThreshold: { type: "number", required: true },
        recoveryThreshold: { type: "number", required: true },
        retryIntervalSec: { type: "number", required: true },
        paused: { type: "boolean", required: true, default: false },
        slug: { type: "string" },
        alertEmails: { type: "list", items: { type: "string" }, required: true },
        channelIds: { type: "list", items: { type: "string" } },
        remindEveryMin: { type: "number" },
        escalateAfterMin: { type: "number" },
        escalationChannelIds: { type: "list", items: { type: "string" } },
        assertions: { type: "list", items: { type: "string" } },
        degradedAboveMs: { type: "number" },
        degradedAfterChecks: { type: "number" },
        degradedAlert: { type: "boolean" },
        certExpiryDays: { type: "list", items: { type: "number" } },
        /** The last certificate warning sent (check/cert-expiry.ts): travels in job snapshots so later checks skip it. */
        certWarned: { type: "string" },
        // Heartbeat monitors (heartbeat/*): their schedule, grace and ping token; the live state is on the heartbeat item.
        periodSec: { type: "number" },
        cron: { type: "string" },
        timeZone: { type: "string" },
        graceSec: { type: "number" },
        pingToken: { type: "string" },
        offsetSec: { type: "number", required: true },
        /** Where its results are stored, for life (monitors/cohort.ts); absent on monitors created before cohorts: one item per check. */
        cohort: { type: "string" },
        dueBucket: { type: "string", required: true },
        dueSk: { type: "string", required: true },
        // Live state, written only on transitions (never per successful check).
        state: { type: STATES, required: true, default: "pending" },
        openIncidentId: { type: "string" },
        stateChangedAt: { type: "number" },
        /** Epoch ms: scheduled maintenance mutes the monitor's incidents and alerts until then (status-pages/muting.ts). */
        maintenanceUntil: { type: "number" },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one monitor
        byId: { pk: { field: "pk", composite: ["monitorId"] }, sk: { field: "sk", composite: [] } },
        // a user's monitors, oldest first
        byOwner: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["ownerId"] },
          sk: { field: "gsi1sk", composite: ["createdAt", "monitorId"] },
        },
        // monitors due in a scheduler window (layout and queries: schedule/due-index.ts)
        due: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["dueBucket"] },
          sk: { field: "gsi2sk", composite: ["dueSk", "monitorId"] },
        },
      },
    },
    entityOptions(),
  ),
);

/**
 * Monitors per account: a counter updated with a condition, so concurrent creates cannot overshoot.
 * `changedAt` is when a create or delete last began to change it; a counter left wrong by a killed
 * request is recounted only once no request can still be in flight (monitor.ts).
 */
export const MonitorQuotaEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "monitorQuota", version: "1", service: "uptime" },
      attributes: {
        ownerId: { type: "string", required: true },
        count: { type: "number", required: true, default: 0 },
        changedAt: { type: "number" },
      },
      indexes: {
        // the monitor count of one account
        byOwner: { pk: { field: "pk", composite: ["ownerId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

/**
 * Public status page slugs are unique across the system: one claim item per slug, naming either
 * a monitor (its per-monitor page) or an organisation's status page, so /status/{slug} is unambiguous.
 */
export const SlugClaimEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "slugClaim", version: "1", service: "uptime" },
      attributes: {
        slug: { type: "string", required: true },
        monitorId: { type: "string" },
        pageId: { type: "string" },
        // epoch ms; claims written before this attribute existed have none
        claimedAt: { type: "number" },
      },
      indexes: {
        // which monitor or status page a public slug belongs to
        bySlug: { pk: { field: "pk", composite: ["slug"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export type MonitorItem = NonNullable<Awaited<ReturnType<ReturnType<typeof MonitorEntity.get>["go"]>>["data"]>;

