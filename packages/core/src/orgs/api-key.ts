export * as ApiKey from "./api-key";

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { Entity } from "electrodb";
import { z } from "zod";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { assertCursorFor, lazyEntity, entityOptions } from "../platform/table";
import { HOUR } from "../platform/time";
import type { OrgAccess } from "./access";
import { actingUserId } from "./access";
import { Audit } from "./audit";
import { KEY_SCOPES, type KeyScope } from "./roles";
import { OrgGuard } from "./guard";
import { UserText } from "../platform/user-text";
import { Telemetry } from "../platform/telemetry";
import { Claim } from "../platform/claim";

/**
 * An organisation's API key. The token is `upk_<keyId>_<secret>`: authentication is one consistent
 * GetItem by keyId (so a revocation counts at once) and a timing-safe compare of SHA-256(secret); a
 * 256-bit random secret needs no slow hash. `validUntil` is not `expiresAt`, the table's TTL
 * attribute: an expired key must answer `api_key_expired` and stay listed, not vanish.
 */
export const ApiKeyEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "apiKey", version: "1", service: "uptime" },
      attributes: {
        keyId: { type: "string", required: true },
        orgId: { type: "string", required: true },
        name: { type: "string", required: true },
        scope: { type: ["read", "write"] as const, required: true },
        secretHash: { type: "string", required: true },
        createdBy: { type: "string", required: true },
        createdAt: { type: "number", required: true },
        validUntil: { type: "number" },
        lastUsedAt: { type: "number" },
        revokedAt: { type: "number" },
      },
      indexes: {
        // the key a token names
        byId: { pk: { field: "pk", composite: ["keyId"] }, sk: { field: "sk", composite: [] } },
        // an organisation's keys, newest first
        byOrg: { index: "gsi1", pk: { field: "gsi1pk", composite: ["orgId"] }, sk: { field: "gsi1sk", composite: ["createdAt", "keyId"] } },
      },
    },
    entityOptions(),
  ),
);
export type ApiKeyItem = NonNullable<Awaited<ReturnType<ReturnType<typeof ApiKeyEntity.get>["go"]>>["data"]>;

export const PREFIX = "upk_";
/** lastUsedAt is written at most this often per key: reading a key costs nothing extra per request. */
export const LAST_USED_RESOLUTION_MS = HOUR;

export const CreateInput = z.object({
  name: z.string().trim().min(1).max(100).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE),
  scope: z.enum(Object.keys(KEY_SCOPES) as [KeyScope, ...KeyScope[]]),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateInput = z.infer<typeof CreateInput>;

export const View = z.object({
  id: z.string(),
  /** Shown in listings so people can tell their keys apart; the secret is never shown again. */
  prefix: z.string(),
  name: z.string(),
  scope: z.enum(["read", "write"]),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type View = z.infer<typeof View>;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const hashOf = (secret: string) => createHash("sha256").update(secret).digest();

export function toView(k: ApiKeyItem): View {
  return {
    id: k.keyId,
    prefix: `${PREFIX}${k.keyId}`,
    name: k.name,
    scope: k.scope,
    createdBy: k.createdBy,
    createdAt: iso(k.createdAt)!,
    expiresAt: iso(k.validUntil),
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
  };
}

/** Creates a key in the caller's organisation; the token is returned here and never again. */
export async function create(access: OrgAccess, input: CreateInput, now = Date.now()): Promise<{ key: View; token: string }> {
  const { name, scope, expiresAt } = CreateInput.parse(input);
  const validUntil = expiresAt === undefined ? undefined : Date.parse(expiresAt);
  if (validUntil !== undefined && validUntil <= now) {
    throw new VisibleError("invalid", "validation_error", "Request is invalid", [{ path: "expiresAt", message: "must be in the future", code: "custom" }]);
  }
  await OrgGuard.enterCreate(access.orgId, now);
  // Hex, so the id never contains the token's "_" separator; the secret is 256 random bits.
  const keyId = randomBytes(10).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const item = {
    keyId,
    orgId: access.orgId,
    name,
    scope,
    secretHash: hashOf(secret).toString("base64url"),
    createdBy: actingUserId(access),
    createdAt: now,
    ...(validUntil !== undefined && { validUntil }),
  };
  await Claim.createFresh(() => ApiKeyEntity.create(item).go({ response: "none" }));
  if (await OrgGuard.deletionStarted(access.orgId)) {
    await ApiKeyEntity.patch({ keyId }).set({ revokedAt: now }).go({ response: "none" });
    throw OrgGuard.refuseDeleting();
  }
  await Audit.record(access, "apiKey.create", { type: "apiKey", id: keyId }, { name, scope });
  return { key: toView(item as ApiKeyItem), token: `${PREFIX}${keyId}_${secret}` };
}

// an organisation's keys, newest first (revoked and expired ones too, marked)
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = ApiKeyEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, ApiKeyEntity, "byOrg", query.params());
  const res = await query.go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data.map(toView), cursor: res.cursor ?? null };
}

