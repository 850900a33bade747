export * as Session from "./session";

import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { Entity } from "electrodb";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { config, jwtSecret, onConfigReload } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { lazyEntity, entityOptions } from "../platform/table";
import { Claim } from "../platform/claim";

/**
 * A login session is one refresh-token family. The refresh token of generation g is
 * `<sessionId>.<g>.<HMAC(key, sessionId.g)>`, so the server can tell a token it really issued for
 * a session (any generation) from a guess without storing every token. Presenting an older
 * generation means the token was copied, so the whole session is revoked (refresh-token reuse
 * detection), except the generation just rotated away from within REFRESH_GRACE_SEC, which gets
 * the current tokens (two tabs refreshing at once). `tokenHash` only exists on sessions started
 * before this scheme (legacy `<sessionId>.<random secret>` tokens) until their next refresh.
 */
export const SessionEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "session", version: "1", service: "uptime" },
      attributes: {
        sessionId: { type: "string", required: true },
        userId: { type: "string", required: true },
        tokenHash: { type: "string" },
        generation: { type: "number", required: true },
        rotatedAt: { type: "number" },
        revokedAt: { type: "number" },
        revokedReason: { type: "string" },
        createdAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // one session (refresh-token family)
        byId: { pk: { field: "pk", composite: ["sessionId"] }, sk: { field: "sk", composite: [] } },
        // a user's sessions, to end them all (password change or reset, account deletion)
        byUser: { index: "gsi1", pk: { field: "gsi1pk", composite: ["userId"] }, sk: { field: "gsi1sk", composite: ["sessionId"] } },
      },
    },
    entityOptions(),
  ),
);

