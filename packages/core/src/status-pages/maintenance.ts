export * as Maintenance from "./maintenance";

import { randomUUID } from "node:crypto";
import type { OrgAccess } from "../orgs/access";
import { Audit } from "../orgs/audit";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { Claim } from "../platform/claim";
import { assertCursorFor } from "../platform/table";
import { Components } from "./components";
import { MaintenanceDueEntity, MaintenanceEntity, type MaintenanceItem, type MaintenanceUpdate, type Unannounced } from "./entity";
import { CreateMaintenanceInput, MaintenanceStatusInput, MaintenanceUpdateInput, UpdateMaintenanceInput, instantMs } from "./fields";
import { Muting } from "./muting";
import { SubscriberMail } from "./notify";
import { StatusPage } from "./page";
import { Telemetry } from "../platform/telemetry";

/**
 * Scheduled maintenance: scheduled → in_progress → completed, moved by the every-minute tick
 * (runDue) or by hand. While in progress its components' monitors are muted (muting.ts).
 * Every write is conditional on the revision read, so the tick and a person cannot both move it.
 *
 * Subscriber news (scheduled, started, completed, cancelled) is written into the item with the
 * change (`unannounced`, as for posted incidents) and keeps an agenda entry due at once until it
 * is queued: if queueing fails, the next tick queues it (or a retry of the same call does).
 */

const invalid = (path: string, message: string) => new VisibleError("invalid", "validation_error", "Request is invalid", [{ path, message, code: "custom" }]);

