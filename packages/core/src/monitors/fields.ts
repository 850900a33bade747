import net from "node:net";
import { z } from "zod";
import { parseHostPort } from "../check/target";
import { UserText } from "../platform/user-text";
import { Assertions } from "../check/assertions";
import { HTTP_PLACEHOLDERS, HeartbeatSettings, refineSettings, stored, urlText } from "../heartbeat/fields";
import { DEFAULT_CERT_EXPIRY_DAYS, DEFAULT_DEGRADED_AFTER_CHECKS, DnsFields, HttpFields, INTERVALS, MONITOR_TYPES, Slug, type CommonFields, type MonitorType, type TcpFields } from "./shape";

export * from "./shape";

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

/**
 * A DNS name, or an IP literal for a TCP host: letters, digits, hyphens and underscores (service
 * labels such as _dmarc), labels of at most 63 characters, at most 253 in all.
 */
const HostName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .refine(
    (s) => net.isIP(s.replace(/^\[(.*)\]$/, "$1")) !== 0 || /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.?$/.test(s),
    "must be a host name like db.example.com or an IP address",
  );

const ResolverAddress = z
  .string()
  .trim()
  .refine((s) => parseHostPort(s, 53) !== undefined && net.isIP(parseHostPort(s, 53)!.host) !== 0, "must be an IP address, optionally with a port: 1.1.1.1, 1.1.1.1:53 or [2606:4700::1111]:53");

/** What the API accepts for each common field: one rule per field of `CommonFields`, producing that field's type. */
const CommonRules = z.object({
  // Names land in email subjects: no control characters (CR/LF would be a header injection attempt).
  name: z.string().trim().min(1).max(100).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE),
  timeoutMs: z.number().int().min(100).max(30000),
  intervalSec: z
    .number()
    .int()
    .refine((v) => (INTERVALS as readonly number[]).includes(v), `must be one of ${INTERVALS.join(", ")}`),
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
  degradedAboveMs: z.number().int().min(1).max(60000).describe("A passing check slower than this (ms) is slow; degradedAfterChecks slow checks in a row make the monitor degraded. Unset: never degraded."),
  degradedAfterChecks: z.number().int().min(1).max(10),
  degradedAlert: z.boolean().describe("Alert the monitor's emails and channels when it turns degraded (default true; only with degradedAboveMs)."),
} satisfies { [K in keyof CommonFields]: z.ZodType<CommonFields[K]> });

const CertExpiryDays = z
  .array(z.number().int().min(1).max(365))
  .max(10)
  .refine((d) => new Set(d).size === d.length, "must not repeat a day")
  .describe("Warn this many days before the certificate (HTTPS, or TCP with TLS) expires, once per threshold and certificate (default 30, 14, 7, 1; [] turns warnings off).");

/** Each type's own fields (without `type`), with the same rule shape as CommonRules. */
type RulesOf<F> = { [K in Exclude<keyof F, "type">]: z.ZodType<F[K]> };

const HttpRules = z.object({
  url: z
    .url({ protocol: /^https?$/, message: "must be an http or https URL" })
    .max(2048),
  method: HttpFields.shape.method,
  headers: Headers,
  body: z.string().max(16384),
  expectedStatus: z.array(StatusRange).min(1).max(20),
  keyword: z.string().min(1).max(1024),
  keywordMode: HttpFields.shape.keywordMode,
  assertions: z
    .array(z.string().max(Assertions.MAX_EXPRESSION_CHARS))
    .max(Assertions.MAX_ASSERTIONS)
    .superRefine((list, ctx) => {
      for (const e of Assertions.validate(list)) {
        ctx.addIssue({ code: "custom", path: [e.index], message: `at character ${e.position + 1}: ${e.message}`, params: { index: e.index, position: e.position } });
      }
    })
    .describe('Each must hold for the check to pass, e.g. `$.status == "ok"`, `header.content-type contains "json"`, `responseTime < 500`, `body matches /ok/i` (docs/monitor-types.md, "Assertions"). A 400 names the assertion (path assertions.N) and the character (details[].position, 0-based).'),
  certExpiryDays: CertExpiryDays,
} satisfies RulesOf<HttpFields>);

