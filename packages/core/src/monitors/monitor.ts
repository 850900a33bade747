export * as Monitor from "./monitor";

import { Cohort } from "./cohort";
import { CohortLive } from "../history/cohort-live";
import { randomInt, randomUUID } from "node:crypto";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { assertCursorFor } from "../platform/table";
import { Target } from "../check/target";
import { CheckJob } from "../check/check-job";
import { Incident } from "../incident/incident";
import { AlertRecipient } from "../alert/recipients";
import { Channel } from "../channels/channel";
import { dueKeys, dueTimes, heartbeatMonitorKeys } from "../schedule/due-index";
import { Heartbeat } from "../heartbeat/heartbeat";
import { OrgGuard } from "../orgs/guard";

import { MonitorEntity, MonitorQuotaEntity, SlugClaimEntity, type MonitorItem } from "./entity";
import { SlugClaim } from "./slug-claim";
import { UpdateInput, crossFieldIssues, misfits, settingsOf, typeOf, type CreateInput } from "./fields";

export * from "./entity";
export * from "./fields";
export * from "./view";
export { markDown, markUp } from "./state";
export { bySlug, get, getOwned } from "./read";
import { get, getOwned } from "./read";
import { Telemetry } from "../platform/telemetry";
import { Claim } from "../platform/claim";

// ---------- writes ----------

/**
 * How long a create, update or delete can still be between its steps: longer than an API request
 * may run (29 s), plus time for the owner index to catch up. Quota and slug state older than this
 * that disagrees with the monitors is what a killed request left behind, and is repaired.
 */
const SETTLE_MS = 60_000;

async function reserveQuota(ownerId: string, now: number) {
  const limit = config().MONITOR_LIMIT;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await MonitorQuotaEntity.update({ ownerId })
        .add({ count: 1 })
        .set({ changedAt: now })
        .where((a, op) => `${op.notExists(a.count)} OR ${op.lt(a.count, limit)}`)
        .go();
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    if (attempt === 0 && !(await recountQuota(ownerId, now))) break;
  }
  throw new VisibleError("forbidden", "monitor_limit_reached", `This organisation already has the maximum of ${limit} monitors`, { limit });
}

/**
 * Only at the limit: a create killed after reserving, or a delete killed before releasing, leaves
 * the counter above the number of monitors. Once the counter has been still for SETTLE_MS, the
 * owner's monitors are counted and the counter set to that, unless it moved meanwhile.
 */