// a page's maintenance, newest start first, a page at a time
export async function list(orgId: string, pageId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  await StatusPage.getOwned(orgId, pageId);
  const query = MaintenanceEntity.query.byStart({ pageId });
  assertCursorFor(opts.cursor, MaintenanceEntity, "byStart", query.params());
  const res = await query.go({ order: "desc", limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data as MaintenanceItem[], cursor: res.cursor };
}

async function read(pageId: string, maintenanceId: string) {
  const { data } = await MaintenanceEntity.get({ pageId, maintenanceId }).go({ consistent: true });
  return data ? (data as MaintenanceItem) : undefined;
}

export async function get(orgId: string, pageId: string, maintenanceId: string): Promise<MaintenanceItem> {
  await StatusPage.getOwned(orgId, pageId);
  const m = await read(pageId, maintenanceId);
  if (!m) throw notFound("Maintenance");
  return m;
}

/** The instant the scheduler must next look at it, if any: at once while news of it is pending. */
const nextTransitionAt = (m: Pick<MaintenanceItem, "status" | "startsAt" | "endsAt" | "unannounced" | "updatedAt">) =>
  m.unannounced?.length ? m.updatedAt : m.status === "scheduled" ? m.startsAt : m.status === "in_progress" ? m.endsAt : undefined;

async function save(next: MaintenanceItem, expectedRevision: number | undefined, now: number, news: Unannounced[] = []) {
  const unannounced = [...(next.unannounced ?? []), ...news];
  const item = { ...next, unannounced: unannounced.length ? unannounced : undefined, revision: (expectedRevision ?? 0) + 1, updatedAt: now };
  const written = await Claim.create(
    (writeToken) =>
      (expectedRevision === undefined
        ? MaintenanceEntity.create({ ...item, writeToken })
        : MaintenanceEntity.put({ ...item, writeToken }).where((a, op) => op.eq(a.revision, expectedRevision))
      ).go({ response: "none" }),
    async () => (await MaintenanceEntity.get({ pageId: item.pageId, maintenanceId: item.maintenanceId }).go({ consistent: true })).data?.writeToken,
  );
  if (!written) {
    throw new VisibleError("conflict", "edit_conflict", "The maintenance changed meanwhile; read it again and retry");
  }
  await StatusPage.touch(item.pageId, now);
  return item;
}

/** Keeps the scheduler's agenda in step with a change from `before` to `after`. */
async function reschedule(before: MaintenanceItem | undefined, after: MaintenanceItem) {
  const was = before && nextTransitionAt(before);
  const next = nextTransitionAt(after);
  if (was === next) return;
  if (next !== undefined) await MaintenanceDueEntity.put({ at: next, maintenanceId: after.maintenanceId, pageId: after.pageId }).go();
  if (was !== undefined) await MaintenanceDueEntity.delete({ at: was, maintenanceId: after.maintenanceId }).go();
}

const update = (status: MaintenanceUpdate["status"], message: string, at: number): MaintenanceUpdate => ({ updateId: randomUUID(), message, status, at });

/** Queues its pending news, then clears it unless it changed meanwhile (its writer queues it again). */
async function announce(m: MaintenanceItem): Promise<MaintenanceItem> {
  if (!m.unannounced?.length) return m;
  for (const { kind, updateId } of m.unannounced) await SubscriberMail.notify(m.pageId, { kind, subjectId: m.maintenanceId, updateId });
  const { unannounced: _, ...announced } = m;
  try {
    await MaintenanceEntity.put(announced).where((a, op) => op.eq(a.revision, m.revision)).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  return announced;
}

/** After a change from `before` to `after`: the agenda follows, the news goes out, the agenda follows again. */
async function settle(before: MaintenanceItem | undefined, after: MaintenanceItem) {
  await reschedule(before, after);
  const announced = await announce(after);
  await reschedule(after, announced);
  return announced;
}

const lastUpdateId = (m: MaintenanceItem) => m.updates[m.updates.length - 1]!.updateId;

async function monitorsOf(pageId: string, componentIds: string[]) {
  const { components } = await Components.read(pageId);
  return components.filter((c) => c.monitorId && componentIds.includes(c.componentId)).map((c) => c.monitorId!);
}

/** Starts it: mutes its monitors until its end first, so no check in between can open an incident. */
async function start(m: MaintenanceItem, now: number, message?: string) {
  const mutedMonitorIds = await monitorsOf(m.pageId, m.componentIds);
  await Muting.mute(mutedMonitorIds, m.endsAt);
  const started = update("in_progress", message ?? "Maintenance has started.", now);
  const next = { ...m, status: "in_progress" as const, startedAt: now, mutedMonitorIds, updates: [...m.updates, started] };
  return save(next, m.revision, now, [{ kind: "maintenance.started", updateId: started.updateId }]);
}

async function complete(m: MaintenanceItem, now: number, opts: { message?: string; cancelled?: boolean } = {}) {
  const completed = update("completed", opts.message ?? (opts.cancelled ? "This maintenance was cancelled." : "Maintenance has been completed."), now);
  const next = { ...m, status: "completed" as const, completedAt: now, ...(opts.cancelled && { cancelled: true }), updates: [...m.updates, completed] };
  const saved = await save(next, m.revision, now, [{ kind: opts.cancelled ? "maintenance.cancelled" : "maintenance.completed", updateId: completed.updateId }]);
  if (m.mutedMonitorIds?.length) await Muting.unmute(m.mutedMonitorIds, m.endsAt);
  return saved;
}

/** Moves a maintenance as far as the clock says (scheduled → in_progress → completed) and tells subscribers. */
async function advance(m: MaintenanceItem, now: number): Promise<MaintenanceItem> {
  let current = m;
  if (current.status === "scheduled" && current.startsAt <= now) current = await start(current, now);
  if (current.status === "in_progress" && current.endsAt <= now) current = await complete(current, now);
  return settle(m, current);
}

const REPLAY_WINDOW_MS = 15 * 60_000;

/** Just-created maintenance with the same content whose news is still pending: the create is being retried. */
async function replayedCreate(pageId: string, i: ReturnType<typeof CreateMaintenanceInput.parse>, startsAt: number, endsAt: number, now: number) {
  const open = await MaintenanceEntity.query
    .open({ pageId })
    .where((a, op) => `${op.exists(a.unannounced)} AND ${op.gte(a.createdAt, now - REPLAY_WINDOW_MS)}`)
    .go({ pages: "all" });
  return (open.data as MaintenanceItem[]).find(
    (m) =>
      m.title === i.title &&
      m.message === i.message &&
      m.startsAt === startsAt &&
      m.endsAt === endsAt &&
      JSON.stringify(m.componentIds) === JSON.stringify(i.componentIds) &&
      m.unannounced?.some((e) => e.kind === "maintenance.scheduled"),
  );
}

export async function create(access: OrgAccess, pageId: string, input: CreateMaintenanceInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const i = CreateMaintenanceInput.parse(input);
  await Components.assertComponentsOf(pageId, i.componentIds);
  const startsAt = instantMs(i.startsAt);
  const endsAt = instantMs(i.endsAt);
  if (endsAt <= now) throw invalid("endsAt", "must be in the future");
  const replay = await replayedCreate(pageId, i, startsAt, endsAt, now);
  if (replay) return advance(replay, now);
  const item: MaintenanceItem = {
    pageId,
    maintenanceId: randomUUID(),
    orgId: access.orgId,
    title: i.title,
    message: i.message,
    startsAt,
    endsAt,
    componentIds: i.componentIds,
    status: "scheduled",
    updates: [update("scheduled", i.message, now)],
    revision: 0,
    createdAt: now,
    updatedAt: now,
  };
  // one starting at once is news when it starts, not twice
  const saved = await save(item, undefined, now, startsAt <= now ? [] : [{ kind: "maintenance.scheduled", updateId: lastUpdateId(item) }]);
  await reschedule(undefined, saved);
  await Audit.record(access, "statusPage.maintenance.create", { type: "maintenance", id: item.maintenanceId });
  // one starting now need not wait for the next tick
  return advance(saved, now);
}

/** Title, message, times or components, until it is completed. */
export async function change(access: OrgAccess, pageId: string, maintenanceId: string, input: UpdateMaintenanceInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, maintenanceId);
  const u = UpdateMaintenanceInput.parse(input);
  if (current.status === "completed") throw new VisibleError("conflict", "maintenance_completed", "Completed maintenance cannot change");
  if (u.componentIds) await Components.assertComponentsOf(pageId, u.componentIds);
  const next = { ...current, ...u, startsAt: instantMs(u.startsAt) ?? current.startsAt, endsAt: instantMs(u.endsAt) ?? current.endsAt };
  if (next.endsAt <= next.startsAt) throw invalid("endsAt", "must be after startsAt");
  if (current.status === "in_progress" && u.startsAt !== undefined) throw invalid("startsAt", "has passed: the maintenance is in progress");
  if (current.status === "in_progress" && (u.endsAt !== undefined || u.componentIds)) {
    // re-mute for the new end and components: clear this maintenance's mute, then set the new one
    if (current.mutedMonitorIds?.length) await Muting.unmute(current.mutedMonitorIds, current.endsAt);
    next.mutedMonitorIds = await monitorsOf(pageId, next.componentIds);
    await Muting.mute(next.mutedMonitorIds, next.endsAt);
  }
  const saved = await save(next, current.revision, now);
  await reschedule(current, saved);
  await Audit.record(access, "statusPage.maintenance.update", { type: "maintenance", id: maintenanceId }, { fields: Object.keys(u) });
  return advance(saved, now);
}

/** By hand: start early, or complete (early or late). */
export async function setStatus(access: OrgAccess, pageId: string, maintenanceId: string, input: MaintenanceStatusInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, maintenanceId);
  const s = MaintenanceStatusInput.parse(input);
  const allowed = (current.status === "scheduled" && s.status === "in_progress") || (current.status === "in_progress" && s.status === "completed");
  if (!allowed) {
    if (current.status === s.status && current.unannounced?.length) return settle(current, current); // a retry whose news was not queued
    throw new VisibleError("conflict", "invalid_transition", `Maintenance that is ${current.status} cannot move to ${s.status}`);
  }
  const saved = s.status === "in_progress" ? await start(current, now, s.message) : await complete(current, now, { message: s.message });
  await Audit.record(access, "statusPage.maintenance.status", { type: "maintenance", id: maintenanceId }, { status: s.status });
  return settle(current, saved);
}

