export * as HeartbeatPing from "./ping";

import { randomBytes } from "node:crypto";
import { Checker } from "../check/checker";
import { CheckJob } from "../check/check-job";
import { MonitorRead } from "../monitors/read";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { heartbeatKeys } from "../schedule/due-index";
import { HeartbeatEntity, HeartbeatLogEntity, type HeartbeatItem, type PingKind } from "./entity";
import { newLogId, withPing, type PingEntry } from "./recent";
import { onPing, type PingDecision } from "./rules";

/** A ping's request body is kept as its log up to this many bytes (the rest is cut). */
export const LOG_BYTES = 10 * 1024;

export interface Ping {
  kind: PingKind;
  /** From /ping/{token}/{exit-code}: 0 is a success, anything else a failure. */
  exitCode?: number;
  method: string;
  body?: string;
}

export interface Received {
  kind: PingKind;
  durationMs?: number;
}

type Accepted = Extract<PingDecision, { refused: false }>;

/**
 * Tokens refused in this container, until the end of the clock minute that refused them: the count
 * only grows within a minute, so every later ping in it is refused too, and a job pinging in a loop
 * costs one read per container per minute instead of one per ping. Cleared whole when it grows big.
 */
const refusedUntil = new Map<string, number>();
const REFUSED_MAX = 10_000;

const tooMany = (retryAfterSec: number) =>
  new VisibleError("rate_limited", "too_many_pings", `At most ${config().HEARTBEAT_PINGS_PER_MINUTE} pings per minute per heartbeat`, undefined, retryAfterSec);

/**
 * One ping: one eventually consistent read of the heartbeat by its token and one conditional write
 * of that item, which takes a unit of the token's per-minute budget, moves the deadline in the
 * `due` index (so the tick never reads a heartbeat that pings on time) and puts the ping first in
 * its list of last pings. The condition is the version read, so two pings at once cannot both
 * count as the same budget unit or lose each other's deadline or entry: the loser reads again.
 * A body is the one more write, of its log (paid by its size, once). Only a change of health (a
 * first or recovering good ping, a failure) goes on through the checker's rules to open or
 * resolve incidents.
 *
 * Why the read stays: the next deadline depends on the schedule (a cron expression in a time zone)
 * and its place in the index is a string key; DynamoDB can compute neither in an update, so the
 * function must know the heartbeat before it writes. The read is the cheapest part (0.5 read
 * units, a tenth of the write's price).
 */
export async function receive(pingToken: string, ping: Ping, now = Date.now()): Promise<Received> {
  const until = refusedUntil.get(pingToken);
  if (until !== undefined && now < until) throw tooMany(Math.max(1, Math.ceil((until - now) / 1000)));
  let state: HeartbeatItem | undefined;
  let decision: Accepted | undefined;
  const body = ping.body ? cut(ping.body) : undefined;
  // Written after the heartbeat, so a refused ping stores nothing; an entry whose log write was lost reads as no log.
  // The tag tells apart two logs of one heartbeat in the same millisecond.
  const log = body && { ...body, id: newLogId(now, randomBytes(1).toString("hex")) };
  for (let attempt = 0; attempt < 4 && !decision; attempt++) {
    // A first try reads eventually consistent (half the cost); after a lost race, the truth.
    state = (await HeartbeatEntity.get({ pingToken }).go({ consistent: attempt > 0 })).data ?? undefined;
    if (!state) throw notFound("Heartbeat");
    const d = onPing(state, { kind: ping.kind, at: now }, config().HEARTBEAT_PINGS_PER_MINUTE);
    if (d.refused) {
      if (refusedUntil.size >= REFUSED_MAX) refusedUntil.clear();
      refusedUntil.set(pingToken, (Math.floor(now / 60_000) + 1) * 60_000);
      throw tooMany(d.retryAfterSec);
    }
    const entry: PingEntry = {
      at: now,
      kind: ping.kind,
      method: ping.method,
      ...(ping.exitCode !== undefined && { exitCode: ping.exitCode }),
      ...(d.durationMs !== undefined && { durationMs: d.durationMs }),
      ...(log && { logId: log.id }),
    };
    if (await write(state, entry, d, now)) decision = d;
  }
  if (!decision || !state) throw new VisibleError("conflict", "busy", "Too many pings at once for this heartbeat; try again");
  if (log) {
    await HeartbeatLogEntity.put({
      monitorId: state.monitorId,
      logId: log.id,
      log: log.text,
      ...(log.truncated && { truncated: true }),
      expiresAt: Math.floor(now / 1000) + config().RESULT_RETENTION_DAYS * 86400,
    }).go({ response: "none" });
  }

  if (decision.settle) await settle(state.monitorId, decision.settle, ping, decision.durationMs, now);
  return { kind: ping.kind, ...(decision.durationMs !== undefined && { durationMs: decision.durationMs }) };
}

async function write(s: HeartbeatItem, entry: PingEntry, d: Accepted, now: number): Promise<boolean> {
  const { change } = d;
  let op = HeartbeatEntity.patch({ pingToken: s.pingToken }).set({
    ...d.rate,
    expectedAt: change.expectedAt,
    deadline: change.deadline,
    ...heartbeatKeys(change.deadline, s.paused),
    healthy: change.healthy,
    lastPingAt: now,
    pings: withPing(s.pings, entry),
    ...(change.startedAt !== undefined && { startedAt: change.startedAt }),
    updatedAt: Math.max(now, s.updatedAt + 1),
  });
  if (change.startedAt === undefined && s.startedAt !== undefined) op = op.remove(["startedAt"]);
  try {
    await op.where((a, o) => o.eq(a.updatedAt, s.updatedAt)).go({ response: "none" });
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** Cuts a body to LOG_BYTES without splitting a UTF-8 character. */
export function cut(body: string): { text: string; truncated: boolean } {
  const bytes = Buffer.from(body, "utf8");
  if (bytes.length <= LOG_BYTES) return { text: body, truncated: false };
  return { text: bytes.subarray(0, LOG_BYTES).toString("utf8").replace(/\uFFFD$/, ""), truncated: true };
}

/** A change of health goes through the same rules, incidents and alerts as any check result. */
async function settle(monitorId: string, to: "up" | "down", ping: Ping, durationMs: number | undefined, now: number) {
  const monitor = await MonitorRead.get(monitorId);
  if (!monitor || monitor.paused) return;
  const message = to === "up" ? "ping received" : ping.exitCode !== undefined ? `the job reported failure (exit code ${ping.exitCode})` : "the job reported failure";
  await Checker.settle(
    { monitor: CheckJob.snapshotOf(monitor), dueAt: now, kind: "scheduled" },
    {
      outcome: { ok: to === "up", ...(to === "down" && { reason: "error" as const }), message, latencyMs: durationMs ?? 0, redirects: 0, finalUrl: "" },
      checkedAt: now,
    },
  );
}
