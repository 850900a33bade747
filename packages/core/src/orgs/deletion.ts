export * as OrgDeletion from "./deletion";

import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { DAY } from "../platform/time";
import { Monitor } from "../monitors/monitor";
import { MonitorEntity } from "../monitors/entity";
import { StatusPage } from "../status-pages/page";
import { StatusPageEntity } from "../status-pages/entity";
import { SubscriberEntity } from "../status-pages/subscriber";
import type { OrgAccess } from "./access";
import { ApiKeyEntity } from "./api-key";
import { Audit } from "./audit";
import { InvitationEntity, InvitationTokenEntity, MembershipEntity, OrgDeletionEntity, OrgEntity, type OrgItem } from "./entity";
import { OrgGuard } from "./guard";

/**
 * Deleting an organisation without orphans, with no transactions: deletion first records the
 * organisation in the deletion list, then sets the fence (`deletingAt`, a conditional write) that
 * every create checks (OrgGuard.enterCreate), then removes people, keys, invitations, monitors and
 * pages. A create that passed the fence just before it may still write its item afterwards: it
 * looks again after writing and removes its own item, and `sweep` (run by the hourly job) goes
 * over every organisation in the list until, SETTLE_MS after deletion started, nothing is left.
 * Every step is idempotent, so a deletion that stopped half way is finished by the sweep (or by
 * calling it again).
 */

/** Longer than any request can still be running a create that passed the fence (API Gateway: 29 s), plus index lag. */
export const SETTLE_MS = 2 * 60_000;
/** How long a deleted organisation's item stays as a tombstone (what the fence and the sweep read). */
const TOMBSTONE_DAYS = 30;

