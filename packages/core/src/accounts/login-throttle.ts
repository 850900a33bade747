export * as LoginThrottle from "./login-throttle";

import { Entity } from "electrodb";
import { config } from "../platform/config";
import { VisibleError } from "../platform/errors";
import { bindToTable, entityOptions } from "../platform/table";

/**
 * Failed logins per email in a fixed window. The item expires by TTL, so an attacker
 * guessing passwords costs one small write per guess and nothing is left behind.
 */
export const LoginThrottleEntity = bindToTable(
  new Entity(
    {
      model: { entity: "loginThrottle", version: "1", service: "uptime" },
      attributes: {
        email: { type: "string", required: true },
        failures: { type: "number", required: true },
        windowStartedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // failure counter for one login email
        byEmail: { pk: { field: "pk", composite: ["email"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

async function current(email: string, now: number) {
  const { data } = await LoginThrottleEntity.get({ email }).go({ consistent: true });
  if (!data || data.windowStartedAt + config().LOGIN_WINDOW_SEC * 1000 <= now) return undefined;
  return data;
}

export async function assertAllowed(email: string, now = Date.now()) {
  const state = await current(email, now);
  if (state && state.failures >= config().LOGIN_MAX_FAILURES) {
    const retryAfterSec = Math.max(1, Math.ceil((state.windowStartedAt + config().LOGIN_WINDOW_SEC * 1000 - now) / 1000));
    throw new VisibleError(
      "rate_limited",
      "too_many_login_attempts",
      `Too many failed logins for this email; try again in ${retryAfterSec} seconds`,
      undefined,
      retryAfterSec,
    );
  }
}

export async function recordFailure(email: string, now = Date.now()) {
  const state = await current(email, now);
  const windowSec = config().LOGIN_WINDOW_SEC;
  if (!state) {
    await LoginThrottleEntity.put({
      email,
      failures: 1,
      windowStartedAt: now,
      expiresAt: Math.ceil(now / 1000) + windowSec,
    }).go();
    return;
  }
  // ADD is atomic, so concurrent failures are all counted.
  await LoginThrottleEntity.patch({ email }).add({ failures: 1 }).go();
}

export async function clear(email: string) {
  await LoginThrottleEntity.delete({ email }).go();
}