export interface Tokens {
  accessToken: string;
  tokenType: "Bearer";
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export interface Actor {
  userId: string;
  sessionId: string;
}

type SessionItem = NonNullable<Awaited<ReturnType<ReturnType<typeof SessionEntity.get>["go"]>>["data"]>;

const hash = (secret: string) => createHash("sha256").update(secret).digest("base64url");

let refreshKey: Promise<Buffer> | undefined;
onConfigReload(() => {
  refreshKey = undefined;
  activeSessions.clear();
});
async function refreshMac(sessionId: string, generation: number) {
  refreshKey ??= jwtSecret().then((s) => createHmac("sha256", s).update("refresh-token").digest());
  return createHmac("sha256", await refreshKey).update(`${sessionId}.${generation}`).digest("base64url");
}
const refreshToken = async (sessionId: string, generation: number) => `${sessionId}.${generation}.${await refreshMac(sessionId, generation)}`;

type ParsedRefresh = { sessionId: string; generation: number; mac: string } | { sessionId: string; legacySecret: string };

function parseRefreshToken(token: string): ParsedRefresh {
  const parts = token.split(".");
  const [sessionId, a, b] = parts;
  if (!sessionId || !a) throw invalidRefresh();
  if (parts.length === 2) return { sessionId, legacySecret: a };
  if (parts.length !== 3 || !b || !/^[1-9]\d{0,8}$/.test(a)) throw invalidRefresh();
  return { sessionId, generation: Number(a), mac: b };
}

const sameText = (x: string, y: string) => {
  const bx = Buffer.from(x);
  const by = Buffer.from(y);
  return bx.length === by.length && timingSafeEqual(bx, by);
};

/** The generation this token was issued as, or undefined when the session never issued it. */
async function issuedGeneration(token: ParsedRefresh, session: SessionItem): Promise<number | undefined> {
  if ("legacySecret" in token) return session.tokenHash && sameText(hash(token.legacySecret), session.tokenHash) ? session.generation : undefined;
  if (token.generation > session.generation) return undefined;
  return sameText(token.mac, await refreshMac(token.sessionId, token.generation)) ? token.generation : undefined;
}

const invalidRefresh = () => new VisibleError("unauthorized", "invalid_refresh_token", "Refresh token is invalid or expired");
const reused = () => new VisibleError("unauthorized", "refresh_token_reused", "Refresh token was already used; the session has been revoked");

async function issue(actor: Actor, generation: number): Promise<Tokens> {
  const c = config();
  const accessToken = await new SignJWT({ sid: actor.sessionId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(actor.userId)
    .setIssuer(c.JWT_ISSUER)
    .setAudience(c.JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${c.ACCESS_TOKEN_TTL_SEC}s`)
    .sign(await jwtSecret());
  return {
    accessToken,
    tokenType: "Bearer",
    expiresIn: c.ACCESS_TOKEN_TTL_SEC,
    refreshToken: await refreshToken(actor.sessionId, generation),
    refreshExpiresIn: c.REFRESH_TOKEN_TTL_DAYS * 86400,
  };
}

export async function start(userId: string, now = Date.now()): Promise<Tokens> {
  const sessionId = randomUUID();
  await Claim.createFresh(() => SessionEntity.create({
    sessionId,
    userId,
    generation: 1,
    createdAt: now,
    expiresAt: Math.floor(now / 1000) + config().REFRESH_TOKEN_TTL_DAYS * 86400,
  }).go());
  return issue({ userId, sessionId }, 1);
}

const usable = (s: SessionItem, now: number) => !s.revokedAt && s.expiresAt * 1000 > now;
const inGrace = (s: SessionItem, generation: number, now: number) =>
  generation === s.generation - 1 && s.rotatedAt !== undefined && now - s.rotatedAt <= config().REFRESH_GRACE_SEC * 1000;

export async function refresh(presented: string, now = Date.now()): Promise<Tokens> {
  const token = parseRefreshToken(presented);
  const { sessionId } = token;
  const { data: session } = await SessionEntity.get({ sessionId }).go({ consistent: true });
  if (!session || !usable(session, now)) throw invalidRefresh();
  const generation = await issuedGeneration(token, session);
  // A guess (right session id, wrong secret) must not be able to revoke someone's session.
  if (generation === undefined) throw invalidRefresh();
  const actor = { userId: session.userId, sessionId };
  if (inGrace(session, generation, now)) return issue(actor, session.generation);
  if (generation < session.generation) {
    await revoke(sessionId, "refresh_token_reused");
    throw reused();
  }

  try {
    // Conditional on the generation we just checked: of two concurrent refreshes with one token, one rotates.
    await SessionEntity.patch({ sessionId })
      .set({ generation: generation + 1, rotatedAt: now })
      .remove(["tokenHash"])
      .where((a, op) => `${op.eq(a.generation, generation)} AND ${op.notExists(a.revokedAt)}`)
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const { data: after } = await SessionEntity.get({ sessionId }).go({ consistent: true });
    if (after && usable(after, now) && inGrace(after, generation, now)) return issue(actor, after.generation);
    await revoke(sessionId, "refresh_token_reused");
    throw reused();
  }
  return issue(actor, generation + 1);
}

export async function revoke(sessionId: string, reason = "logout") {
  activeSessions.delete(sessionId);
  try {
    await SessionEntity.patch({ sessionId })
      .set({ revokedAt: Date.now(), revokedReason: reason })
      .where((a, op) => op.notExists(a.revokedAt))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // absent or already revoked: nothing to do
  }
}

/**
 * Ends every session of a user but `except` (the caller's own, on a password change). Sessions
 * started before the byUser index existed are not in it and end at their expiry.
 */
export async function revokeAllOf(userId: string, opts: { except?: string; reason: string }) {
  const { data } = await SessionEntity.query.byUser({ userId }).go({ pages: "all", attributes: ["sessionId", "revokedAt"] });
  await Promise.all(data.filter((s) => !s.revokedAt && s.sessionId !== opts.except).map((s) => revoke(s.sessionId!, opts.reason)));
}

/**
 * Logout by refresh token. Only a token the session really issued (any generation) revokes it;
 * a malformed, unknown or forged token is not an error (logging out twice is fine).
 */
export async function revokeByRefreshToken(presented: string) {
  try {
    const token = parseRefreshToken(presented);
    const { data: session } = await SessionEntity.get({ sessionId: token.sessionId }).go({ consistent: true });
    if (!session || session.revokedAt || (await issuedGeneration(token, session)) === undefined) return undefined;
    await revoke(token.sessionId);
    return token.sessionId;
  } catch (err) {
    if (err instanceof VisibleError) return undefined;
    throw err;
  }
}

/**
 * Active sessions this container has seen, trusted for SESSION_CACHE_SEC: at most one small read
 * per session per window instead of one per request. Revoked sessions are never cached, and
 * revoke() forgets a session at once, so only other containers can lag, by at most the window.
 */
const activeSessions = new Map<string, { userId: string; until: number }>();
const ACTIVE_SESSIONS_MAX = 10_000;

async function assertActive(actor: Actor, now: number) {
  const cached = activeSessions.get(actor.sessionId);
  if (cached && cached.until > now && cached.userId === actor.userId) return;
  const { data } = await SessionEntity.get({ sessionId: actor.sessionId }).go({
    consistent: true,
    attributes: ["userId", "revokedAt", "expiresAt"],
  });
  if (!data || data.revokedAt || data.expiresAt * 1000 <= now || data.userId !== actor.userId) {
    activeSessions.delete(actor.sessionId);
    throw new VisibleError("unauthorized", "session_revoked", "This session has ended (logged out or revoked); log in again");
  }
  const ttlMs = config().SESSION_CACHE_SEC * 1000;
  if (ttlMs > 0) {
    if (activeSessions.size >= ACTIVE_SESSIONS_MAX) activeSessions.clear();
    activeSessions.set(actor.sessionId, { userId: data.userId, until: now + ttlMs });
  }
}

/** Verifies an access token (signature, issuer, audience, expiry) and that its session is still active. */
export async function verifyAccessToken(token: string, now = Date.now()): Promise<Actor> {
  const c = config();
  let actor: Actor;
  try {
    const { payload } = await jwtVerify(token, await jwtSecret(), {
      issuer: c.JWT_ISSUER,
      audience: c.JWT_AUDIENCE,
      algorithms: ["HS256"],
      // A token without an expiry would work for ever: ours always carry these (issueTokens), so require them.
      requiredClaims: ["exp", "iat", "iss", "aud", "sub"],
      maxTokenAge: `${c.ACCESS_TOKEN_TTL_SEC + 60}s`,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Error("claims");
    actor = { userId: payload.sub, sessionId: payload.sid };
  } catch (err) {
    const expired = err instanceof joseErrors.JWTExpired;
    throw new VisibleError(
      "unauthorized",
      expired ? "token_expired" : "invalid_token",
      expired ? "Access token has expired" : "Access token is invalid",
    );
  }
  await assertActive(actor, now);
  return actor;
}
