export * as Monitor from "./monitor";

import { randomInt, randomUUID } from "node:crypto";
import { Entity } from "electrodb";
import { z } from "zod";
import { config } from "./config";
import { VisibleError, isConditionalCheckFailed, notFound } from "./errors";
import { assertCursorFor, bindToTable, entityOptions } from "./table";
import { Target } from "./target";
import { CheckJob } from "./check-job";
import { Incident } from "./incident";

export const INTERVALS = [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const STATUSES = ["up", "down", "pending", "paused"] as const;

/**
 * The scheduler's access pattern lives in the `due` index (gsi2). Each monitor has a fixed
 * offset inside its interval; a window query then names exactly the monitors due in it:
 * - intervals up to a minute share one partition per interval (`i30`), sorted by offset;
 * - longer intervals get one partition per minute of their cycle (`i300m2`), sorted by the
 *   second inside that minute.
 * So a tick reads the due monitors and nothing else, however many monitors exist.
 * Paused monitors move to the `paused` partition, which no tick ever reads.
 */
export function dueKeys(intervalSec: number, offsetSec: number, paused: boolean) {
  const dueSecond = offsetSec % 60;
  const dueBucket = paused ? "paused" : intervalSec <= 60 ? `i${intervalSec}` : `i${intervalSec}m${Math.floor(offsetSec / 60)}`;
  return { dueBucket, dueSk: `${String(dueSecond).padStart(2, "0")}#` };
}

export const MonitorEntity = bindToTable(
  new Entity(
    {
      model: { entity: "monitor", version: "1", service: "uptime" },
      attributes: {
        monitorId: { type: "string", required: true },
        ownerId: { type: "string", required: true },
        name: { type: "string", required: true },
        url: { type: "string", required: true },
        method: { type: METHODS, required: true, default: "GET" },
        headers: { type: "any" },
        body: { type: "string" },
        expectedStatus: { type: "list", items: { type: "string" }, required: true },
        timeoutMs: { type: "number", required: true },
        intervalSec: { type: "number", required: true },
        keyword: { type: "string" },
        keywordMode: { type: ["contains", "not-contains"] as const },
        failureThreshold: { type: "number", required: true },
        recoveryThreshold: { type: "number", required: true },
        retryIntervalSec: { type: "number", required: true },
        paused: { type: "boolean", required: true, default: false },
        slug: { type: "string" },
        alertEmails: { type: "list", items: { type: "string" }, required: true },
        offsetSec: { type: "number", required: true },
        dueBucket: { type: "string", required: true },
        dueSk: { type: "string", required: true },
        // Live state, written only on transitions (never per successful check).
        state: { type: ["pending", "up", "down"] as const, required: true, default: "pending" },
        openIncidentId: { type: "string" },
        stateChangedAt: { type: "number" },
        createdAt: { type: "number", required: true },
        updatedAt: { type: "number", required: true },
      },
      indexes: {
        // one monitor
        byId: { pk: { field: "pk", composite: ["monitorId"] }, sk: { field: "sk", composite: [] } },
        // a user's monitors, oldest first
        byOwner: {
          index: "gsi1",
          pk: { field: "gsi1pk", composite: ["ownerId"] },
          sk: { field: "gsi1sk", composite: ["createdAt", "monitorId"] },
        },
        // monitors due in a scheduler window (see dueKeys)
        due: {
          index: "gsi2",
          pk: { field: "gsi2pk", composite: ["dueBucket"] },
          sk: { field: "gsi2sk", composite: ["dueSk", "monitorId"] },
        },
      },
    },
    entityOptions(),
  ),
);

/** Monitors per account: a counter updated with a condition, so concurrent creates cannot overshoot. */
export const MonitorQuotaEntity = bindToTable(
  new Entity(
    {
      model: { entity: "monitorQuota", version: "1", service: "uptime" },
      attributes: {
        ownerId: { type: "string", required: true },
        count: { type: "number", required: true, default: 0 },
      },
      indexes: {
        // the monitor count of one account
        byOwner: { pk: { field: "pk", composite: ["ownerId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

/** Public status page slugs are unique across the system: one claim item per slug. */
export const SlugClaimEntity = bindToTable(
  new Entity(
    {
      model: { entity: "slugClaim", version: "1", service: "uptime" },
      attributes: {
        slug: { type: "string", required: true },
        monitorId: { type: "string", required: true },
      },
      indexes: {
        // which monitor a public slug belongs to
        bySlug: { pk: { field: "pk", composite: ["slug"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

export type MonitorItem = NonNullable<Awaited<ReturnType<ReturnType<typeof MonitorEntity.get>["go"]>>["data"]>;

// ---------- input ----------

const StatusRange = z
  .union([z.number().int(), z.string().trim()])
  .transform((v) => String(v))
  .refine((s) => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(s);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    return lo >= 100 && hi <= 599 && lo <= hi;
  }, "must be a status code like 200 or a range like \"200-299\" within 100-599");

const HeaderName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, "must be a valid header name").max(100);

const Fields = {
  name: z.string().trim().min(1).max(100),
  url: z
    .url({ protocol: /^https?$/, message: "must be an http or https URL" })
    .max(2048),
  method: z.enum(METHODS),
  headers: z
    .record(HeaderName, z.string().max(4096))
    .refine((h) => Object.keys(h).length <= 20, "at most 20 headers"),
  body: z.string().max(16384),
  expectedStatus: z.array(StatusRange).min(1).max(20),
  timeoutMs: z.number().int().min(100).max(30000),
  intervalSec: z
    .number()
    .int()
    .refine((v) => (INTERVALS as readonly number[]).includes(v), `must be one of ${INTERVALS.join(", ")}`),
  keyword: z.string().min(1).max(1024),
  keywordMode: z.enum(["contains", "not-contains"]),
  failureThreshold: z.number().int().min(1).max(10),
  recoveryThreshold: z.number().int().min(1).max(10),
  retryIntervalSec: z.number().int().min(5).max(3600),
  paused: z.boolean(),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, "3-64 characters: lowercase letters, digits and inner hyphens"),
  alertEmails: z.array(z.email().toLowerCase()).min(1).max(10),
};

export const CreateInput = z
  .object({
    name: Fields.name,
    url: Fields.url,
    method: Fields.method.default("GET"),
    headers: Fields.headers.optional(),
    body: Fields.body.optional(),
    expectedStatus: Fields.expectedStatus.default(["200-399"]),
    timeoutMs: Fields.timeoutMs.default(10000),
    intervalSec: Fields.intervalSec.default(60),
    keyword: Fields.keyword.optional(),
    keywordMode: Fields.keywordMode.optional(),
    failureThreshold: Fields.failureThreshold.default(3),
    recoveryThreshold: Fields.recoveryThreshold.default(1),
    retryIntervalSec: Fields.retryIntervalSec.optional(),
    paused: Fields.paused.default(false),
    slug: Fields.slug.optional(),
    alertEmails: Fields.alertEmails.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.retryIntervalSec !== undefined && m.retryIntervalSec > m.intervalSec) {
      ctx.addIssue({ code: "custom", path: ["retryIntervalSec"], message: "must not be longer than intervalSec" });
    }
    if (m.keywordMode && !m.keyword) ctx.addIssue({ code: "custom", path: ["keywordMode"], message: "needs a keyword" });
  });
export type CreateInput = z.input<typeof CreateInput>;

export const UpdateInput = z
  .object({
    name: Fields.name,
    url: Fields.url,
    method: Fields.method,
    headers: Fields.headers.nullable(),
    body: Fields.body.nullable(),
    expectedStatus: Fields.expectedStatus,
    timeoutMs: Fields.timeoutMs,
    intervalSec: Fields.intervalSec,
    keyword: Fields.keyword.nullable(),
    keywordMode: Fields.keywordMode.nullable(),
    failureThreshold: Fields.failureThreshold,
    recoveryThreshold: Fields.recoveryThreshold,
    retryIntervalSec: Fields.retryIntervalSec,
    paused: Fields.paused,
    slug: Fields.slug.nullable(),
    alertEmails: Fields.alertEmails,
  })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateInput = z.input<typeof UpdateInput>;

// ---------- output ----------

export const Info = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  method: z.enum(METHODS),
  headers: z.record(z.string(), z.string()),
  body: z.string().nullable(),
  expectedStatus: z.array(z.string()),
  timeoutMs: z.number(),
  intervalSec: z.number(),
  keyword: z.string().nullable(),
  keywordMode: z.enum(["contains", "not-contains"]).nullable(),
  failureThreshold: z.number(),
  recoveryThreshold: z.number(),
  retryIntervalSec: z.number(),
  paused: z.boolean(),
  slug: z.string().nullable(),
  alertEmails: z.array(z.string()),
  status: z.enum(STATUSES),
  lastCheckedAt: z.string().nullable(),
  lastLatencyMs: z.number().nullable(),
  lastError: z.string().nullable(),
  openIncidentId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Info = z.infer<typeof Info>;

export interface LastCheck {
  at: number;
  ok: boolean;
  latencyMs: number;
  message?: string | null;
}

export function status(m: Pick<MonitorItem, "paused" | "state" | "openIncidentId">): Info["status"] {
  if (m.paused) return "paused";
  if (m.openIncidentId) return "down";
  return m.state;
}

export function toInfo(m: MonitorItem, last?: LastCheck): Info {
  return {
    id: m.monitorId,
    name: m.name,
    url: m.url,
    method: m.method,
    headers: (m.headers as Record<string, string> | undefined) ?? {},
    body: m.body ?? null,
    expectedStatus: m.expectedStatus,
    timeoutMs: m.timeoutMs,
    intervalSec: m.intervalSec,
    keyword: m.keyword ?? null,
    keywordMode: m.keyword ? (m.keywordMode ?? "contains") : null,
    failureThreshold: m.failureThreshold,
    recoveryThreshold: m.recoveryThreshold,
    retryIntervalSec: m.retryIntervalSec,
    paused: m.paused,
    slug: m.slug ?? null,
    alertEmails: m.alertEmails,
    status: status(m),
    lastCheckedAt: last ? new Date(last.at).toISOString() : null,
    lastLatencyMs: last ? last.latencyMs : null,
    lastError: last && !last.ok ? (last.message ?? "check failed") : null,
    openIncidentId: m.openIncidentId ?? null,
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}

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
  const m = CreateInput.parse(input);
  await Target.assertAllowedUrl(m.url);
  await reserveQuota(ownerId);
  const monitorId = randomUUID();
  try {
    if (m.slug) await claimSlug(m.slug, monitorId);
    const offsetSec = randomInt(0, m.intervalSec);
    const item = {
      monitorId,
      ownerId,
      name: m.name,
      url: m.url,
      method: m.method,
      headers: m.headers,
      body: m.body,
      expectedStatus: m.expectedStatus,
      timeoutMs: m.timeoutMs,
      intervalSec: m.intervalSec,
      keyword: m.keyword,
      keywordMode: m.keyword ? (m.keywordMode ?? "contains") : undefined,
      failureThreshold: m.failureThreshold,
      recoveryThreshold: m.recoveryThreshold,
      retryIntervalSec: m.retryIntervalSec ?? Math.min(20, m.intervalSec),
      paused: m.paused,
      slug: m.slug,
      alertEmails: m.alertEmails ?? [ownerEmail],
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

// ---------- state transitions (called by the checker) ----------

/** Marks the monitor down with this incident, unless another incident is already open. */
export async function markDown(monitorId: string, incidentId: string, at: number): Promise<"marked" | "already" | "other"> {
  try {
    await MonitorEntity.patch({ monitorId })
      .set({ openIncidentId: incidentId, state: "down", stateChangedAt: at })
      .where((a, op) => `${op.notExists(a.openIncidentId)} OR ${op.eq(a.openIncidentId, incidentId)}`)
      .go();
    return "marked";
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const m = await get(monitorId);
    return m?.openIncidentId === incidentId ? "already" : "other";
  }
}

/** Clears the open incident if it is still this one. */
export async function markUp(monitorId: string, incidentId: string | undefined, at: number) {
  try {
    let op = MonitorEntity.patch({ monitorId }).set({ state: "up", stateChangedAt: at });
    if (incidentId) op = op.remove(["openIncidentId"]);
    await op
      .where((a, o) => (incidentId ? o.eq(a.openIncidentId, incidentId) : o.notExists(a.openIncidentId)))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
