export * as PostedIncidents from "./incidents";

import { randomUUID } from "node:crypto";
import { IncidentEntity } from "../incident/incident";
import type { OrgAccess } from "../orgs/access";
import { Audit } from "../orgs/audit";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { Claim } from "../platform/claim";
import { assertCursorFor } from "../platform/table";
import { Components } from "./components";
import { PostedIncidentEntity, type IncidentUpdate, type PostedIncidentItem, type Unannounced } from "./entity";
import { CreateIncidentInput, EditIncidentInput, EditUpdateInput, PromoteInput, UpdateInput, instantMs } from "./fields";
import { SubscriberMail } from "./notify";
import { StatusPage } from "./page";

/**
 * Incidents posted on a status page, each with its timeline of updates. The incident's status is
 * its newest update's; resolving sets resolvedAt, a later non-resolved update reopens it. Every
 * write is conditional on the revision read, so two people posting at once cannot lose an update.
 *
 * Subscriber news (created, updated, resolved) is written into the item with the change itself
 * (`unannounced`), queued after the write and then cleared. If queueing fails the request fails,
 * but the news stays on the item: the next write of the incident queues it, and repeating the
 * failed call is recognised as a replay (same content, news still pending) and only queues it.
 * Queueing twice is harmless: the fan-out and each mail are keyed by (page, event, update, subscriber).
 */

const invalid = (path: string, message: string) => new VisibleError("invalid", "validation_error", "Request is invalid", [{ path, message, code: "custom" }]);

// a page's incidents, newest first, a page at a time
export async function list(orgId: string, pageId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  await StatusPage.getOwned(orgId, pageId);
  const query = PostedIncidentEntity.query.byStart({ pageId });
  assertCursorFor(opts.cursor, PostedIncidentEntity, "byStart", query.params());
  const res = await query.go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data as PostedIncidentItem[], cursor: res.cursor };
}

export async function get(orgId: string, pageId: string, incidentId: string): Promise<PostedIncidentItem> {
  await StatusPage.getOwned(orgId, pageId);
  const { data } = await PostedIncidentEntity.get({ pageId, incidentId }).go({ consistent: true });
  if (!data) throw notFound("Incident");
  return data as PostedIncidentItem;
}

/** The incident's status and resolution follow from its updates, newest (by time) last. */
function settled(i: PostedIncidentItem): PostedIncidentItem {
  const updates = [...i.updates].sort((a, b) => a.at - b.at);
  const last = updates[updates.length - 1]!;
  const resolvedAt = last.status === "resolved" ? last.at : undefined;
  return { ...i, updates, status: last.status, resolvedAt };
}

function assertStatusesOf(componentIds: string[], statuses: Record<string, unknown>) {
  const stray = Object.keys(statuses).filter((id) => !componentIds.includes(id));
  if (stray.length) throw invalid("componentStatuses", `not components affected by this incident: ${stray.join(", ")}`);
}

async function save(next: PostedIncidentItem, expectedRevision: number | undefined, now: number, news: Unannounced[] = []) {
  const unannounced = [...(next.unannounced ?? []), ...news];
  const item = { ...settled(next), unannounced: unannounced.length ? unannounced : undefined, revision: (expectedRevision ?? 0) + 1, updatedAt: now };
  const written = await Claim.create(
    (writeToken) =>
      (expectedRevision === undefined
        ? PostedIncidentEntity.create({ ...item, writeToken })
        : PostedIncidentEntity.put({ ...item, writeToken }).where((a, op) => op.eq(a.revision, expectedRevision))
      ).go({ response: "none" }),
    async () => (await PostedIncidentEntity.get({ pageId: item.pageId, incidentId: item.incidentId }).go({ consistent: true })).data?.writeToken,
  );
  if (!written) {
    throw expectedRevision === undefined
      ? new VisibleError("conflict", "already_posted", "This incident was posted already")
      : new VisibleError("conflict", "edit_conflict", "The incident changed meanwhile; read it again and retry");
  }
  await StatusPage.touch(item.pageId, now);
  return announce(item);
}

