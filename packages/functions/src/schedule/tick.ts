import type { ScheduledEvent } from "aws-lambda";
import { Tick } from "@uptime/core/schedule/tick";
import { Telemetry } from "@uptime/core/platform/telemetry";

/** EventBridge rate(1 minute): fan the monitors due in the next window (and the event's, if not yet done) into the checks queue. */
export const handler = async (event: Pick<ScheduledEvent, "time">) =>
  // The window names the correlation id: every line of this tick, and of a repeated delivery, shares it.
  Telemetry.withTelemetry("tick", `tick-${event.time}`, async () => {
    const started = performance.now();
    // The windows come from the event's scheduled time, not the clock: a late or repeated
    // delivery names the same windows and is skipped by the tick claims.
    const { own, next } = await Tick.onSchedule(new Date(event.time));
    Telemetry.metric("TickRan", 1);
    Telemetry.metric("TickDurationMs", performance.now() - started);
    Telemetry.metric("JobsEnqueued", own.jobs + (next?.jobs ?? 0));
    Telemetry.log.info("tick", { ...own });
    if (next) Telemetry.log.info("tick ahead", { ...next });
    return next ?? own;
  });