async function recountQuota(ownerId: string, now: number): Promise<boolean> {
  const { data: quota } = await MonitorQuotaEntity.get({ ownerId }).go({ consistent: true });
  if (!quota || now - (quota.changedAt ?? 0) < SETTLE_MS) return false;
  const { data: monitors } = await MonitorEntity.query.byOwner({ ownerId }).go({ pages: "all", attributes: ["monitorId"] });
  if (monitors.length === quota.count) return false;
  try {
    await MonitorQuotaEntity.patch({ ownerId })
      .set({ count: monitors.length, changedAt: now })
      .where((a, op) =>
        `${op.eq(a.count, quota.count)} AND ${quota.changedAt === undefined ? op.notExists(a.changedAt) : op.eq(a.changedAt, quota.changedAt)}`,
      )
      .go();
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

async function releaseQuota(ownerId: string, now: number) {
  await MonitorQuotaEntity.update({ ownerId }).subtract({ count: 1 }).set({ changedAt: now }).go();
}

/** Tells a recount that a delete is under way, before its monitor disappears from the count. */
async function touchQuota(ownerId: string, now: number) {
  await MonitorQuotaEntity.update({ ownerId }).set({ changedAt: now }).go();
}

/**
 * A claim left by a create or update killed between claiming and writing the monitor (or by one
 * killed before releasing the old slug): old enough that no request still holds it, and the
 * monitor it names does not use the slug.
 */
async function isAbandoned(claim: SlugClaim.Claim, now: number) {
  // a status page's claim is repaired by status-pages/page.ts, never taken over by a monitor
  if (!claim.monitorId || now - (claim.claimedAt ?? 0) < SETTLE_MS) return false;
  return (await get(claim.monitorId))?.slug !== claim.slug;
}

/**
 * Headers go to DynamoDB as a Map: the SDK marshals a plain object only if its `constructor` is
 * Object's, so a header named "constructor" would make the write throw.
 */
const storedHeaders = (headers: Record<string, string> | undefined) => headers && new Map(Object.entries(headers));

export async function create(ownerId: string, ownerEmail: string, input: CreateInput, now = Date.now()): Promise<MonitorItem> {
  const m = settingsOf(input, ownerEmail);
  const heartbeat = m.type === "heartbeat" ? { pingToken: Heartbeat.newToken() } : undefined;
  if (!heartbeat) await Target.assertAllowedTarget(m);
  await Channel.assertOwned(ownerId, m.channelIds ?? [], "channelIds");
  await Channel.assertOwned(ownerId, m.escalationChannelIds, "escalationChannelIds");
  const { accountId } = await OrgGuard.enterCreate(ownerId, now);
  await reserveQuota(ownerId, now);
  try {
    await OrgGuard.takePlace(accountId, "monitors", now);
  } catch (err) {
    await releaseQuota(ownerId, now);
    throw err;
  }
  const monitorId = randomUUID();
  try {
    if (m.slug) await SlugClaim.claim(m.slug, { monitorId }, now, (c) => isAbandoned(c, now));
    const { cohort, offsetSec } = Cohort.choose(monitorId, m.intervalSec, m.type, await cohortCandidates(ownerId));
    const item = {
      monitorId,
      ownerId,
      cohort,
      ...m,
      ...heartbeat,
      channelIds: m.channelIds ?? (await Channel.defaultsOf(ownerId)),
      headers: m.type === "http" ? storedHeaders(m.headers) : undefined,
      offsetSec,
      ...(heartbeat ? heartbeatMonitorKeys() : dueKeys(m.intervalSec, offsetSec, m.paused)),
      state: "pending" as const,
      createdAt: now,
      updatedAt: now,
    };
    if (item.type === "heartbeat") await Heartbeat.arm({ ...item, pingToken: item.pingToken!, graceSec: item.graceSec! }, now);
    await Claim.createFresh(() => MonitorEntity.create(item).go());
  } catch (err) {
    if (heartbeat) await Heartbeat.disarm(heartbeat.pingToken).catch(() => undefined);
    await releaseQuota(ownerId, now);
    await OrgGuard.givePlace(accountId, "monitors", now);
    if (m.slug) await SlugClaim.release(m.slug, { monitorId });
    throw err;
  }
  if (await OrgGuard.deletionStarted(ownerId)) {
    await remove(ownerId, monitorId, now);
    throw OrgGuard.refuseDeleting();
  }
  const created = (await MonitorEntity.get({ monitorId }).go({ consistent: true })).data!;
  await AlertRecipient.requestConfirmations(ownerId, ownerEmail, created.alertEmails, now);
  // The monitor exists now; if this first check cannot be queued, its slot in the schedule still comes.
  await checkSoon(created, now).catch((err) => Telemetry.log.error("first check not queued", { monitorId, error: String(err) }));
  return created;
}

// a user's monitors, a page at a time
export async function listByOwner(ownerId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = MonitorEntity.query.byOwner({ ownerId });
  assertCursorFor(opts.cursor, MonitorEntity, "byOwner", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data, cursor: res.cursor };
}

export async function update(ownerId: string, monitorId: string, input: UpdateInput, now = Date.now()): Promise<MonitorItem> {
  const u = UpdateInput.parse(input);
  const current = await getOwned(ownerId, monitorId);
  const type = typeOf(current);
  if (u.type !== undefined && u.type !== type) {
    throw new VisibleError("invalid", "type_immutable", `A monitor's type cannot change: this one is a ${type} monitor. Create a new monitor for a ${u.type} check.`, {
      type,
    });
  }
  const invalid = (issues: { path: string; message: string }[]) =>
    new VisibleError("invalid", "validation_error", "Request is invalid", issues.map((i) => ({ ...i, code: "custom" })));
  const wrongType = misfits(u, type);
  if (wrongType.length) throw invalid(wrongType);
  await Target.assertAllowedTarget({ url: u.url, host: u.host, resolver: u.resolver });
  const heartbeat = Heartbeat.checkUpdate(current, u);
  if (u.channelIds) await Channel.assertOwned(ownerId, u.channelIds, "channelIds");
  if (u.escalationChannelIds) await Channel.assertOwned(ownerId, u.escalationChannelIds, "escalationChannelIds");

  const intervalSec = u.intervalSec ?? current.intervalSec;
  const retryIntervalSec = u.retryIntervalSec ?? Math.min(current.retryIntervalSec, intervalSec);
  const keyword = u.keyword === null ? undefined : (u.keyword ?? current.keyword);
  const issues = crossFieldIssues({
    intervalSec,
    retryIntervalSec,
    escalateAfterMin: u.escalateAfterMin ?? current.escalateAfterMin ?? 0,
    escalationChannelIds: u.escalationChannelIds ?? current.escalationChannelIds ?? [],
    keyword,
    keywordMode: u.keywordMode ?? undefined,
    match: u.match ?? current.match,
    expectedValues: u.expectedValues ?? current.expectedValues,
  });
  if (issues.length) throw invalid(issues);
  // a new question has no last answer yet: comparing with the old one would report a change
  const newQuestion = u.recordName !== undefined || u.recordType !== undefined || u.resolver !== undefined || u.alertOnChange === false;

  const newSlug = u.slug === undefined ? current.slug : (u.slug ?? undefined);
  if (newSlug && newSlug !== current.slug) await SlugClaim.claim(newSlug, { monitorId }, now, (c) => isAbandoned(c, now));

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
    ...(u.channelIds !== undefined && { channelIds: u.channelIds }),
    ...(u.remindEveryMin !== undefined && { remindEveryMin: u.remindEveryMin }),
    ...(u.escalateAfterMin !== undefined && { escalateAfterMin: u.escalateAfterMin }),
    ...(u.escalationChannelIds !== undefined && { escalationChannelIds: u.escalationChannelIds }),
    ...(u.assertions !== undefined && { assertions: u.assertions }),
    ...(u.degradedAboveMs != null && { degradedAboveMs: u.degradedAboveMs }),
    ...(u.degradedAfterChecks !== undefined && { degradedAfterChecks: u.degradedAfterChecks }),
    ...(u.degradedAlert !== undefined && { degradedAlert: u.degradedAlert }),
    ...(u.certExpiryDays !== undefined && { certExpiryDays: u.certExpiryDays }),
    ...(u.host !== undefined && { host: u.host }),
    ...(u.port !== undefined && { port: u.port }),
    ...(u.tls !== undefined && { tls: u.tls }),
    ...(u.send && { send: u.send }),
    ...(u.expectReply && { expectReply: u.expectReply }),
    ...(u.recordName !== undefined && { recordName: u.recordName }),
    ...(u.recordType !== undefined && { recordType: u.recordType }),
    ...(u.resolver && { resolver: u.resolver }),
    ...(u.expectedValues !== undefined && { expectedValues: u.expectedValues }),
    ...(u.match !== undefined && { match: u.match }),
    ...(u.alertOnChange !== undefined && { alertOnChange: u.alertOnChange }),
    ...(u.headers && { headers: storedHeaders(u.headers) }),
    ...(u.body && { body: u.body }),
    ...(keyword && { keyword, keywordMode: u.keywordMode ?? current.keywordMode ?? "contains" }),
    ...(newSlug && { slug: newSlug }),
    intervalSec,
    retryIntervalSec,
    paused,
    offsetSec,
    ...(heartbeat ? { ...heartbeat.settings, url: Heartbeat.urlText(heartbeat.settings), ...heartbeatMonitorKeys() } : dueKeys(intervalSec, offsetSec, paused)),
    updatedAt: now,
  };
  const remove = [
    ...(u.headers === null ? ["headers" as const] : []),
    ...(u.body === null ? ["body" as const] : []),
    ...(u.degradedAboveMs === null ? ["degradedAboveMs" as const] : []),
    ...(u.keyword === null ? ["keyword" as const, "keywordMode" as const] : []),
    ...(u.send === null ? ["send" as const] : []),
    ...(u.expectReply === null ? ["expectReply" as const] : []),
    ...(u.resolver === null ? ["resolver" as const] : []),
    ...(newQuestion && current.lastAnswer !== undefined ? ["lastAnswer" as const] : []),
    ...(u.slug === null || (newSlug === undefined && current.slug) ? ["slug" as const] : []),
    ...(heartbeat?.settings.cron !== undefined ? ["periodSec" as const] : heartbeat ? ["cron" as const, "timeZone" as const] : []),
  ];
  let op = MonitorEntity.patch({ monitorId }).set(set);
  if (remove.length) op = op.remove(remove);
  await op.go();
  if (current.slug && current.slug !== newSlug) await SlugClaim.release(current.slug, { monitorId });
  const updated = (await MonitorEntity.get({ monitorId }).go({ consistent: true })).data!;
  if (u.alertEmails) await AlertRecipient.requestConfirmations(ownerId, undefined, u.alertEmails, now);
  if (heartbeat && updated.pingToken && (heartbeat.changed || current.paused !== updated.paused)) {
    await Heartbeat.reconfigure({ ...updated, pingToken: updated.pingToken, graceSec: updated.graceSec ?? Heartbeat.DEFAULT_GRACE_SEC }, now);
  }
  if (current.paused && !updated.paused) await checkSoon(updated, now);
  return updated;
}

export async function remove(ownerId: string, monitorId: string, now = Date.now()) {
  let current: MonitorItem | null;
  await touchQuota(ownerId, now);
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
  await releaseQuota(ownerId, now);
  await OrgGuard.givePlace(await OrgGuard.accountOf(ownerId), "monitors", now);
  if (current.slug) await SlugClaim.release(current.slug, { monitorId });
  if (current.pingToken) await Heartbeat.disarm(current.pingToken);
  // Nothing will ever check it again, so an open incident would stay open in listings forever.
  if (current.openIncidentId) await Incident.closeWithoutRecovery(current.openIncidentId, "monitor_deleted");
  // Its seat is free again; its results stay in the cohort's slot items until they expire.
  if (Cohort.hasCohort(current)) await CohortLive.forget({ monitorId, cohort: current.cohort });
}

/** What choosing a cohort needs of the owner's monitors (one query page per ~4,000 monitors). */
async function cohortCandidates(ownerId: string) {
  const { data } = await MonitorEntity.query
    .byOwner({ ownerId })
    .go({ pages: "all", attributes: ["monitorId", "intervalSec", "offsetSec", "type", "cohort"] });
  return data as Array<Pick<MonitorItem, "monitorId" | "intervalSec" | "offsetSec" | "type" | "cohort">>;
}

/**
 * A new (or resumed) monitor gets one check right away instead of waiting for its slot:
 * users expect to see a status within the first interval, even for sub-minute intervals
 * that the one-minute scheduler would otherwise first reach up to a minute later.
 */
async function checkSoon(m: MonitorItem, now: number) {
  // A heartbeat is never probed: its first ping is what it waits for.
  if (m.paused || m.type === "heartbeat") return;
  const snapshot = CheckJob.snapshotOf(m);
  const jobs: CheckJob.Job[] = [{ monitor: snapshot, dueAt: now, kind: "scheduled" }];
  const { TICK_SECONDS, TICK_LOOKAHEAD } = config();
  if (TICK_LOOKAHEAD) {
    // Each tick fans out the next window ahead of time, so this window and the next one were
    // queued before this monitor existed: its slots in them are queued here, or it would wait
    // up to two windows for its first scheduled check (a slot queued twice stores one result).
    const nowSec = Math.floor(now / 1000);
    const current = nowSec - (nowSec % TICK_SECONDS);
    const slots = [...dueTimes(m, current, TICK_SECONDS), ...dueTimes(m, current + TICK_SECONDS, TICK_SECONDS)].filter((t) => t * 1000 > now);
    for (const t of slots) jobs.push({ monitor: snapshot, dueAt: t * 1000, kind: "scheduled" });
  }
  await CheckJob.enqueue(jobs, now);
}

