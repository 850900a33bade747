export * as Monitor from "./monitor";

import { randomInt, randomUUID } from "node:crypto";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { assertCursorFor } from "../platform/table";
import { Target } from "../check/target";
import { CheckJob } from "../check/check-job";
import { Incident } from "../incident/incident";
import { AlertRecipient } from "../alert/recipients";
import { dueKeys } from "../schedule/due-index";

import { MonitorEntity, MonitorQuotaEntity, SlugClaimEntity, type MonitorItem } from "./entity";
import { UpdateInput, settingsOf, type CreateInput } from "./fields";

export * from "./entity";
export * from "./fields";
export * from "./view";
export { markDown, markUp } from "./state";

// ---------- writes ----------

async function reserveQuota(ownerId: string) {
  const limit = config().MONITOR_LIMIT;
  try {
    await MonitorQuotaEntity.update({ ownerId })
      .add({ count: 1 })
      .where((a, op) => `${op.notExists(a.count)} OR ${op.lt(a.count, limit)}`)
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    throw new VisibleError("forbidden", "monitor_limit_reached", `This account already has the maximum of ${limit} monitors`, { limit });
  }
}

async function releaseQuota(ownerId: string) {
  await MonitorQuotaEntity.update({ ownerId }).subtract({ count: 1 }).go();
}

async function claimSlug(slug: string, monitorId: string) {
  try {
    await SlugClaimEntity.create({ slug, monitorId }).go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const { data } = await SlugClaimEntity.get({ slug }).go({ consistent: true });
    if (data?.monitorId === monitorId) return;
    throw new VisibleError("conflict", "slug_taken", `The slug "${slug}" is already in use`);
  }
}

