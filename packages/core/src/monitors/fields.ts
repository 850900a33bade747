import { z } from "zod";
import { UserText } from "../platform/user-text";
import { HTTP_ONLY, HTTP_PLACEHOLDERS, HeartbeatSettings, refineSettings, stored, urlText } from "../heartbeat/fields";

export const INTERVALS = [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const KEYWORD_MODES = ["contains", "not-contains"] as const;
/** The live state stored on a monitor. */
export const STATES = ["pending", "up", "down"] as const;
/** The status shown for a monitor: its state, or paused. */
export const STATUSES = ["up", "down", "pending", "paused"] as const;

/**
 * A monitor's settings, as stored and shown: every field once. The API's input rules are in
 * `Rules`; the view, the queued job's snapshot and the probe request pick from this object.
 */
export const Fields = z.object({
  name: z.string(),
  url: z.string(),
  method: z.enum(METHODS),
  headers: z.record(z.string(), z.string()),
  body: z.string(),
  /** Exact codes ("200") or inclusive ranges ("200-299"). */
  expectedStatus: z.array(z.string()),
  timeoutMs: z.number(),
  intervalSec: z.number(),
  keyword: z.string(),
  keywordMode: z.enum(KEYWORD_MODES),
  failureThreshold: z.number(),
  recoveryThreshold: z.number(),
  retryIntervalSec: z.number(),
  paused: z.boolean(),
  slug: z.string(),
  alertEmails: z.array(z.string()),
  channelIds: z.array(z.string()),
  /** Minutes between reminders while the monitor stays down and nobody acknowledged; 0: no reminders. */
  remindEveryMin: z.number(),
  /** Minutes after which an unacknowledged incident also goes to escalationChannelIds; 0: no escalation. */
  escalateAfterMin: z.number(),
  escalationChannelIds: z.array(z.string()),
});
export type Fields = z.infer<typeof Fields>;

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
/** RFC 9110 field-value: visible ASCII, obs-text, SP and HTAB. A CR or LF would split the request. */
const HeaderValue = z
  .string()
  .max(4096)
  .regex(/^[\t\x20-\x7e\x80-\xff]*$/, "must hold only visible characters, spaces and tabs (no CR, LF or other control characters)");
const HeaderMap = z.record(HeaderName, HeaderValue).refine((h) => Object.keys(h).length <= 20, "at most 20 headers");
/**
 * zod (like any plain-object assignment) silently drops a key named "__proto__", and the
 * DynamoDB SDK loses it when it reads a map back, so such a header could never be sent:
 * refused rather than dropped.
 */
const Headers = z.preprocess((value, ctx) => {
  if (value && typeof value === "object" && Object.hasOwn(value, "__proto__")) {
    ctx.addIssue({ code: "custom", path: ["__proto__"], message: "this header name is not supported", input: value });
  }
  return value;
}, HeaderMap);

/** Public status page addresses (/status/{slug}): one namespace for monitors' and organisations' pages. */
export const Slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, "3-64 characters: lowercase letters, digits and inner hyphens");

/** What the API accepts for each field: one rule per field of `Fields`, producing that field's type. */
const Rules = z.object({
  // Names land in email subjects: no control characters (CR/LF would be a header injection attempt).
  name: z.string().trim().min(1).max(100).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE),
  url: z
    .url({ protocol: /^https?$/, message: "must be an http or https URL" })
    .max(2048),
  method: Fields.shape.method,
  headers: Headers,
  body: z.string().max(16384),
  expectedStatus: z.array(StatusRange).min(1).max(20),
  timeoutMs: z.number().int().min(100).max(30000),
  intervalSec: z
    .number()
    .int()
    .refine((v) => (INTERVALS as readonly number[]).includes(v), `must be one of ${INTERVALS.join(", ")}`),
  keyword: z.string().min(1).max(1024),
  keywordMode: Fields.shape.keywordMode,
  failureThreshold: z.number().int().min(1).max(10),
  recoveryThreshold: z.number().int().min(1).max(10),
  retryIntervalSec: z.number().int().min(5).max(3600),
  paused: z.boolean(),
  slug: Slug,
  alertEmails: z
    .array(z.email().toLowerCase())
    .min(1)
    .max(10)
    .describe(
      "Who gets this monitor's alert emails (default: your account's email). Any other address first gets one confirmation email and receives alerts only after it confirms; an address that declines gets nothing from your account. An incident keeps the addresses it had when it opened: its RECOVERED email goes to those (if confirmed and not declined by then), not to addresses added during the incident.",
    ),
  channelIds: z
    .array(z.string().min(1).max(100))
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, "must not repeat a channel")
    .describe(
      "The organisation's alert channels this monitor notifies (default: its channels marked default). An incident keeps the channels it had when it opened: its recovery, reminders and acknowledgement go to those (if they still exist), not to channels added during the incident.",
    ),
  remindEveryMin: z.number().int().refine((v) => v === 0 || (v >= 5 && v <= 1440), "0 (off) or 5-1440 minutes"),
  escalateAfterMin: z.number().int().min(0).max(1440),
  escalationChannelIds: z.array(z.string().min(1).max(100)).max(20),
} satisfies { [K in keyof Fields]: z.ZodType<Fields[K]> });