/** Starts deletion: the list entry, then the fence. False when it had already started. */
async function start(orgId: string, now: number): Promise<boolean> {
  await OrgDeletionEntity.put({ orgId, startedAt: now, expiresAt: Math.ceil((now + TOMBSTONE_DAYS * DAY) / 1000) }).go({ response: "none" });
  try {
    await OrgEntity.patch({ orgId }).set({ deletingAt: now }).where((a, op) => op.notExists(a.deletingAt)).go({ response: "none" });
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

/** Lifts the fence again (deletion refused because monitors or pages remain). */
async function cancel(orgId: string, startedAt: number) {
  await OrgEntity.patch({ orgId }).remove(["deletingAt"]).where((a, op) => op.eq(a.deletingAt, startedAt)).go({ response: "none" }).catch((err) => {
    if (!isConditionalCheckFailed(err)) throw err;
  });
  await OrgDeletionEntity.delete({ orgId }).go({ response: "none" });
}

/**
 * Deletes a team organisation (`DELETE /v1/org`). Refused for a personal organisation and while
 * monitors or status pages remain (deleting them is an explicit step of its own); that check runs
 * behind the fence, so nothing can be created between it and the deletion.
 */
export async function remove(access: OrgAccess, now = Date.now()) {
  const { data: org } = await OrgEntity.get({ orgId: access.orgId }).go({ consistent: true });
  if (!org || org.deletedAt) throw new VisibleError("not_found", "org_not_found", "No such organisation");
  if (org.personal) throw new VisibleError("conflict", "personal_org", "A personal organisation cannot be deleted");
  const started = await start(access.orgId, now);
  if (started) {
    const monitors = await MonitorEntity.query.byOwner({ ownerId: access.orgId }).go({ limit: 1, attributes: ["monitorId"] });
    const pages = await StatusPageEntity.query.byOrg({ orgId: access.orgId }).go({ limit: 1, attributes: ["pageId"] });
    if (monitors.data.length || pages.data.length) {
      await cancel(access.orgId, now);
      if (monitors.data.length) throw new VisibleError("conflict", "org_has_monitors", "Delete the organisation's monitors first");
      throw new VisibleError("conflict", "org_has_status_pages", "Delete the organisation's status pages first");
    }
  }
  await Audit.record(access, "org.delete", { type: "org", id: access.orgId }, { name: org.name }, now);
  await finish(access.orgId, now);
}

/**
 * Starts deleting a personal organisation (its account is being deleted) and removes everything in it.
 * The caller has checked that no one else is a member.
 */
export async function removePersonal(userId: string, now = Date.now()) {
  const { data: org } = await OrgEntity.get({ orgId: userId }).go({ consistent: true });
  if (org && !org.deletedAt) await start(userId, now);
  await finish(userId, now);
}

/**
 * Removes everything that belongs to an organisation whose deletion started, and marks it deleted.
 * People and invitations go first, then keys: a crash part way leaves an organisation nobody can
 * reach, never access to a deleted one. Returns how many things it found (0: nothing was left).
 */
export async function finish(orgId: string, now = Date.now()): Promise<number> {
  let found = 0;
  const invitations = await InvitationEntity.query.byOrg({ orgId }).go({ pages: "all", consistent: true });
  const tokens = invitations.data.flatMap((i) => (i.tokenHash ? [{ tokenHash: i.tokenHash }] : []));
  if (invitations.data.length) await InvitationEntity.delete(invitations.data.map((i) => ({ orgId: i.orgId, invitationId: i.invitationId }))).go();
  if (tokens.length) await InvitationTokenEntity.delete(tokens).go();
  const members = await MembershipEntity.query.byOrg({ orgId }).go({ pages: "all", consistent: true, attributes: ["orgId", "userId"] });
  if (members.data.length) await MembershipEntity.delete(members.data.map((m) => ({ orgId: m.orgId, userId: m.userId }))).go();
  const keys = await ApiKeyEntity.query.byOrg({ orgId }).go({ pages: "all", attributes: ["keyId", "revokedAt"] });
  const live = keys.data.filter((k) => !k.revokedAt);
  await Promise.all(live.map((k) => ApiKeyEntity.patch({ keyId: k.keyId }).set({ revokedAt: now }).go({ response: "none" })));
  const monitors = await MonitorEntity.query.byOwner({ ownerId: orgId }).go({ pages: "all", attributes: ["monitorId"] });
  for (const m of monitors.data) await ignoreNotFound(() => Monitor.remove(orgId, m.monitorId, now));
  const pages = await StatusPageEntity.query.byOrg({ orgId }).go({ pages: "all", attributes: ["pageId", "slug"] });
  for (const p of pages.data) await StatusPage.removePage(p);
  found += invitations.data.length + members.data.length + live.length + monitors.data.length + pages.data.length;
  await markDeleted(orgId, now);
  return found;
}

/** The tombstone: the first caller to set deletedAt gives the organisation's place back to the account that created it. */
async function markDeleted(orgId: string, now: number) {
  let org: OrgItem;
  try {
    const res = await OrgEntity.patch({ orgId })
      .set({ deletedAt: now, expiresAt: Math.ceil((now + TOMBSTONE_DAYS * DAY) / 1000) })
      .where((a, op) => `${op.exists(a.deletingAt)} AND ${op.notExists(a.deletedAt)}`)
      .go({ response: "all_new" });
    org = res.data as OrgItem;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return; // already marked, or gone
    throw err;
  }
  if (!org.personal) await OrgGuard.givePlace(org.createdBy, "orgs", now);
}

/**
 * Goes over every organisation whose deletion started: finishes it, and forgets it once nothing was
 * found SETTLE_MS after it started (no create that passed the fence can still be writing). A list
 * entry whose organisation has no fence (deletion refused, or stopped before the fence) is dropped.
 */
export async function sweep(now = Date.now()) {
  const { data: entries } = await OrgDeletionEntity.query.all({}).go({ pages: "all" });
  let removed = 0;
  for (const entry of entries) {
    const { data: org } = await OrgEntity.get({ orgId: entry.orgId }).go({ consistent: true });
    const settled = now - entry.startedAt > SETTLE_MS;
    if (org && org.deletingAt === undefined) {
      if (settled) await OrgDeletionEntity.delete({ orgId: entry.orgId }).go({ response: "none" });
      continue;
    }
    const found = await finish(entry.orgId, now);
    removed += found;
    if (!found && settled) await OrgDeletionEntity.delete({ orgId: entry.orgId }).go({ response: "none" });
  }
  return { organisations: entries.length, removed };
}

/**
 * The proof: every monitor, status page, API key that still works, and subscriber whose organisation
 * is missing or being deleted. Reads the whole table (an audit for tests and operators, not a hot path).
 */
export async function orphans() {
  const live = new Map<string, boolean>();
  const isLive = async (orgId: string) => {
    if (!live.has(orgId)) {
      const { data } = await OrgEntity.get({ orgId }).go({ consistent: true });
      live.set(orgId, !!data && data.deletingAt === undefined);
    }
    return live.get(orgId)!;
  };
  const [monitors, pages, keys, subscribers] = await Promise.all([
    MonitorEntity.scan.go({ pages: "all", attributes: ["monitorId", "ownerId"] }),
    StatusPageEntity.scan.go({ pages: "all", attributes: ["pageId", "orgId"] }),
    ApiKeyEntity.scan.go({ pages: "all", attributes: ["keyId", "orgId", "revokedAt"] }),
    SubscriberEntity.scan.go({ pages: "all", attributes: ["pageId", "subscriberId"] }),
  ]);
  const pageOrg = new Map(pages.data.map((p) => [p.pageId, p.orgId]));
  const out = { monitors: [] as string[], pages: [] as string[], keys: [] as string[], subscribers: [] as string[] };
  for (const m of monitors.data) if (!(await isLive(m.ownerId))) out.monitors.push(m.monitorId);
  for (const p of pages.data) if (!(await isLive(p.orgId))) out.pages.push(p.pageId);
  for (const k of keys.data) if (!k.revokedAt && !(await isLive(k.orgId))) out.keys.push(k.keyId);
  for (const s of subscribers.data) {
    const orgId = pageOrg.get(s.pageId);
    if (!orgId || !(await isLive(orgId))) out.subscribers.push(s.subscriberId);
  }
  return out;
}

async function ignoreNotFound(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof VisibleError && err.kind === "not_found")) throw err;
  }
}
