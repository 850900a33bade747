export * as Heartbeat from "./heartbeat";

import { randomBytes } from "node:crypto";
import { heartbeatKeys } from "../schedule/due-index";
import { HeartbeatEntity, HeartbeatLogEntity, type HeartbeatItem } from "./entity";
import { decode, type PingEntry } from "./recent";
import { DEFAULT_GRACE_SEC, HTTP_ONLY, HeartbeatSettings, refineSettings, scheduleOf, type Stored } from "./fields";
import { VisibleError } from "../platform/errors";
import { armed } from "./rules";

export * from "./entity";
export * from "./fields";
export * from "./view";

/** 144 random bits, URL-safe: the ping URL is the only credential a heartbeat has. */
export const newToken = () => randomBytes(18).toString("base64url");

/** What the monitor item holds of its heartbeat. */
export interface MonitorPart extends Stored {
  monitorId: string;
  ownerId: string;
  pingToken: string;
  paused: boolean;
}

/** Creates the heartbeat's state for a new monitor: its first ping is due by the schedule from now. */
export async function arm(m: MonitorPart, now = Date.now()) {
  const due = armed(m, now);
  await HeartbeatEntity.create({
    pingToken: m.pingToken,
    monitorId: m.monitorId,
    ...scheduleFields(m),
    graceSec: m.graceSec,
    paused: m.paused,
    ...due,
    ...heartbeatKeys(due.deadline, m.paused),
    healthy: false,
    updatedAt: now,
  }).go({ response: "none" });
}

const scheduleFields = (m: Stored) => (m.cron !== undefined ? { cron: m.cron, timeZone: m.timeZone } : { periodSec: m.periodSec });

/**
 * After the monitor's schedule, grace or pause changed: copies them over and re-arms the deadline
 * from now. `updatedAt` moves, so a ping that read the old settings retries with the new ones.
 */
export async function reconfigure(m: MonitorPart, now = Date.now()) {
  const due = armed(m, now);
  const op = HeartbeatEntity.patch({ pingToken: m.pingToken }).set({
    ...scheduleFields(m),
    graceSec: m.graceSec,
    paused: m.paused,
    ...due,
    ...heartbeatKeys(due.deadline, m.paused),
    updatedAt: now,
  });
  await (m.cron !== undefined ? op.remove(["periodSec", "startedAt"]) : op.remove(["cron", "timeZone", "startedAt"])).go({ response: "none" });
}

export async function disarm(pingToken: string) {
  await HeartbeatEntity.delete({ pingToken }).go({ response: "none" });
}

export async function state(pingToken: string): Promise<HeartbeatItem | undefined> {
  const { data } = await HeartbeatEntity.get({ pingToken }).go({ consistent: true });
  return data ?? undefined;
}

export type PingWithLog = Omit<PingEntry, "logId"> & { log?: string; logTruncated?: boolean };

// a heartbeat's last pings (newest first, from its own item) with their logs, read by key
export async function pings(state: { monitorId: string; pings?: string[] }): Promise<PingWithLog[]> {
  const entries: PingEntry[] = (state.pings ?? []).map(decode);
  const keys = entries.flatMap((e) => (e.logId ? [{ monitorId: state.monitorId, logId: e.logId }] : []));
  const logs = new Map<string, { log: string; logTruncated?: boolean }>();
  if (keys.length) for (const l of (await HeartbeatLogEntity.get(keys).go()).data) logs.set(l.logId, { log: l.log, ...(l.truncated && { logTruncated: true }) });
  return entries.map(({ logId, ...e }) => ({ ...e, ...(logId && logs.get(logId)) }));
}


const invalid = (path: string, message: string) => new VisibleError("invalid", "validation_error", "Request is invalid", [{ path, message, code: "custom" }]);

/**
 * A PATCH of a monitor, checked against its type: heartbeat settings only on a heartbeat, HTTP request
 * settings never on one. For a heartbeat, the settings it will store and whether its schedule changed
 * (undefined for an HTTP monitor).
 */
export function checkUpdate(
  current: { type?: string } & Partial<Stored>,
  u: Partial<HeartbeatSettings> & Record<string, unknown>,
): { settings: Stored; changed: boolean } | undefined {
  const own = (Object.keys(HeartbeatSettings.shape) as (keyof HeartbeatSettings)[]).filter((k) => u[k] !== undefined);
  if (current.type !== "heartbeat") {
    if (own.length) throw invalid(own[0], "only applies to a heartbeat monitor");
    return undefined;
  }
  const foreign = HTTP_ONLY.find((k) => u[k] !== undefined);
  if (foreign) throw invalid(foreign, "does not apply to a heartbeat monitor");
  const next: HeartbeatSettings =
    u.cron !== undefined
      ? { cron: u.cron, timeZone: u.timeZone ?? current.timeZone ?? "UTC" }
      : u.periodSec !== undefined
        ? { periodSec: u.periodSec, ...(u.timeZone !== undefined && { timeZone: u.timeZone }) }
        : current.cron !== undefined
          ? { cron: current.cron, timeZone: u.timeZone ?? current.timeZone ?? "UTC" }
          : { periodSec: current.periodSec, ...(u.timeZone !== undefined && { timeZone: u.timeZone }) };
  const checked = HeartbeatSettings.superRefine(refineSettings).safeParse({ ...next, graceSec: u.graceSec ?? current.graceSec });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw invalid(String(issue.path[0] ?? "periodSec"), issue.message);
  }
  const settings: Stored = {
    ...(checked.data.cron !== undefined ? { cron: checked.data.cron, timeZone: checked.data.timeZone ?? "UTC" } : { periodSec: checked.data.periodSec }),
    graceSec: checked.data.graceSec ?? DEFAULT_GRACE_SEC,
  };
  const changed = settings.periodSec !== current.periodSec || settings.cron !== current.cron || settings.timeZone !== current.timeZone || settings.graceSec !== current.graceSec;
  return { settings, changed };
}