const HttpCreateInput = Rules.partial({
  headers: true,
  body: true,
  keyword: true,
  keywordMode: true,
  retryIntervalSec: true,
  slug: true,
  alertEmails: true,
  channelIds: true,
})
  .extend({
    type: z.literal("http").optional(),
    remindEveryMin: Rules.shape.remindEveryMin.default(0),
    escalateAfterMin: Rules.shape.escalateAfterMin.default(0),
    escalationChannelIds: Rules.shape.escalationChannelIds.default([]),
    method: Rules.shape.method.default("GET"),
    expectedStatus: Rules.shape.expectedStatus.default(["200-399"]),
    timeoutMs: Rules.shape.timeoutMs.default(10000),
    intervalSec: Rules.shape.intervalSec.default(60),
    failureThreshold: Rules.shape.failureThreshold.default(3),
    recoveryThreshold: Rules.shape.recoveryThreshold.default(1),
    paused: Rules.shape.paused.default(false),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (m.retryIntervalSec !== undefined && m.retryIntervalSec > m.intervalSec) {
      ctx.addIssue({ code: "custom", path: ["retryIntervalSec"], message: "must not be longer than intervalSec" });
    }
    if (m.keywordMode && !m.keyword) ctx.addIssue({ code: "custom", path: ["keywordMode"], message: "needs a keyword" });
    if (m.escalateAfterMin > 0 && m.escalationChannelIds.length === 0) {
      ctx.addIssue({ code: "custom", path: ["escalationChannelIds"], message: "escalation needs at least one channel" });
    }
  });

/** A heartbeat (push) monitor: the settings every monitor has, plus its schedule (heartbeat/fields.ts). */
const HeartbeatCreateInput = z
  .object({ type: z.literal("heartbeat") })
  .extend(Object.fromEntries(Object.entries(HttpCreateInput.shape).filter(([k]) => k !== "type" && !(HTTP_ONLY as readonly string[]).includes(k))) as Omit<typeof HttpCreateInput.shape, "type" | (typeof HTTP_ONLY)[number]>)
  .extend(HeartbeatSettings.shape)
  .strict()
  .superRefine(refineSettings);

/** One schema per monitor `type`; no type means an HTTP monitor, as before types existed. */
export const CreateInput = z.discriminatedUnion("type", [HttpCreateInput, HeartbeatCreateInput]);
export type CreateInput = z.input<typeof CreateInput>;

/** Fields a PATCH may clear by sending null. */
const clearable = {
  headers: Rules.shape.headers.nullable(),
  body: Rules.shape.body.nullable(),
  keyword: Rules.shape.keyword.nullable(),
  keywordMode: Rules.shape.keywordMode.nullable(),
  slug: Rules.shape.slug.nullable(),
};

export const UpdateInput = Rules.extend(clearable)
  .extend(HeartbeatSettings.shape)
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateInput = z.input<typeof UpdateInput>;

/**
 * The settings Monitor.create stores for a request: the request's own, plus the defaults that
 * depend on other fields or on the owner.
 */
export function settingsOf(input: CreateInput, ownerEmail: string) {
  const m = CreateInput.parse(input);
  if (m.type === "heartbeat") {
    const { periodSec, cron, timeZone, graceSec, ...common } = m;
    const schedule = stored({ periodSec, cron, timeZone, graceSec });
    return { ...common, ...HTTP_PLACEHOLDERS, url: urlText(schedule), ...schedule, alertEmails: m.alertEmails ?? [ownerEmail] };
  }
  return {
    ...m,
    keywordMode: m.keyword ? (m.keywordMode ?? "contains") : undefined,
    retryIntervalSec: m.retryIntervalSec ?? Math.min(20, m.intervalSec),
    alertEmails: m.alertEmails ?? [ownerEmail],
  };
}
