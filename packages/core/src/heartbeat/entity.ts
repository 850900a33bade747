import { Entity } from "electrodb";
import { bindToTable, entityOptions } from "../platform/table";

export const PING_KINDS = ["success", "start", "fail"] as const;
export type PingKind = (typeof PING_KINDS)[number];

/**
 * A heartbeat's live state, keyed by its ping token so a ping finds it without an index: what the
 * schedule expects next, the deadline (expected time + grace, or start + grace while a run is
 * reported started), the last pings and the per-token rate counter. The schedule is copied here
 * from the monitor so a ping never reads the monitor. The item sits in the `due` index under the
 * minute of its deadline (layout: schedule/due-index.ts), so the tick reads only what is overdue.
 */
export const HeartbeatEntity = bindToTable(
  new Entity(
    {
      model: { entity: "heartbeat", version: "1", service: "uptime" },
      attributes: {
        pingToken: { type: "string", required: true },
        monitorId: { type: "string", required: true },
        ownerId: { type: "string", required: true },
        periodSec: { type: "number" },
        cron: { type: "string" },
        timeZone: { type: "string" },
        graceSec: { type: "number", required: true },
        paused: { type: "boolean", required: true },
        /** Epoch ms: when the next ping is expected, and when it is late (expected + grace, or started + grace). */
        expectedAt: { type: "number", required: true },
        deadline: { type: "number", required: true },
        dueBucket: { type: "string", required: true },
        dueSk: { type: "string", required: true },
        /** False until the first good ping, and after a missed deadline or a failure ping: the next good ping settles a recovery. */
        healthy: { type: "boolean", required: true },
        lastPingAt: { type: "number" },
        lastPingKind: { type: PING_KINDS },
        lastSuccessAt: { type: "number" },
        /** A run reported by /start and not finished yet. */
        startedAt: { type: "number" },
        /** The deadline the tick last found passed, and whether a started run was what it waited for. */
        missedAt: { type: "number" },
        missedStart: { type: "boolean" },
        /** Pings taken in the clock minute `rateMinute` (epoch minutes). */
        rateMinute: { type: "number" },
        rateCount: { type: "number" },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one heartbeat by its ping token
        byToken: { pk: { field: "pk", composite: ["pingToken"] }, sk: { field: "sk", composite: [] } },
        // heartbeats whose deadline falls in one minute (schedule/due-index.ts)
        due: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["dueBucket"] },
          sk: { field: "gsi2sk", composite: ["dueSk", "pingToken"] },
        },
      },
    },
    entityOptions(),
  ),
);
export type HeartbeatItem = NonNullable<Awaited<ReturnType<ReturnType<typeof HeartbeatEntity.get>["go"]>>["data"]>;

/** One ping as received, with its log: the heartbeat's history. Expires with the check results. */
export const HeartbeatPingEntity = bindToTable(
  new Entity(
    {
      model: { entity: "heartbeatPing", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        at: { type: "number", required: true },
        pingId: { type: "string", required: true },
        kind: { type: PING_KINDS, required: true },
        exitCode: { type: "number" },
        /** From the /start that this ping finished. */
        durationMs: { type: "number" },
        method: { type: "string", required: true },
        /** The request body, cut to HEARTBEAT_LOG_BYTES. */
        log: { type: "string" },
        logTruncated: { type: "boolean" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // a heartbeat's pings, by time
        byMonitor: { pk: { field: "pk", composite: ["monitorId"] }, sk: { field: "sk", composite: ["at", "pingId"] } },
      },
    },
    entityOptions(),
  ),
);
export type HeartbeatPingItem = NonNullable<Awaited<ReturnType<ReturnType<typeof HeartbeatPingEntity.get>["go"]>>["data"]>;