const TcpRules = z.object({
  host: HostName,
  port: z.number().int().min(1).max(65535),
  tls: z.boolean(),
  send: z.string().min(1).max(1024),
  expectReply: z.string().min(1).max(1024),
  certExpiryDays: CertExpiryDays,
} satisfies RulesOf<TcpFields>);

const DnsRules = z.object({
  recordName: HostName,
  recordType: DnsFields.shape.recordType,
  resolver: ResolverAddress,
  expectedValues: z.array(z.string().trim().min(1).max(1024)).max(20),
  match: DnsFields.shape.match,
  alertOnChange: z.boolean(),
} satisfies RulesOf<DnsFields>);

/** The fields each type accepts besides the common ones (the names a PATCH may send for it). */
export const TYPE_FIELDS: Record<MonitorType, readonly string[]> = {
  http: Object.keys(HttpRules.shape),
  tcp: Object.keys(TcpRules.shape),
  dns: Object.keys(DnsRules.shape),
  heartbeat: Object.keys(HeartbeatSettings.shape),
};

const CommonCreate = CommonRules.partial({
  retryIntervalSec: true,
  slug: true,
  alertEmails: true,
  channelIds: true,
  degradedAboveMs: true,
}).extend({
  degradedAfterChecks: CommonRules.shape.degradedAfterChecks.default(DEFAULT_DEGRADED_AFTER_CHECKS),
  degradedAlert: CommonRules.shape.degradedAlert.default(true),
  remindEveryMin: CommonRules.shape.remindEveryMin.default(0),
  escalateAfterMin: CommonRules.shape.escalateAfterMin.default(0),
  escalationChannelIds: CommonRules.shape.escalationChannelIds.default([]),
  timeoutMs: CommonRules.shape.timeoutMs.default(10000),
  intervalSec: CommonRules.shape.intervalSec.default(60),
  failureThreshold: CommonRules.shape.failureThreshold.default(3),
  recoveryThreshold: CommonRules.shape.recoveryThreshold.default(1),
  paused: CommonRules.shape.paused.default(false),
});

export const HttpCreateInput = CommonCreate.extend(HttpRules.partial({ headers: true, body: true, keyword: true, keywordMode: true, assertions: true }).shape)
  .extend({
    certExpiryDays: CertExpiryDays.default(DEFAULT_CERT_EXPIRY_DAYS),
    type: z.literal("http").default("http").describe("What the monitor checks; without it, an HTTP request."),
    method: HttpRules.shape.method.default("GET"),
    expectedStatus: HttpRules.shape.expectedStatus.default(["200-399"]),
  })
  .strict();

export const TcpCreateInput = CommonCreate.extend(TcpRules.partial({ send: true, expectReply: true }).shape)
  .extend({ type: z.literal("tcp"), tls: TcpRules.shape.tls.default(false), certExpiryDays: CertExpiryDays.default(DEFAULT_CERT_EXPIRY_DAYS) })
  .strict();

export const DnsCreateInput = CommonCreate.extend(DnsRules.partial({ resolver: true }).shape)
  .extend({
    type: z.literal("dns"),
    recordType: DnsRules.shape.recordType.default("A"),
    expectedValues: DnsRules.shape.expectedValues.default([]),
    match: DnsRules.shape.match.default("any"),
    alertOnChange: DnsRules.shape.alertOnChange.default(false),
  })
  .strict();

/**
 * A heartbeat: the common settings it has a use for (the HTTP_ONLY ones and the degraded threshold
 * are about probes), plus its schedule.
 */
export const HeartbeatCreateInput = CommonCreate.omit({
  timeoutMs: true,
  intervalSec: true,
  failureThreshold: true,
  recoveryThreshold: true,
  retryIntervalSec: true,
  degradedAboveMs: true,
  degradedAfterChecks: true,
  degradedAlert: true,
})
  .extend(HeartbeatSettings.shape)
  .extend({ type: z.literal("heartbeat") })
  .strict()
  .superRefine(refineSettings);