/** Revokes a key of the caller's organisation; effective for the very next request. Idempotent. */
export async function revoke(access: OrgAccess, keyId: string, now = Date.now()): Promise<View> {
  try {
    const { data } = await ApiKeyEntity.patch({ keyId })
      .set({ revokedAt: now })
      .where((a, op) => `${op.eq(a.orgId, access.orgId)} AND ${op.notExists(a.revokedAt)}`)
      .go({ response: "all_new" });
    await Audit.record(access, "apiKey.revoke", { type: "apiKey", id: keyId }, { name: data.name });
    return toView(data as ApiKeyItem);
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const { data } = await ApiKeyEntity.get({ keyId }).go({ consistent: true });
  // Another organisation's key is as absent as one that never existed.
  if (!data || data.orgId !== access.orgId) throw notFound("API key");
  return toView(data);
}

const invalidKey = () => new VisibleError("unauthorized", "invalid_api_key", "API key is invalid");

/** `upk_<keyId>_<secret>` → its parts, or undefined when it is not of that shape. */
export function parse(token: string): { keyId: string; secret: string } | undefined {
  const m = /^upk_([0-9a-f]{20})_([A-Za-z0-9_-]{43})$/.exec(token);
  return m ? { keyId: m[1]!, secret: m[2]! } : undefined;
}

/**
 * The organisation access an API key grants. A key always acts in its own organisation: naming
 * another one (X-Org-Id) is 404, as for a user who is not a member. Revoked and expired keys are
 * told apart only once the secret matched, so a guess learns nothing about a key.
 */
export async function authenticate(token: string, requestedOrgId?: string, now = Date.now()): Promise<OrgAccess> {
  const parts = parse(token);
  if (!parts) throw invalidKey();
  const { data: key } = await ApiKeyEntity.get({ keyId: parts.keyId }).go({ consistent: true });
  const presented = hashOf(parts.secret);
  const stored = Buffer.from(key?.secretHash ?? "", "base64url");
  if (!key || stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw invalidKey();
  if (key.revokedAt !== undefined) throw new VisibleError("unauthorized", "api_key_revoked", "This API key has been revoked");
  if (key.validUntil !== undefined && key.validUntil <= now) throw new VisibleError("unauthorized", "api_key_expired", "This API key has expired");
  if (requestedOrgId !== undefined && requestedOrgId !== key.orgId) throw new VisibleError("not_found", "org_not_found", "No such organisation");
  if (key.lastUsedAt === undefined || key.lastUsedAt <= now - LAST_USED_RESOLUTION_MS) await touch(key.keyId, now);
  return { orgId: key.orgId, by: { kind: "apiKey", keyId: key.keyId, name: key.name, scope: key.scope, createdBy: key.createdBy } };
}

/**
 * Records use at most once per LAST_USED_RESOLUTION_MS: the condition lets one of many concurrent
 * requests write, and a failure of this bookkeeping never fails the request it belongs to.
 */
async function touch(keyId: string, now: number) {
  try {
    await ApiKeyEntity.patch({ keyId })
      .set({ lastUsedAt: now })
      .where((a, op) => `${op.notExists(a.lastUsedAt)} OR ${op.lte(a.lastUsedAt, now - LAST_USED_RESOLUTION_MS)}`)
      .go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) Telemetry.log.error("api key lastUsedAt not written", { keyId, error: String(err) });
  }
}
