import type { ScheduledEvent } from "aws-lambda";
import { Tick } from "@uptime/core/schedule/tick";
import { Telemetry } from "@uptime/core/platform/telemetry";

/** EventBridge rate(1 minute): fan the monitors due in the event's window into the checks queue. */
export const handler = async (event: Pick<ScheduledEvent, "time">) =>
  // The window names the correlation id: every line of this tick, and of a repeated delivery, shares it.
  Telemetry.withTelemetry("tick", `tick-${event.time}`, async () => {
    const started = performance.now();
    // The window comes from the event's scheduled time, not the clock: a late or repeated
    // delivery names the same window and is skipped by the tick claim.
    const report = await Tick.run(new Date(event.time));
    Telemetry.metric("TickRan", 1);
    Telemetry.metric("TickDurationMs", performance.now() - started);
    Telemetry.metric("JobsEnqueued", report.jobs);
    Telemetry.log.info("tick", { ...report });
    return report;
  });
