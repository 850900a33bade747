export * as Session from "./session";

import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { Entity } from "electrodb";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { config, jwtSecret } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { bindToTable, entityOptions } from "../platform/table";

/**
 * A login session is one refresh-token family. Only the hash of the newest refresh token is
 * stored; presenting any older token of the family means it was copied, so the whole
 * session is revoked (refresh-token reuse detection).
 */
export const SessionEntity = bindToTable(
  new Entity(
    {
      model: { entity: "session", version: "1", service: "uptime" },
      attributes: {
        sessionId: { type: "string", required: true },
        userId: { type: "string", required: true },
        tokenHash: { type: "string", required: true },
        generation: { type: "number", required: true },
        revokedAt: { type: "number" },
        revokedReason: { type: "string" },
        createdAt: { type: "number", required: true },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // one session (refresh-token family)
        byId: { pk: { field: "pk", composite: ["sessionId"] }, sk: { field: "sk", composite: [] } },
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

const hash = (secret: string) => createHash("sha256").update(secret).digest("base64url");
const newSecret = () => randomBytes(32).toString("base64url");

function parseRefreshToken(token: string) {
  const [sessionId, secret, ...rest] = token.split(".");
  if (!sessionId || !secret || rest.length) throw invalidRefresh();
  return { sessionId, secret };
}

const invalidRefresh = () => new VisibleError("unauthorized", "invalid_refresh_token", "Refresh token is invalid or expired");

async function issue(actor: Actor, secret: string): Promise<Tokens> {
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
    refreshToken: `${actor.sessionId}.${secret}`,
    refreshExpiresIn: c.REFRESH_TOKEN_TTL_DAYS * 86400,
  };
}

export async function start(userId: string, now = Date.now()): Promise<Tokens> {
  const sessionId = randomUUID();
  const secret = newSecret();
  await SessionEntity.create({
    sessionId,
    userId,
    tokenHash: hash(secret),
    generation: 1,
    createdAt: now,
    expiresAt: Math.floor(now / 1000) + config().REFRESH_TOKEN_TTL_DAYS * 86400,
  }).go();
  return issue({ userId, sessionId }, secret);
}

export async function refresh(refreshToken: string, now = Date.now()): Promise<Tokens> {
  const { sessionId, secret } = parseRefreshToken(refreshToken);
  const { data: session } = await SessionEntity.get({ sessionId }).go({ consistent: true });
  if (!session || session.revokedAt || session.expiresAt * 1000 <= now) throw invalidRefresh();

  const presented = Buffer.from(hash(secret));
  const current = Buffer.from(session.tokenHash);
  if (presented.length !== current.length || !timingSafeEqual(presented, current)) {
    await revoke(sessionId, "refresh_token_reused");
    throw new VisibleError("unauthorized", "refresh_token_reused", "Refresh token was already used; the session has been revoked");
  }

  const next = newSecret();
  try {
    // Conditional on the hash we just checked: of two concurrent refreshes with one token, one wins.
    await SessionEntity.patch({ sessionId })
      .set({ tokenHash: hash(next), generation: session.generation + 1 })
      .where((a, op) => `${op.eq(a.tokenHash, session.tokenHash)} AND ${op.notExists(a.revokedAt)}`)
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    await revoke(sessionId, "refresh_token_reused");
    throw new VisibleError("unauthorized", "refresh_token_reused", "Refresh token was already used; the session has been revoked");
  }
  return issue({ userId: session.userId, sessionId }, next);
}

export async function revoke(sessionId: string, reason = "logout") {
  try {
    await SessionEntity.patch({ sessionId })
      .set({ revokedAt: Date.now(), revokedReason: reason })
      .where((a, op) => op.notExists(a.revokedAt))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // absent or already revoked: nothing to do
  }
}

/** Logout by refresh token; a malformed or unknown token is not an error (logging out twice is fine). */
export async function revokeByRefreshToken(refreshToken: string) {
  try {
    const { sessionId } = parseRefreshToken(refreshToken);
    await revoke(sessionId);
    return sessionId;
  } catch {
    return undefined;
  }
}

/** Verifies an access token: signature, issuer, audience and expiry. */
export async function verifyAccessToken(token: string): Promise<Actor> {
  const c = config();
  try {
    const { payload } = await jwtVerify(token, await jwtSecret(), {
      issuer: c.JWT_ISSUER,
      audience: c.JWT_AUDIENCE,
      algorithms: ["HS256"],
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Error("claims");
    return { userId: payload.sub, sessionId: payload.sid };
  } catch (err) {
    const expired = err instanceof joseErrors.JWTExpired;
    throw new VisibleError(
      "unauthorized",
      expired ? "token_expired" : "invalid_token",
      expired ? "Access token has expired" : "Access token is invalid",
    );
  }
}