/** Queues the incident's pending news, then clears it unless the incident changed meanwhile (its writer queues it again). */
async function announce(item: PostedIncidentItem): Promise<PostedIncidentItem> {
  if (!item.unannounced?.length) return item;
  for (const { kind, updateId } of item.unannounced) await SubscriberMail.notify(item.pageId, { kind, subjectId: item.incidentId, updateId });
  const { unannounced: _, ...announced } = item;
  try {
    await PostedIncidentEntity.put(announced).where((a, op) => op.eq(a.revision, item.revision)).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  return announced;
}

const newsOf = (u: IncidentUpdate): Unannounced => ({ kind: u.status === "resolved" ? "incident.resolved" : "incident.updated", updateId: u.updateId });
const sameUpdate = (u: IncidentUpdate | undefined, v: Pick<IncidentUpdate, "message" | "status" | "componentStatuses">) =>
  !!u && u.message === v.message && u.status === v.status && JSON.stringify(u.componentStatuses) === JSON.stringify(v.componentStatuses);
/** The update of `i` whose news is still pending and that says the same as `v`: a retried call, not a new one. */
const pendingLike = (i: PostedIncidentItem, v: Pick<IncidentUpdate, "message" | "status" | "componentStatuses">) =>
  i.unannounced?.some((e) => sameUpdate(i.updates.find((u) => u.updateId === e.updateId), v));

const REPLAY_WINDOW_MS = 15 * 60_000;

/** A just-posted incident with the same content whose news is still pending: the post is being retried. */
async function replayedPost(pageId: string, i: ReturnType<typeof CreateIncidentInput.parse>, startedAt: number, now: number) {
  const recent = await PostedIncidentEntity.query
    .byStart({ pageId })
    .gte({ startedAt: Math.min(startedAt, now - REPLAY_WINDOW_MS) })
    .where((a, op) => `${op.exists(a.unannounced)} AND ${op.gte(a.createdAt, now - REPLAY_WINDOW_MS)}`)
    .go({ pages: "all" });
  return (recent.data as PostedIncidentItem[]).find(
    (x) =>
      x.title === i.title &&
      x.impact === i.impact &&
      JSON.stringify(x.componentIds) === JSON.stringify(i.componentIds) &&
      x.unannounced?.some((e) => e.kind === "incident.created" && sameUpdate(x.updates.find((u) => u.updateId === e.updateId), i.update)),
  );
}

function newUpdate(u: ReturnType<typeof UpdateInput.parse>, at: number): IncidentUpdate {
  return { updateId: randomUUID(), message: u.message, status: u.status, componentStatuses: u.componentStatuses, at };
}

export async function create(access: OrgAccess, pageId: string, input: CreateIncidentInput, now = Date.now(), incidentId: string = randomUUID()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const i = CreateIncidentInput.parse(input);
  await Components.assertComponentsOf(pageId, i.componentIds);
  assertStatusesOf(i.componentIds, i.update.componentStatuses);
  const updateAt = instantMs(i.update.at);
  const startedAt = instantMs(i.startedAt) ?? updateAt ?? now;
  if (startedAt > now) throw invalid("startedAt", "must not be in the future");
  const replay = await replayedPost(pageId, i, startedAt, now);
  if (replay) return announce(replay);
  const first = newUpdate(i.update, Math.min(now, Math.max(startedAt, updateAt ?? startedAt)));
  const item = {
    pageId,
    incidentId,
    orgId: access.orgId,
    title: i.title,
    impact: i.impact,
    componentIds: i.componentIds,
    startedAt,
    status: first.status,
    updates: [first],
    revision: 0,
    createdAt: now,
    updatedAt: now,
  } as PostedIncidentItem;
  const saved = await save(item, undefined, now, [{ kind: "incident.created", updateId: first.updateId }]);
  if (startedAt < now - 60_000) await Audit.record(access, "statusPage.incident.backdate", { type: "postedIncident", id: incidentId }, { startedAt });
  return saved;
}

export async function addUpdate(access: OrgAccess, pageId: string, incidentId: string, input: UpdateInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, incidentId);
  const u = UpdateInput.parse(input);
  assertStatusesOf(current.componentIds, u.componentStatuses);
  const at = instantMs(u.at) ?? now;
  if (at > now) throw invalid("at", "must not be in the future");
  if (at < current.startedAt) throw invalid("at", "must not be before the incident started");
  if (pendingLike(current, u)) return announce(current);
  const next = newUpdate(u, at);
  return save({ ...current, updates: [...current.updates, next] }, current.revision, now, [newsOf(next)]);
}

/** Corrects an update's text; the time of the correction is kept and the change audited. */
export async function editUpdate(access: OrgAccess, pageId: string, incidentId: string, updateId: string, input: EditUpdateInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, incidentId);
  const { message } = EditUpdateInput.parse(input);
  const before = current.updates.find((u) => u.updateId === updateId);
  if (!before) throw notFound("Update");
  const updates = current.updates.map((u) => (u.updateId === updateId ? { ...u, message, editedAt: now } : u));
  const saved = await save({ ...current, updates }, current.revision, now);
  await Audit.record(access, "statusPage.incident.editUpdate", { type: "postedIncident", id: incidentId }, { updateId, before: before.message });
  return saved;
}