async function releaseSlug(slug: string, monitorId: string) {
  try {
    await SlugClaimEntity.delete({ slug })
      .where((a, op) => op.eq(a.monitorId, monitorId))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

export async function create(ownerId: string, ownerEmail: string, input: CreateInput, now = Date.now()): Promise<MonitorItem> {
  const m = settingsOf(input, ownerEmail);
  await Target.assertAllowedUrl(m.url);
  await reserveQuota(ownerId);
  const monitorId = randomUUID();
  try {
    if (m.slug) await claimSlug(m.slug, monitorId);
    const offsetSec = randomInt(0, m.intervalSec);
    const item = {
      monitorId,
      ownerId,
      ...m,
      offsetSec,
      ...dueKeys(m.intervalSec, offsetSec, m.paused),
      state: "pending" as const,
      createdAt: now,
      updatedAt: now,
    };
    await MonitorEntity.create(item).go();
  } catch (err) {
    await releaseQuota(ownerId);
    if (m.slug) await releaseSlug(m.slug, monitorId);
    throw err;
  }
  const created = (await MonitorEntity.get({ monitorId }).go({ consistent: true })).data!;
  await AlertRecipient.requestConfirmations(ownerId, ownerEmail, created.alertEmails, now);
  // The monitor exists now; if this first check cannot be queued, its slot in the schedule still comes.
  await checkSoon(created, now).catch((err) => console.error(JSON.stringify({ msg: "first check not queued", monitorId, error: String(err) })));
  return created;
}

/** The monitor if the actor owns it. Another user's monitor is "not found", never "forbidden". */
export async function getOwned(ownerId: string, monitorId: string): Promise<MonitorItem> {
  const { data } = await MonitorEntity.get({ monitorId }).go({ consistent: true });
  if (!data || data.ownerId !== ownerId) throw notFound("Monitor");
  return data;
}

export async function get(monitorId: string, opts: { consistent?: boolean } = {}): Promise<MonitorItem | undefined> {
  const { data } = await MonitorEntity.get({ monitorId }).go({ consistent: opts.consistent ?? true });
  return data ?? undefined;
}

export async function bySlug(slug: string): Promise<MonitorItem | undefined> {
  const { data } = await SlugClaimEntity.get({ slug: slug.toLowerCase() }).go();
  if (!data) return undefined;
  // Public pages tolerate a second of staleness; an eventually consistent read costs half.
  return get(data.monitorId, { consistent: false });
}

// a user's monitors, a page at a time
export async function listByOwner(ownerId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = MonitorEntity.query.byOwner({ ownerId });
  assertCursorFor(opts.cursor, query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data, cursor: res.cursor };
}

export async function update(ownerId: string, monitorId: string, input: UpdateInput, now = Date.now()): Promise<MonitorItem> {
  const u = UpdateInput.parse(input);
  const current = await getOwned(ownerId, monitorId);
  if (u.url) await Target.assertAllowedUrl(u.url);

  const intervalSec = u.intervalSec ?? current.intervalSec;
  const retryIntervalSec = u.retryIntervalSec ?? Math.min(current.retryIntervalSec, intervalSec);
  if (retryIntervalSec > intervalSec) {
    throw new VisibleError("invalid", "validation_error", "Request is invalid", [
      { path: "retryIntervalSec", message: "must not be longer than intervalSec", code: "custom" },
    ]);
  }
  const keyword = u.keyword === null ? undefined : (u.keyword ?? current.keyword);
  if (u.keywordMode && !keyword) {
    throw new VisibleError("invalid", "validation_error", "Request is invalid", [
      { path: "keywordMode", message: "needs a keyword", code: "custom" },
    ]);
  }

  const newSlug = u.slug === undefined ? current.slug : (u.slug ?? undefined);
  if (newSlug && newSlug !== current.slug) await claimSlug(newSlug, monitorId);

  const paused = u.paused ?? current.paused;
  const offsetSec = intervalSec === current.intervalSec ? current.offsetSec : randomInt(0, intervalSec);
  const set = {
    ...(u.name !== undefined && { name: u.name }),
    ...(u.url !== undefined && { url: u.url }),
    ...(u.method !== undefined && { method: u.method }),
    ...(u.expectedStatus !== undefined && { expectedStatus: u.expectedStatus }),
    ...(u.timeoutMs !== undefined && { timeoutMs: u.timeoutMs }),
    ...(u.failureThreshold !== undefined && { failureThreshold: u.failureThreshold }),
    ...(u.recoveryThreshold !== undefined && { recoveryThreshold: u.recoveryThreshold }),
    ...(u.alertEmails !== undefined && { alertEmails: u.alertEmails }),
    ...(u.headers && { headers: u.headers }),
    ...(u.body && { body: u.body }),
    ...(keyword && { keyword, keywordMode: u.keywordMode ?? current.keywordMode ?? "contains" }),
    ...(newSlug && { slug: newSlug }),
    intervalSec,
    retryIntervalSec,
    paused,
    offsetSec,
    ...dueKeys(intervalSec, offsetSec, paused),
    updatedAt: now,
  };
  const remove = [
    ...(u.headers === null ? ["headers" as const] : []),
    ...(u.body === null ? ["body" as const] : []),
    ...(u.keyword === null ? ["keyword" as const, "keywordMode" as const] : []),
    ...(u.slug === null || (newSlug === undefined && current.slug) ? ["slug" as const] : []),
  ];
  let op = MonitorEntity.patch({ monitorId }).set(set);
  if (remove.length) op = op.remove(remove);
  await op.go();
  if (current.slug && current.slug !== newSlug) await releaseSlug(current.slug, monitorId);
  const updated = (await MonitorEntity.get({ monitorId }).go({ consistent: true })).data!;
  if (u.alertEmails) await AlertRecipient.requestConfirmations(ownerId, undefined, u.alertEmails, now);
  if (current.paused && !updated.paused) await checkSoon(updated, now);
  return updated;
}

export async function remove(ownerId: string, monitorId: string) {
  let current: MonitorItem | null;
  try {
    // The item as it was at deletion, not as read before: an incident opened in between still gets closed.
    const res = await MonitorEntity.delete({ monitorId })
      .where((a, op) => op.eq(a.ownerId, ownerId))
      .go({ response: "all_old" });
    current = res.data as MonitorItem | null;
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw notFound("Monitor");
    throw err;
  }
  if (!current) throw notFound("Monitor");
  await releaseQuota(ownerId);
  if (current.slug) await releaseSlug(current.slug, monitorId);
  // Nothing will ever check it again, so an open incident would stay open in listings forever.
  if (current.openIncidentId) await Incident.closeWithoutRecovery(current.openIncidentId, "monitor_deleted");
}

/**
 * A new (or resumed) monitor gets one check right away instead of waiting for its slot:
 * users expect to see a status within the first interval, even for sub-minute intervals
 * that the one-minute scheduler would otherwise first reach up to a minute later.
 */
async function checkSoon(m: MonitorItem, now: number) {
  if (m.paused) return;
  await CheckJob.enqueue([{ monitor: CheckJob.snapshotOf(m), dueAt: now, kind: "scheduled" }], now);
}

