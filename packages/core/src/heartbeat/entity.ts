import { Entity } from "electrodb";
import { lazyEntity, entityOptions } from "../platform/table";

export const PING_KINDS = ["success", "start", "fail"] as const;
export type PingKind = (typeof PING_KINDS)[number];

/**
 * A heartbeat's live state, keyed by its ping token so a ping finds it without an index: what the
 * schedule expects next, the deadline (expected time + grace, or start + grace while a run is
 * reported started), its last pings (recent.ts) and the per-token rate counter. A ping rewrites
 * this one item and nothing else (a log aside), so it stays small: under 1 KB, one write unit.
 * The schedule is copied here from the monitor so a ping never reads the monitor. The item sits in
 * the `due` index under the minute of its deadline (layout: schedule/due-index.ts), so the tick
 * reads only what is overdue.
 */
export const HeartbeatEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "heartbeat", version: "1", service: "uptime" },
      attributes: {
        pingToken: { type: "string", required: true },
        monitorId: { type: "string", required: true },
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
        /** The last RECENT_PINGS pings, newest first, each a short string (recent.ts). */
        pings: { type: "list", items: { type: "string" } },
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

/**
 * The body of a ping, kept as its log. Its own item because it may be 10 KB, and the heartbeat's
 * item is rewritten by every ping (a write is billed by the item's whole size): the log is paid
 * for once, by the ping that sent it. Named by the ping's entry (recent.ts `logId`), expires with
 * the check results.
 */
export const HeartbeatLogEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "heartbeatLog", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        logId: { type: "string", required: true },
        /** The request body, cut to LOG_BYTES (ping.ts). */
        log: { type: "string", required: true },
        truncated: { type: "boolean" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // one log by its ping's entry
        byPing: { pk: { field: "pk", composite: ["monitorId"] }, sk: { field: "sk", composite: ["logId"] } },
      },
    },
    entityOptions(),
  ),
);
