import type { ScheduledEvent } from "aws-lambda";
import { RollupJob } from "@uptime/core/history/rollup-job";

/**
 * Hourly schedule (a few minutes past the hour): roll up every hour that has ended and is not
 * rolled up yet. Driven by the watermark, not the event's time, so a missed or repeated
 * invocation just means the next one has more, or nothing, to do.
 */
export const handler = async (_event?: Pick<ScheduledEvent, "time">) => {
  const report = await RollupJob.catchUp(Date.now());
  console.log(JSON.stringify({ msg: "rollup", ...report, from: new Date(report.from).toISOString(), to: new Date(report.to).toISOString() }));
  return report;
};
