export * as StatusPage from "./page";

import { randomUUID } from "node:crypto";
import bcrypt from "bcryptjs";
import { SlugClaimEntity } from "../monitors/entity";
import { SlugClaim } from "../monitors/slug-claim";
import type { OrgAccess } from "../orgs/access";
import { Audit } from "../orgs/audit";
import { OrgGuard } from "../orgs/guard";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { BATCH_WRITE_MAX, assertCursorFor, deleteAllPaged } from "../platform/table";
import {
  ComponentEntity,
  ComponentGroupEntity,
  MaintenanceEntity,
  PostedIncidentEntity,
  StatusPageEntity,
  type StatusPageItem,
} from "./entity";
import { CreatePageInput, UpdatePageInput } from "./fields";
import { Muting } from "./muting";
import { SubscriberEntity, Subscribers } from "./subscriber";
import { Claim } from "../platform/claim";

export * from "./entity";
export * from "./fields";
export * from "./view";
export { incidentsInMonth, snapshot, type Snapshot } from "./snapshot";

/** How long a create or update can still be between claiming a slug and writing the page (see monitors/monitor.ts). */
const SETTLE_MS = 60_000;

/** Only a page's own abandoned claim is taken over here; a monitor's is repaired by monitors/monitor.ts. */
async function isAbandoned(claim: SlugClaim.Claim, now: number) {
  if (!claim.pageId || now - (claim.claimedAt ?? 0) < SETTLE_MS) return false;
  const holder = await StatusPageEntity.get({ pageId: claim.pageId }).go({ consistent: true });
  return holder.data?.slug !== claim.slug && holder.data?.customDomain !== claim.slug;
}

/** A custom domain is claimed like a slug; a taken one says so in words. */
async function claimDomain(hostname: string, pageId: string, now: number) {
  try {
    await SlugClaim.claim(hostname, { pageId }, now, (c) => isAbandoned(c, now));
  } catch (err) {
    if (err instanceof VisibleError && err.kind === "conflict") {
      throw new VisibleError("conflict", "domain_taken", `${hostname} is already the custom domain of another status page`, [
        { path: "customDomain", message: `${hostname} is already the custom domain of another status page`, code: "domain_taken" },
      ]);
    }
    throw err;
  }
}

const hashPassword = (password: string) => bcrypt.hash(password, config().BCRYPT_COST);

export async function create(access: OrgAccess, input: CreatePageInput, now = Date.now()): Promise<StatusPageItem> {
  const p = CreatePageInput.parse(input);
  await OrgGuard.enterCreate(access.orgId, now);
  const pageId = randomUUID();
  await SlugClaim.claim(p.slug, { pageId }, now, (c) => isAbandoned(c, now));
  if (p.customDomain) await claimDomain(p.customDomain, pageId, now).catch(async (err) => {
    await SlugClaim.release(p.slug, { pageId });
    throw err;
  });
  try {
    await Claim.createFresh(async () => StatusPageEntity.create({
      pageId,
      orgId: access.orgId,
      slug: p.slug,
      title: p.title,
      description: p.description || undefined,
      logoUrl: p.logoUrl,
      theme: p.theme,
      visibility: p.visibility,
      passwordHash: p.visibility === "protected" ? await hashPassword(p.password!) : undefined,
      timeZone: p.timeZone,
      customDomain: p.customDomain,
      autoPublishIncidents: p.autoPublishIncidents,
      version: 1,
      createdAt: now,
      updatedAt: now,
    }).go());
  } catch (err) {
    await SlugClaim.release(p.slug, { pageId });
    if (p.customDomain) await SlugClaim.release(p.customDomain, { pageId });
    throw err;
  }
  if (await OrgGuard.deletionStarted(access.orgId)) {
    await remove(access, pageId);
    throw OrgGuard.refuseDeleting();
  }
  await Audit.record(access, "statusPage.create", { type: "statusPage", id: pageId }, { slug: p.slug });
  return (await StatusPageEntity.get({ pageId }).go({ consistent: true })).data!;
}

// an organisation's pages, oldest first, a page at a time
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = StatusPageEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, StatusPageEntity, "byOrg", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data, cursor: res.cursor };
}

/** The page if it belongs to the organisation. Another organisation's page is "not found", never "forbidden". */
export async function getOwned(orgId: string, pageId: string): Promise<StatusPageItem> {
  const { data } = await StatusPageEntity.get({ pageId }).go({ consistent: true });
  if (!data || data.orgId !== orgId) throw notFound("Status page");
  return data;
}

