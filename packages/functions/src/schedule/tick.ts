import type { ScheduledEvent } from "aws-lambda";
import { Tick } from "@uptime/core/schedule/tick";

/** EventBridge rate(1 minute): fan the monitors due in the next window (and the event's, if not yet done) into the checks queue. */
export const handler = async (event: Pick<ScheduledEvent, "time">) => {
  // The windows come from the event's scheduled time, not the clock: a late or repeated
  // delivery names the same windows and is skipped by the tick claims.
  const { own, next } = await Tick.onSchedule(new Date(event.time));
  console.log(JSON.stringify({ msg: "tick", ...own }));
  if (next) console.log(JSON.stringify({ msg: "tick ahead", ...next }));
  return next ?? own;
};