/** Called off before it ends: completed and marked cancelled; a running one stops muting at once. */
export async function cancel(access: OrgAccess, pageId: string, maintenanceId: string, now = Date.now()) {
  const current = await get(access.orgId, pageId, maintenanceId);
  if (current.status === "completed") {
    if (current.cancelled && current.unannounced?.length) return settle(current, current); // a retry whose news was not queued
    throw new VisibleError("conflict", "maintenance_completed", "The maintenance is completed already");
  }
  const saved = await complete(current, now, { cancelled: true });
  await Audit.record(access, "statusPage.maintenance.cancel", { type: "maintenance", id: maintenanceId });
  return settle(current, saved);
}

export async function addUpdate(access: OrgAccess, pageId: string, maintenanceId: string, input: MaintenanceUpdateInput, now = Date.now()) {
  const current = await get(access.orgId, pageId, maintenanceId);
  const { message } = MaintenanceUpdateInput.parse(input);
  return settle(current, await save({ ...current, updates: [...current.updates, update(current.status, message, now)] }, current.revision, now));
}

/**
 * The tick's step: one query for the transitions due by now, then each maintenance moved as
 * far as the clock says. A failure leaves its agenda entry in place for the next minute.
 */
export async function runDue(now = Date.now()): Promise<{ started: number; completed: number }> {
  const { data: due } = await MaintenanceDueEntity.query.byTime({}).between({ at: 0 }, { at: now }).go({ pages: "all" });
  const out = { started: 0, completed: 0 };
  for (const entry of due) {
    try {
      const m = await read(entry.pageId, entry.maintenanceId);
      if (!m || nextTransitionAt(m) !== entry.at) {
        await MaintenanceDueEntity.delete({ at: entry.at, maintenanceId: entry.maintenanceId }).go();
        continue;
      }
      const after = await advance(m, now);
      if (m.status === "scheduled" && after.status !== "scheduled") out.started++;
      if (after.status === "completed") out.completed++;
    } catch (err) {
      Telemetry.log.error("maintenance transition failed", { maintenanceId: entry.maintenanceId, error: String(err) });
    }
  }
  return out;
}
