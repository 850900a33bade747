export * as ManualLimits from "./manual-limits";

import { config } from "../platform/config";
import { VisibleError } from "../platform/errors";
import { RateLimit } from "../platform/rate-limit";
import { HOUR } from "../platform/time";

const limited = (retryAfterSec: number, what: string) =>
  new VisibleError("rate_limited", "too_many_manual_checks", `Too many checks run ${what}; try again in ${retryAfterSec} seconds`, undefined, retryAfterSec);

/**
 * Takes a manual check (`POST /v1/monitors/{id}/check`) from its budgets or throws 429: one per
 * monitor per MANUAL_CHECK_MONITOR_SEC, MANUAL_CHECKS_PER_HOUR per organisation and
 * ACCOUNT_MANUAL_CHECKS_PER_HOUR per acting account (a key acts as its creator) over all
 * organisations. Each check can open or resolve an incident, so without this an account could make
 * us mail as fast as it can call.
 */
export async function reserve(ownerId: string, monitorId: string, now = Date.now(), actingUserId?: string) {
  const c = config();
  if (c.MANUAL_CHECK_MONITOR_SEC > 0) {
    const perMonitor = await RateLimit.spaced(`manual-check:${monitorId}`, c.MANUAL_CHECK_MONITOR_SEC * 1000, now);
    if (!perMonitor.ok) throw limited(perMonitor.retryAfterSec, "on this monitor");
  }
  const perAccount = await RateLimit.take(`manual-checks:${ownerId}`, c.MANUAL_CHECKS_PER_HOUR, HOUR, now);
  if (!perAccount.ok) throw limited(perAccount.retryAfterSec, "in this organisation (account) this hour");
  if (actingUserId) {
    const perActor = await RateLimit.take(`manual-checks-by:${actingUserId}`, c.ACCOUNT_MANUAL_CHECKS_PER_HOUR, HOUR, now);
    if (!perActor.ok) throw limited(perActor.retryAfterSec, "by your account this hour");
  }
}
