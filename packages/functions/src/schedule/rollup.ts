import type { ScheduledEvent } from "aws-lambda";
import { RollupJob } from "@uptime/core/history/rollup-job";
import { OrgDeletion } from "@uptime/core/orgs/deletion";
import { Telemetry } from "@uptime/core/platform/telemetry";

/**
 * Hourly schedule (a few minutes past the hour): roll up every hour that has ended and is not
 * rolled up yet. Driven by the watermark, not the event's time, so a missed or repeated
 * invocation just means the next one has more, or nothing, to do. The same hourly run finishes
 * organisation deletions (the orphan sweep): one query when none is under way.
 */
export const handler = async (_event?: Pick<ScheduledEvent, "time">) => {
  const report = await RollupJob.catchUp(Date.now());
  Telemetry.log.info("rollup", { ...report, from: new Date(report.from).toISOString(), to: new Date(report.to).toISOString() });
  const swept = await OrgDeletion.sweep(Date.now());
  if (swept.organisations) Telemetry.log.info("org deletion sweep", { ...swept });
  return report;
};
