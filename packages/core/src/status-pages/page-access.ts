export * as PageAccess from "./page-access";

import { createHmac, timingSafeEqual } from "node:crypto";
import { jwtSecret } from "../platform/config";
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
