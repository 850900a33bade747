import type { ScheduledEvent } from "aws-lambda";
import { Tick } from "@uptime/core/schedule/tick";

/** EventBridge rate(1 minute): fan the monitors due in the event's window into the checks queue. */
export const handler = async (event: Pick<ScheduledEvent, "time">) => {
  // The window comes from the event's scheduled time, not the clock: a late or repeated
  // delivery names the same window and is skipped by the tick claim.
  const report = await Tick.run(new Date(event.time));
  console.log(JSON.stringify({ msg: "tick", ...report }));
  return report;
};
