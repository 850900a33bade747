export * as PageAccess from "./page-access";

import { createHmac, timingSafeEqual } from "node:crypto";
import { LoginThrottle } from "../accounts/login-throttle";
import { config, jwtSecret } from "../platform/config";
import { VisibleError } from "../platform/errors";
import { StatusPage } from "./page";
import { DAY } from "../platform/time";
import type { StatusPageItem } from "./entity";

/**
 * A protected page's visitors prove the password once; a signed HttpOnly cookie carries that
 * proof: `<expiry>.<HMAC-SHA256(JWT secret, pageId, expiry, password hash)>`. Signing over the
 * password hash means changing the password (or making the page public and protected again)
 * voids every cookie handed out before, with nothing stored per visitor.
 */

export const COOKIE_NAME = "status_page_access";
export const TTL_MS = 30 * DAY;

async function mac(page: Pick<StatusPageItem, "pageId" | "passwordHash">, expiresAt: number) {
  const key = await jwtSecret();
  return createHmac("sha256", key).update(`status-page-access\n${page.pageId}\n${expiresAt}\n${page.passwordHash ?? ""}`).digest("base64url");
}

export async function issue(page: Pick<StatusPageItem, "pageId" | "passwordHash">, now = Date.now()): Promise<string> {
  const expiresAt = now + TTL_MS;
  return `${expiresAt}.${await mac(page, expiresAt)}`;
}

/** Whether a visitor may see the page: any page that is public, a protected one with a valid cookie. */
export async function allows(page: Pick<StatusPageItem, "pageId" | "passwordHash" | "visibility">, cookie: string | undefined, now = Date.now()) {
  if (page.visibility === "public") return true;
  const m = /^(\d{13,16})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? "");
  if (!m) return false;
  const expiresAt = Number(m[1]);
  if (expiresAt <= now) return false;
  const expected = Buffer.from(await mac(page, expiresAt));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const tooMany = (err: VisibleError, what: string) =>
  new VisibleError("rate_limited", "too_many_password_attempts", `Too many wrong passwords ${what}; try again in ${err.retryAfterSec} seconds`, undefined, err.retryAfterSec);

async function reserve(budget: string, max: number, what: string, now: number) {
  try {
    return await LoginThrottle.reserve(budget, max, what, now);
  } catch (err) {
    throw err instanceof VisibleError && err.kind === "rate_limited" ? tooMany(err, what) : err;
  }
}

/**
 * A protected page's password form. Like a login, each guess is reserved before bcrypt looks at it:
 * from the client's budget (its address, IPv6 per /64, over all pages) and the page's (whoever
 * guesses), so guessing is slow however it is spread. A right password gives its attempts back.
 * Throws 429 (rate_limited) past either budget.
 */
export async function checkPassword(page: StatusPageItem, password: string, clientIp: string | undefined, now = Date.now()): Promise<boolean> {
  const c = config();
  const client = clientIp ? await reserve(`page-password-client:${LoginThrottle.clientKey(clientIp)}`, c.PAGE_PASSWORD_CLIENT_MAX_FAILURES, "from your network", now) : undefined;
  let perPage: LoginThrottle.Reservation;
  try {
    perPage = await reserve(`page-password:${page.pageId}`, c.PAGE_PASSWORD_PAGE_MAX_FAILURES, "on this page", now);
  } catch (err) {
    if (client) await LoginThrottle.release(client);
    throw err;
  }
  const ok = await StatusPage.checkPassword(page, password);
  if (ok) await Promise.all([LoginThrottle.release(perPage), client && LoginThrottle.release(client)]);
  return ok;
}
