import { z } from "zod";

export const INTERVALS = [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;
export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const KEYWORD_MODES = ["contains", "not-contains"] as const;
export const STATUSES = ["up", "down", "pending", "paused"] as const;

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
  keywordMode: z.enum(KEYWORD_MODES),
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

