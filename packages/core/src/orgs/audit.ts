export * as Audit from "./audit";

import { randomUUID } from "node:crypto";
import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "../platform/config";
import { DAY } from "../platform/time";
import { assertCursorFor, lazyEntity, entityOptions } from "../platform/table";
import type { OrgAccess } from "./access";
import { Claim } from "../platform/claim";

/**
 * Who did what in an organisation, under the organisation and newest first. DynamoDB deletes an
 * entry AUDIT_RETENTION_DAYS after it was written (TTL), so the log costs nothing to prune.
 */
export const AuditEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "audit", version: "1", service: "uptime" },
      attributes: {
        orgId: { type: "string", required: true },
        at: { type: "number", required: true },
        entryId: { type: "string", required: true },
        action: { type: "string", required: true },
        targetType: { type: "string", required: true },
        targetId: { type: "string", required: true },
        actorKind: { type: ["user", "apiKey"] as const, required: true },
        /** The user, or for an API key its creator. */
        actorUserId: { type: "string", required: true },
        keyId: { type: "string" },
        /** Who, as people know them when it happened: the member's email or the key's name (absent on older entries). */
        actorName: { type: "string" },
        /** JSON: small, action-specific facts (the new role, the invited email...). */
        details: { type: "string" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // an organisation's audit log by time
        byOrg: { pk: { field: "pk", composite: ["orgId"] }, sk: { field: "sk", composite: ["at", "entryId"] } },
      },
    },
    entityOptions(),
  ),
);

export const View = z.object({
  id: z.string(),
  at: z.string(),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string() }),
  actor: z.object({ kind: z.enum(["user", "apiKey"]), userId: z.string(), keyId: z.string().nullable(), name: z.string().nullable() }),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type View = z.infer<typeof View>;

/** Records one action; `details` must stay small and must never hold secrets (tokens, keys). */
export async function record(access: OrgAccess, action: string, target: { type: string; id: string }, details?: Record<string, unknown>, now = Date.now()) {
  await Claim.createFresh(() => AuditEntity.create({
    orgId: access.orgId,
    at: now,
    entryId: randomUUID(),
    action,
    targetType: target.type,
    targetId: target.id,
    actorKind: access.by.kind,
    actorUserId: access.by.kind === "user" ? access.by.userId : access.by.createdBy,
    actorName: access.by.kind === "user" ? access.by.email : access.by.name,
    ...(access.by.kind === "apiKey" && { keyId: access.by.keyId }),
    ...(details && { details: JSON.stringify(details) }),
    expiresAt: Math.ceil((now + config().AUDIT_RETENTION_DAYS * DAY) / 1000),
  }).go({ response: "none" }));
}

// an organisation's audit log, newest first, a page at a time
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = AuditEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, AuditEntity, "byOrg", query.params());
  const res = await query.go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return {
    data: res.data.map(
      (e): View => ({
        id: e.entryId,
        at: new Date(e.at).toISOString(),
        action: e.action,
        target: { type: e.targetType, id: e.targetId },
        actor: { kind: e.actorKind, userId: e.actorUserId, keyId: e.keyId ?? null, name: e.actorName ?? null },
        details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
      }),
    ),
    cursor: res.cursor ?? null,
  };
}
