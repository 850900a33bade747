import { Entity } from "electrodb";
import { ROLES } from "./roles";
import { lazyEntity, entityOptions } from "../platform/table";

/**
 * One item per organisation. `ownerCount` is the guard on "there is always an owner": every
 * demotion or removal of an owner first takes one off it with a condition that it stays at least
 * one, so two owners demoting each other at once cannot both succeed (no transactions needed).
 */
export const OrgEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "org", version: "1", service: "uptime" },
      attributes: {
        orgId: { type: "string", required: true },
        name: { type: "string", required: true },
        /** A user's personal organisation: orgId equals the userId; it cannot be deleted. */
        personal: { type: "boolean", required: true, default: false },
        ownerCount: { type: "number", required: true, default: 1 },
        createdBy: { type: "string", required: true },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number" },
        /**
         * The deletion fence: set by a conditional write when deletion starts. Every create of something
         * that belongs to the organisation (monitor, page, key, invitation) first writes `lastCreateAt`
         * on this item on condition that it is absent, so nothing new starts once it is set.
         */
        deletingAt: { type: "number" },
        /** Set when deletion finished; the item stays (a tombstone the orphan sweep reads) until TTL. */
        deletedAt: { type: "number" },
        lastCreateAt: { type: "number" },
        /** TTL (epoch s), only on a deleted organisation's tombstone. */
        expiresAt: { type: "number" },
      },
      indexes: {
        // one organisation
        byId: { pk: { field: "pk", composite: ["orgId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

/**
 * A user's membership of an organisation, under the organisation (the one read that authorises a
 * request) and indexed by user for "my organisations". Email and name are copied at joining so
 * the member list is one query.
 */
export const MembershipEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "membership", version: "1", service: "uptime" },
      attributes: {
        orgId: { type: "string", required: true },
        userId: { type: "string", required: true },
        role: { type: ROLES, required: true },
        email: { type: "string", required: true },
        name: { type: "string" },
        joinedAt: { type: "number", required: true },
        changedAt: { type: "number" },
      },
      indexes: {
        // an organisation's members
        byOrg: { pk: { field: "pk", composite: ["orgId"] }, sk: { field: "sk", composite: ["userId"] } },
        // a user's organisations
        byUser: { index: "gsi1", pk: { field: "gsi1pk", composite: ["userId"] }, sk: { field: "gsi1sk", composite: ["orgId"] } },
      },
    },
    entityOptions(),
  ),
);

export type OrgItem = NonNullable<Awaited<ReturnType<ReturnType<typeof OrgEntity.get>["go"]>>["data"]>;
export type MembershipItem = NonNullable<Awaited<ReturnType<ReturnType<typeof MembershipEntity.get>["go"]>>["data"]>;

/**
 * A pending invitation, under the organisation. Deleted when accepted or revoked; expired ones
 * are refused and later removed by TTL. `tokenHash` is set when its mail is sent.
 */
export const InvitationEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "invitation", version: "1", service: "uptime" },
      attributes: {
        orgId: { type: "string", required: true },
        invitationId: { type: "string", required: true },
        email: { type: "string", required: true },
        role: { type: ROLES, required: true },
        invitedBy: { type: "string", required: true },
        createdAt: { type: "number", required: true },
        /** Epoch ms; accepting after it is refused. */
        validUntil: { type: "number", required: true },
        /** Taken by the one sender of the mail, so it goes at most once; a capped mail keeps it and is never sent. */
        mailClaimedAt: { type: "number" },
        /** Which call claimed the mail (platform/claim.ts): a retried write finds its own claim. */
        mailToken: { type: "string" },
        /** Only once SES took the mail. */
        mailedAt: { type: "number" },
        tokenHash: { type: "string" },
        /** TTL (epoch s): a while after validUntil, so a late click still hears "expired". */
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // an organisation's pending invitations
        byOrg: { pk: { field: "pk", composite: ["orgId"] }, sk: { field: "sk", composite: ["invitationId"] } },
      },
    },
    entityOptions(),
  ),
);

/** An invitation link's token, stored only as its SHA-256. `usedAt` makes it single use. */
export const InvitationTokenEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "invitationToken", version: "1", service: "uptime" },
      attributes: {
        tokenHash: { type: "string", required: true },
        orgId: { type: "string", required: true },
        invitationId: { type: "string", required: true },
        usedAt: { type: "number" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the invitation a link names
        byHash: { pk: { field: "pk", composite: ["tokenHash"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export type InvitationItem = NonNullable<Awaited<ReturnType<ReturnType<typeof InvitationEntity.get>["go"]>>["data"]>;

/**
 * What one account holds however many organisations it makes: team organisations it created and
 * monitors in the organisations it created. Taken with a conditional update below the limit (so
 * concurrent creates cannot pass it), given back on deletion.
 */
export const AccountQuotaEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "accountQuota", version: "1", service: "uptime" },
      attributes: {
        userId: { type: "string", required: true },
        kind: { type: ["orgs", "monitors"] as const, required: true },
        count: { type: "number", required: true, default: 0 },
        changedAt: { type: "number" },
      },
      indexes: {
        // one account's count of one kind
        byAccount: { pk: { field: "pk", composite: ["userId"] }, sk: { field: "sk", composite: ["kind"] } },
      },
    },
    entityOptions(),
  ),
);

/**
 * One item per organisation whose deletion started, in one partition (deletions are rare): the
 * list the orphan sweep works through. Removed once the sweep finds nothing left long enough after.
 */
export const OrgDeletionEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "orgDeletion", version: "1", service: "uptime" },
      attributes: {
        orgId: { type: "string", required: true },
        startedAt: { type: "number", required: true },
        expiresAt: { type: "number" },
      },
      indexes: {
        // every organisation being deleted
        all: { pk: { field: "pk", composite: [] }, sk: { field: "sk", composite: ["orgId"] } },
      },
    },
    entityOptions(),
  ),
);