/** Rules that join fields, for a monitor's settings as they will be after a create or update. */
export function crossFieldIssues(m: {
  intervalSec?: number;
  retryIntervalSec?: number;
  escalateAfterMin?: number;
  escalationChannelIds?: string[];
  keyword?: string;
  keywordMode?: string;
  match?: string;
  expectedValues?: string[];
}): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (m.retryIntervalSec !== undefined && m.intervalSec !== undefined && m.retryIntervalSec > m.intervalSec) issues.push({ path: "retryIntervalSec", message: "must not be longer than intervalSec" });
  if (m.keywordMode && !m.keyword) issues.push({ path: "keywordMode", message: "needs a keyword" });
  if ((m.escalateAfterMin ?? 0) > 0 && !m.escalationChannelIds?.length) issues.push({ path: "escalationChannelIds", message: "escalation needs at least one channel" });
  if (m.match && m.match !== "any" && !m.expectedValues?.length) issues.push({ path: "expectedValues", message: `match "${m.match}" needs at least one expected value` });
  return issues;
}

export const CreateInput = z
  .discriminatedUnion("type", [HttpCreateInput, TcpCreateInput, DnsCreateInput, HeartbeatCreateInput])
  .superRefine((m, ctx) => {
    for (const issue of crossFieldIssues(m)) ctx.addIssue({ code: "custom", path: [issue.path], message: issue.message });
  });
export type CreateInput = z.input<typeof CreateInput>;

/** Fields a PATCH may clear by sending null. */
const clearable = {
  headers: HttpRules.shape.headers.nullable(),
  body: HttpRules.shape.body.nullable(),
  keyword: HttpRules.shape.keyword.nullable(),
  keywordMode: HttpRules.shape.keywordMode.nullable(),
  slug: CommonRules.shape.slug.nullable(),
  degradedAboveMs: CommonRules.shape.degradedAboveMs.nullable(),
  send: TcpRules.shape.send.nullable(),
  expectReply: TcpRules.shape.expectReply.nullable(),
  resolver: DnsRules.shape.resolver.nullable(),
};

/**
 * A PATCH: any field, each by its own rule. Which of them fit the monitor's type is known only
 * once the monitor is read, so Monitor.update checks that (`misfits`); the type itself never changes.
 */
export const UpdateInput = CommonRules.extend(HttpRules.shape)
  .extend(TcpRules.shape)
  .extend(DnsRules.shape)
  .extend(HeartbeatSettings.shape)
  .extend(clearable)
  .extend({ type: z.enum(MONITOR_TYPES).describe("Cannot change; if sent, must be the monitor's type.") })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateInput = z.input<typeof UpdateInput>;

/** The fields of a PATCH that do not belong to a monitor of this type, each with why. */
export function misfits(update: Record<string, unknown>, type: MonitorType): { path: string; message: string }[] {
  const own = new Set(TYPE_FIELDS[type]);
  return Object.keys(update)
    .filter((k) => !own.has(k) && MONITOR_TYPES.some((t) => TYPE_FIELDS[t].includes(k)))
    .map((k) => ({ path: k, message: `does not apply to a ${type} monitor` }));
}

/**
 * The settings Monitor.create stores for a request: the request's own, plus the defaults that
 * depend on other fields or on the owner.
 */
export function settingsOf(input: CreateInput, ownerEmail: string) {
  const m = CreateInput.parse(input);
  const alertEmails = m.alertEmails ?? [ownerEmail];
  if (m.type === "heartbeat") {
    const { periodSec, cron, timeZone, graceSec, ...rest } = m;
    const schedule = stored({ periodSec, cron, timeZone, graceSec });
    return { ...rest, ...HTTP_PLACEHOLDERS, url: urlText(schedule), ...schedule, alertEmails };
  }
  const common = { retryIntervalSec: m.retryIntervalSec ?? Math.min(20, m.intervalSec), alertEmails };
  if (m.type === "http") return { ...m, ...common, keywordMode: m.keyword ? (m.keywordMode ?? "contains") : undefined };
  return { ...m, ...common };
}
export type Settings = ReturnType<typeof settingsOf>;
