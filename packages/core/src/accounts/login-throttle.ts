export * as LoginThrottle from "./login-throttle";

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Entity } from "electrodb";
import { config, jwtSecret, onConfigReload } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { lazyEntity, entityOptions } from "../platform/table";

/**
 * Login attempts per budget (an email, a client address, or a known device of one email) in a
 * fixed window. An attempt is reserved with a conditional write BEFORE the password is checked,
 * so concurrent guesses can never be evaluated more often than the limit; a failed attempt keeps
 * its reservation. Items expire by TTL.
 */
export const LoginThrottleEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "loginThrottle", version: "2", service: "uptime" },
      attributes: {
        budget: { type: "string", required: true },
        failures: { type: "number", required: true },
        windowStartedAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // attempt counter of one budget: "email:<email>", "client:<address>" or "device:<email>:<id>"
        byBudget: { pk: { field: "pk", composite: ["budget"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export interface Reservation {
  budget: string;
  windowStartedAt: number;
}

/** Who is trying: the email, the caller's address, and the device cookie the browser sent. */
export interface Attempt {
  email: string;
  clientIp?: string;
  deviceToken?: string;
}

export const emailBudget = (email: string) => `email:${email}`;
export const clientBudget = (ip: string) => `client:${clientKey(ip)}`;

/** IPv6 callers are limited per /64, which one subscriber usually holds whole. */
export function clientKey(ip: string): string {
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}

function rateLimited(retryAfterSec: number, what: string) {
  return new VisibleError(
    "rate_limited",
    "too_many_login_attempts",
    `Too many failed logins ${what}; try again in ${retryAfterSec} seconds`,
    undefined,
    retryAfterSec,
  );
}

/**
 * Takes one attempt from a budget or throws 429. Either starts a new window (no item, or the old
 * window is over) or adds one to a window below the limit; both are single conditional writes.
 */
export async function reserve(budget: string, max: number, what: string, now = Date.now()): Promise<Reservation> {
  const windowMs = config().LOGIN_WINDOW_SEC * 1000;
  const cutoff = now - windowMs;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await LoginThrottleEntity.put({ budget, failures: 1, windowStartedAt: now, expiresAt: Math.ceil((now + windowMs) / 1000) })
        .where((a, op) => `${op.notExists(a.budget)} OR ${op.lte(a.windowStartedAt, cutoff)}`)
        .go();
      return { budget, windowStartedAt: now };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    try {
      const { data } = await LoginThrottleEntity.patch({ budget })
        .add({ failures: 1 })
        .where((a, op) => `${op.lt(a.failures, max)} AND ${op.gt(a.windowStartedAt, cutoff)}`)
        .go({ response: "all_new" });
      return { budget, windowStartedAt: data.windowStartedAt! };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    // Full, or the window ended between the two writes (then go round once more).
    const { data } = await LoginThrottleEntity.get({ budget }).go({ consistent: true });
    if (data && data.windowStartedAt > cutoff && data.failures >= max) {
      throw rateLimited(Math.max(1, Math.ceil((data.windowStartedAt + windowMs - now) / 1000)), what);
    }
  }
  throw rateLimited(1, what);
}

/** Gives a reserved attempt back (the attempt was not a wrong password). */
export async function release(r: Reservation) {
  try {
    await LoginThrottleEntity.patch({ budget: r.budget })
      .add({ failures: -1 })
      .where((a, op) => `${op.eq(a.windowStartedAt, r.windowStartedAt)} AND ${op.gt(a.failures, 0)}`)
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** After a correct password: the budget that was charged starts afresh. */
export async function clear(r: Reservation) {
  await LoginThrottleEntity.delete({ budget: r.budget }).go();
}

/**
 * Reserves the attempt's budgets. A browser presenting a valid device cookie for this email (it
 * logged in successfully before) is charged only its own device budget, so strangers' failures
 * against the email cannot lock it out. Any other caller is charged its client address first (so a
 * client over its limit never spends a victim's email budget), then the email.
 */
export async function reserveAttempt(a: Attempt, now = Date.now()): Promise<{ charged: Reservation; client?: Reservation }> {
  const c = config();
  const deviceId = a.deviceToken ? await verifyDeviceToken(a.email, a.deviceToken) : undefined;
  if (deviceId) return { charged: await reserve(`device:${a.email}:${deviceId}`, c.LOGIN_MAX_FAILURES, "from this device", now) };
  const client = a.clientIp ? await reserve(clientBudget(a.clientIp), c.LOGIN_CLIENT_MAX_FAILURES, "from your network", now) : undefined;
  try {
    return { charged: await reserve(emailBudget(a.email), c.LOGIN_MAX_FAILURES, "for this email", now), client };
  } catch (err) {
    if (client) await release(client);
    throw err;
  }
}

/** A correct password: the charged budget is cleared, the client budget gets its attempt back. */
export async function succeeded(r: { charged: Reservation; client?: Reservation }) {
  await Promise.all([clear(r.charged), r.client && release(r.client)]);
}

let deviceKey: Promise<Buffer> | undefined;
onConfigReload(() => (deviceKey = undefined));
const deviceMac = async (email: string, id: string) => {
  deviceKey ??= jwtSecret().then((s) => createHmac("sha256", s).update("login-device-cookie").digest());
  return createHmac("sha256", await deviceKey).update(`${email}\n${id}`).digest("base64url");
};

/** A device cookie value for one email: `<id>.<mac>`, signed so no one can mint one for a victim. */
export async function deviceToken(email: string, existing?: string): Promise<string> {
  const id = (existing && (await verifyDeviceToken(email, existing))) || randomBytes(16).toString("base64url");
  return `${id}.${await deviceMac(email, id)}`;
}

/** The device id when the token was issued for this email, else undefined. */
export async function verifyDeviceToken(email: string, token: string): Promise<string | undefined> {
  const [id, mac, ...rest] = token.split(".");
  if (!id || !mac || rest.length || id.length > 64) return undefined;
  const expected = Buffer.from(await deviceMac(email, id));
  const presented = Buffer.from(mac);
  return expected.length === presented.length && timingSafeEqual(expected, presented) ? id : undefined;
}
