export * as DryRun from "./dry-run";

import { CreateInput } from "../monitors/fields";
import { config } from "../platform/config";
import { VisibleError } from "../platform/errors";
import { CheckResult } from "./result";
import { ManualLimits } from "./manual-limits";
import { probeFor } from "./probe-by-type";

/**
 * "Test this request" before a monitor exists: the same probe a check runs, on the settings a
 * create would store, with nothing recorded (no result, no incident, no alert). It draws on the
 * manual-check budgets, keyed by the organisation, so it cannot be used to make requests faster
 * than "Check now" could.
 */
export async function run(orgId: string, input: CreateInput, actingUserId?: string, now = Date.now()): Promise<CheckResult.View> {
  const m = CreateInput.parse(input);
  if (m.type === "heartbeat") {
    throw new VisibleError("invalid", "nothing_to_test", "A heartbeat monitor checks nothing itself: it waits for your job's pings. Save it, then ping its URL.");
  }
  await ManualLimits.reserve(orgId, `dry-run:${orgId}`, now, actingUserId);
  const timeoutMs = Math.min(m.timeoutMs, config().MANUAL_CHECK_MAX_MS);
  const outcome = await probeFor(
    m.type === "http" ? { ...m, timeoutMs, keywordMode: m.keyword ? (m.keywordMode ?? "contains") : undefined } : { ...m, timeoutMs },
  );
  return CheckResult.toView(CheckResult.fromOutcome("dry-run", now, "manual", outcome));
}