/** Title, impact, affected components, or the start (back-dating, audited). */
export async function edit(access: OrgAccess, pageId: string, incidentId: string, input: EditIncidentInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, incidentId);
  const e = EditIncidentInput.parse(input);
  const componentIds = e.componentIds ?? current.componentIds;
  if (e.componentIds) await Components.assertComponentsOf(pageId, e.componentIds);
  for (const u of current.updates) assertStatusesOf(componentIds, u.componentStatuses);
  const startedAt = instantMs(e.startedAt) ?? current.startedAt;
  if (startedAt > now) throw invalid("startedAt", "must not be in the future");
  if (current.updates.some((u) => u.at < startedAt)) throw invalid("startedAt", "must not be after the incident's first update");
  const saved = await save({ ...current, ...(e.title && { title: e.title }), ...(e.impact && { impact: e.impact }), componentIds, startedAt }, current.revision, now);
  await Audit.record(access, e.startedAt !== undefined ? "statusPage.incident.backdate" : "statusPage.incident.edit", { type: "postedIncident", id: incidentId }, {
    fields: Object.keys(e),
    ...(e.startedAt !== undefined && { startedAtBefore: current.startedAt, startedAt }),
  });
  return saved;
}

export async function remove(access: OrgAccess, pageId: string, incidentId: string, now = Date.now()) {
  const current = await get(access.orgId, pageId, incidentId);
  await PostedIncidentEntity.delete({ pageId, incidentId }).go();
  await StatusPage.touch(pageId, now);
  await Audit.record(access, "statusPage.incident.delete", { type: "postedIncident", id: incidentId }, { title: current.title, startedAt: current.startedAt });
}

/**
 * Posts a monitor's automatic incident on the page, as people would have: same start, linked to
 * the page's components that follow that monitor unless told otherwise. Its id derives from the
 * automatic incident's, so promoting twice is a conflict, not a duplicate. Subscribers hear of it
 * as a new incident while it lasts; a recovered one only fills in the page's history, as a
 * back-filled incident does on Statuspage, and mails no one.
 */
export async function promote(access: OrgAccess, pageId: string, input: PromoteInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const p = PromoteInput.parse(input);
  const { data: source } = await IncidentEntity.get({ incidentId: p.monitorIncidentId }).go({ consistent: true });
  if (!source || source.ownerId !== access.orgId) throw new VisibleError("not_found", "monitor_incident_not_found", "Monitor incident not found");
  const { components } = await Components.read(pageId);
  const componentIds = p.componentIds ?? components.filter((c) => c.monitorId === source.monitorId).map((c) => c.componentId);
  if (p.componentIds) await Components.assertComponentsOf(pageId, componentIds);
  const name = source.monitorName;
  const updates: IncidentUpdate[] = [
    { updateId: randomUUID(), message: p.message ?? `We are investigating problems with ${name}.`, status: "investigating", componentStatuses: {}, at: source.startedAt },
  ];
  if (source.status === "resolved") {
    updates.push({ updateId: randomUUID(), message: `${name} has recovered.`, status: "resolved", componentStatuses: {}, at: Math.min(now, source.resolvedAt ?? now) });
  }
  const incidentId = `promoted.${source.incidentId}`;
  const { data: earlier } = await PostedIncidentEntity.get({ pageId, incidentId }).go({ consistent: true });
  if (earlier?.unannounced) return announce(earlier as PostedIncidentItem); // a retry of a promotion whose news was not queued
  const saved = await save(
    {
      pageId,
      incidentId,
      orgId: access.orgId,
      title: p.title ?? `${name} unavailable`,
      impact: p.impact,
      componentIds,
      startedAt: source.startedAt,
      status: "investigating",
      sourceMonitorIncidentId: source.incidentId,
      updates,
      revision: 0,
      createdAt: now,
      updatedAt: now,
    },
    undefined,
    now,
    source.status === "resolved" ? [] : [{ kind: "incident.created", updateId: updates[0]!.updateId }],
  );
  await Audit.record(access, "statusPage.incident.promote", { type: "postedIncident", id: incidentId }, { monitorIncidentId: source.incidentId });
  return saved;
}