export async function update(access: OrgAccess, pageId: string, input: UpdatePageInput, now = Date.now()): Promise<StatusPageItem> {
  const u = UpdatePageInput.parse(input);
  const current = await getOwned(access.orgId, pageId);
  const visibility = u.visibility ?? current.visibility;
  if (visibility === "protected" && !u.password && !current.passwordHash) {
    throw new VisibleError("invalid", "validation_error", "Request is invalid", [{ path: "password", message: "a protected page needs a password", code: "custom" }]);
  }
  if (u.slug && u.slug !== current.slug) await SlugClaim.claim(u.slug, { pageId }, now, (c) => isAbandoned(c, now));
  const domainChanged = u.customDomain !== undefined && u.customDomain !== (current.customDomain ?? null);
  if (domainChanged && u.customDomain) await claimDomain(u.customDomain, pageId, now);
  const passwordHash = visibility === "protected" && u.password ? await hashPassword(u.password) : undefined;
  const remove = [
    ...(u.description === null || u.description === "" ? ["description" as const] : []),
    ...(u.logoUrl === null ? ["logoUrl" as const] : []),
    ...(u.customDomain === null && current.customDomain ? ["customDomain" as const] : []),
    ...(visibility === "public" && current.passwordHash ? ["passwordHash" as const] : []),
  ];
  let op = StatusPageEntity.patch({ pageId })
    .set({
      ...(u.slug && { slug: u.slug }),
      ...(u.title !== undefined && { title: u.title }),
      ...(u.description && { description: u.description }),
      ...(u.logoUrl && { logoUrl: u.logoUrl }),
      ...(u.theme && { theme: u.theme }),
      ...(u.timeZone && { timeZone: u.timeZone }),
      ...(u.customDomain && { customDomain: u.customDomain }),
      ...(u.autoPublishIncidents !== undefined && { autoPublishIncidents: u.autoPublishIncidents }),
      ...(passwordHash && { passwordHash }),
      visibility,
      updatedAt: now,
    })
    .add({ version: 1 });
  if (remove.length) op = op.remove(remove);
  await op.go();
  if (u.slug && u.slug !== current.slug) await SlugClaim.release(current.slug, { pageId });
  if (domainChanged && current.customDomain) await SlugClaim.release(current.customDomain, { pageId });
  await Audit.record(access, "statusPage.update", { type: "statusPage", id: pageId }, { fields: Object.keys(u).filter((k) => k !== "password") });
  return (await StatusPageEntity.get({ pageId }).go({ consistent: true })).data!;
}

/** Every change under a page bumps its version, so the public side knows its cached render is stale. */
export async function touch(pageId: string, now = Date.now()) {
  await StatusPageEntity.patch({ pageId }).add({ version: 1 }).set({ updatedAt: now }).go();
}

/**
 * Deletes the page and everything under it, its subscribers too. Maintenance in progress first stops
 * muting its monitors; the scheduler's agenda entries of its maintenance find no maintenance and are
 * dropped. Subscriber mail claims are keyed by mail, not page, and expire by TTL; a fan-out still
 * queued finds no page and sends nothing.
 * The page item goes last, so a delete that fails half way can simply be repeated.
 */
export async function remove(access: OrgAccess, pageId: string) {
  const page = await getOwned(access.orgId, pageId);
  await removePage(page);
  await Audit.record(access, "statusPage.delete", { type: "statusPage", id: pageId }, { slug: page.slug });
}

/** Takes a page offline and deletes it with everything under it (also what deleting its organisation does). */
export async function removePage(page: Pick<StatusPageItem, "pageId" | "slug" | "customDomain">) {
  const { pageId } = page;
  const open = await MaintenanceEntity.query.open({ pageId }).go({ pages: "all" });
  for (const m of open.data) {
    if (m.status === "in_progress" && m.mutedMonitorIds?.length) await Muting.unmute(m.mutedMonitorIds, m.endsAt);
  }
  const keys = <A extends string>(attributes: A[]) => (cursor: string | null) => ({ cursor, limit: BATCH_WRITE_MAX, attributes });
  await Promise.all([
    deleteAllPaged(
      (cursor) => ComponentGroupEntity.query.byPage({ pageId }).go(keys(["pageId", "groupId"])(cursor)),
      (batch) => ComponentGroupEntity.delete(batch).go(),
    ),
    deleteAllPaged(
      (cursor) => ComponentEntity.query.byPage({ pageId }).go(keys(["pageId", "componentId"])(cursor)),
      (batch) => ComponentEntity.delete(batch).go(),
    ),
    deleteAllPaged(
      (cursor) => PostedIncidentEntity.query.byPage({ pageId }).go(keys(["pageId", "incidentId"])(cursor)),
      (batch) => PostedIncidentEntity.delete(batch).go(),
    ),
    deleteAllPaged(
      (cursor) => MaintenanceEntity.query.byPage({ pageId }).go(keys(["pageId", "maintenanceId"])(cursor)),
      (batch) => MaintenanceEntity.delete(batch).go(),
    ),
    deleteAllPaged(
      (cursor) => SubscriberEntity.query.byPage({ pageId }).go(keys(["pageId", "subscriberId"])(cursor)),
      (batch) => SubscriberEntity.delete(batch).go(),
    ),
  ]);
  await StatusPageEntity.delete({ pageId }).go();
  await SlugClaim.release(page.slug, { pageId });
  if (page.customDomain) await SlugClaim.release(page.customDomain, { pageId });
}

/** The page's confirmed subscribers; admins see the count only, never addresses. */
export async function subscriberCount(pageId: string): Promise<number> {
  return Subscribers.count(pageId);
}

/** The page a public slug names, if any; a claim left behind by an interrupted change names a page that no longer uses the slug. */
export async function bySlug(slug: string): Promise<StatusPageItem | undefined> {
  const { data } = await SlugClaimEntity.get({ slug: slug.toLowerCase() }).go();
  if (!data?.pageId) return undefined;
  const { data: page } = await StatusPageEntity.get({ pageId: data.pageId }).go();
  return page?.slug === data.slug ? page : undefined;
}

/** The page that claimed a hostname as its custom domain, if any. */
export async function byHost(hostname: string): Promise<StatusPageItem | undefined> {
  const { data } = await SlugClaimEntity.get({ slug: hostname.toLowerCase() }).go();
  if (!data?.pageId) return undefined;
  const { data: page } = await StatusPageEntity.get({ pageId: data.pageId }).go();
  return page?.customDomain === data.slug ? page : undefined;
}

/** For a protected page's password form; constant-ish time: a missing hash still costs a compare. */
export async function checkPassword(page: StatusPageItem, password: string): Promise<boolean> {
  if (!page.passwordHash) return page.visibility === "public";
  return bcrypt.compare(password, page.passwordHash);
}
