import type { ProbeOutcome } from "../check/probe-types";
import { HeartbeatEntity } from "./entity";
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
