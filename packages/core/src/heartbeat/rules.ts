export * as HeartbeatRules from "./rules";

import type { PingKind } from "./entity";
import { scheduleOf } from "./fields";
import { nextExpected } from "./schedule";

/**
 * What a ping or a passed deadline does to a heartbeat, as pure functions of its state: heartbeat.ts
 * reads, asks these, and writes what they name in one conditional update.
 */

/** What the rules read of a heartbeat item (entity.ts). */
export interface State {
  periodSec?: number;
  cron?: string;
  timeZone?: string;
  graceSec: number;
  paused: boolean;
  expectedAt: number;
  deadline: number;
  healthy: boolean;
  startedAt?: number;
  rateMinute?: number;
  rateCount?: number;
}

export interface Ping {
  kind: PingKind;
  at: number;
}

/** The fields a decision changes; `startedAt: undefined` removes it. */
export interface Change {
  expectedAt: number;
  deadline: number;
  healthy: boolean;
  startedAt?: number;
}

export type PingDecision =
  | { refused: true; retryAfterSec: number }
  | {
      refused: false;
      change: Change;
      rate: { rateMinute: number; rateCount: number };
      /** How long the run took, when this ping finished one reported by /start. */
      durationMs?: number;
      /**
       * Whether the checker must settle a result: "up" for a good ping of a heartbeat that was
       * not healthy (first ping, or after a miss or failure), "down" for a failure ping.
       */
      settle?: "up" | "down";
    };

/** A /start older than this is not the run a finish belongs to (no duration is shown). */
const RUN_MAX_MS = 7 * 86400_000;

/** One ping: counted against the token's minute budget, then moves the schedule on. */
export function onPing(s: State, ping: Ping, perMinute: number): PingDecision {
  const minute = Math.floor(ping.at / 60_000);
  const sameMinute = s.rateMinute === minute;
  if (sameMinute && (s.rateCount ?? 0) >= perMinute) return { refused: true, retryAfterSec: Math.max(1, Math.ceil(((minute + 1) * 60_000 - ping.at) / 1000)) };
  const rate = { rateMinute: minute, rateCount: sameMinute ? (s.rateCount ?? 0) + 1 : 1 };
  const graceMs = s.graceSec * 1000;

  if (ping.kind === "start") {
    // The run must report its end within the grace time; the next scheduled expectation stays.
    return { refused: false, rate, change: { expectedAt: s.expectedAt, deadline: ping.at + graceMs, healthy: s.healthy, startedAt: ping.at } };
  }
  const durationMs = s.startedAt !== undefined && ping.at >= s.startedAt && ping.at - s.startedAt <= RUN_MAX_MS ? ping.at - s.startedAt : undefined;
  const expectedAt = nextExpected(scheduleOf(s), ping.at);
  const change: Change = { expectedAt, deadline: expectedAt + graceMs, healthy: ping.kind === "success" };
  const settle = ping.kind === "fail" ? "down" : s.healthy ? undefined : "up";
  return { refused: false, rate, change, ...(durationMs !== undefined && { durationMs }), ...(settle && !s.paused && { settle }) };
}

/**
 * The deadline passed with no ping (or a started run never finished): the heartbeat is marked
 * unhealthy and its next deadline set, always after `now`, so a late tick cannot file it in a
 * minute already swept. The checker then records the miss like any failed check.
 */
export function onOverdue(s: State, now: number): Change & { missedAt: number; missedStart: boolean } {
  const graceMs = s.graceSec * 1000;
  // A period keeps its phase (the next expectation is whole periods on), a cron its calendar.
  const expectedAt =
    s.periodSec !== undefined
      ? s.expectedAt + Math.max(1, Math.floor((now - graceMs - s.expectedAt) / (s.periodSec * 1000)) + 1) * s.periodSec * 1000
      : nextExpected(scheduleOf(s), Math.max(s.expectedAt, now - graceMs));
  return { expectedAt, deadline: expectedAt + graceMs, healthy: false, startedAt: undefined, missedAt: s.deadline, missedStart: s.startedAt !== undefined };
}

/** The armed state of a new (or resumed, or rescheduled) heartbeat: the first ping is expected by the schedule from now. */
export function armed(s: Pick<State, "periodSec" | "cron" | "timeZone" | "graceSec">, now: number): Pick<Change, "expectedAt" | "deadline"> {
  const expectedAt = nextExpected(scheduleOf(s), now);
  return { expectedAt, deadline: expectedAt + s.graceSec * 1000 };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The failure the checker records for a missed deadline. */
export function missedMessage(s: { missedStart?: boolean; lastPingAt?: number; graceSec: number }, deadline: number): string {
  if (s.missedStart) return `started but did not finish within the ${s.graceSec} s grace time (deadline ${iso(deadline)})`;
  return `no ping by ${iso(deadline)}${s.lastPingAt ? `; last ping ${iso(s.lastPingAt)}` : "; never pinged"}`;
}
