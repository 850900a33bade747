import type { ProbeOutcome } from "../check/probe-types";
import type { Result } from "../check/result";
import { HeartbeatEntity } from "./entity";
import { decode } from "./recent";
import { missedMessage } from "./rules";

/**
 * What the checker "observes" for a heartbeat job: the tick queues one only for a deadline that
 * passed without a ping (heartbeat/sweep.ts), so it is always a failure; the state says why.
 */
export async function observeMissed(pingToken: string, deadline: number): Promise<ProbeOutcome> {
  const { data } = await HeartbeatEntity.get({ pingToken }).go({ consistent: true });
  return {
    ok: false,
    reason: "timeout",
    message: data ? missedMessage(data, deadline) : "heartbeat no longer exists",
    latencyMs: 0,
    redirects: 0,
    finalUrl: "",
  };
}

/** "Check now" of a heartbeat: its last ping, as a result that is shown but not stored. */
export async function lastPingResult(m: { monitorId: string; pingToken?: string }, now: number): Promise<Result> {
  const { data: state } = await HeartbeatEntity.get({ pingToken: m.pingToken! }).go({ consistent: true });
  const last = state?.pings?.[0] === undefined ? undefined : decode(state.pings[0]);
  const base = { monitorId: m.monitorId, kind: "manual" as const, checkedAt: now };
  if (!last) {
    const by = state ? ` (expected by ${new Date(state.deadline).toISOString()})` : "";
    return { ...base, at: now, ok: false, reason: "timeout", message: `no ping received yet${by}`, latencyMs: 0 };
  }
  const ok = last.kind !== "fail" && state?.healthy !== false;
  const what = last.kind === "start" ? "run started" : last.kind === "fail" ? `failure reported${last.exitCode !== undefined ? ` (exit code ${last.exitCode})` : ""}` : "success";
  return {
    ...base,
    at: last.at,
    ok,
    ...(!ok && { reason: last.kind === "fail" ? "error" : "timeout" }),
    message: `last ping: ${what} at ${new Date(last.at).toISOString()}${state && !state.healthy && last.kind !== "fail" ? "; a deadline was missed since" : ""}`,
    latencyMs: last.durationMs ?? 0,
  };
}
