import { z } from "zod";
import { cronProblem, describe, isTimeZone, type Schedule } from "./schedule";

/** Between a minute (the tick's resolution) and 31 days. */
export const PERIOD_MIN_SEC = 60;
export const PERIOD_MAX_SEC = 31 * 86400;
export const GRACE_MAX_SEC = 31 * 86400;

/**
 * A heartbeat (push) monitor's own settings: when pings are expected and how late one may be.
 * Exactly one of `periodSec` and `cron`; a cron expression is read in `timeZone`.
 */
export const HeartbeatSettings = z.object({
  periodSec: z
    .number()
    .int()
    .min(PERIOD_MIN_SEC)
    .max(PERIOD_MAX_SEC)
    .optional()
    .describe("Expect a ping every this many seconds (60 s to 31 days). Either this or `cron`."),
  cron: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('Expect a ping at the times of this five-field cron expression ("0 3 * * *": 03:00 every day), read in `timeZone`. Either this or `periodSec`.'),
  timeZone: z
    .string()
    .max(64)
    .refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin or UTC")
    .optional()
    .describe("IANA time zone the cron expression is read in (default UTC); daylight-saving changes are followed."),
  graceSec: z
    .number()
    .int()
    .min(0)
    .max(GRACE_MAX_SEC)
    .optional()
    .describe("How long after the expected time a ping may still arrive, and how long a run reported by /start may take (default 300)."),
});
export type HeartbeatSettings = z.infer<typeof HeartbeatSettings>;

export const DEFAULT_GRACE_SEC = 300;

/** The create-time rule across the settings: one schedule, and a cron expression that parses in its zone. */
export function refineSettings(s: HeartbeatSettings, ctx: z.RefinementCtx) {
  if ((s.periodSec === undefined) === (s.cron === undefined)) {
    ctx.addIssue({ code: "custom", path: ["periodSec"], message: "set exactly one of periodSec and cron" });
  }
  if (s.cron !== undefined) {
    const problem = cronProblem(s.cron, s.timeZone ?? "UTC");
    if (problem) ctx.addIssue({ code: "custom", path: ["cron"], message: problem });
  }
  if (s.timeZone !== undefined && s.cron === undefined) ctx.addIssue({ code: "custom", path: ["timeZone"], message: "only applies to a cron schedule" });
}

/** What a heartbeat monitor stores of its schedule. */
export interface Stored {
  periodSec?: number;
  cron?: string;
  timeZone?: string;
  graceSec: number;
}

export function stored(s: HeartbeatSettings): Stored {
  return s.cron !== undefined
    ? { cron: s.cron, timeZone: s.timeZone ?? "UTC", graceSec: s.graceSec ?? DEFAULT_GRACE_SEC }
    : { periodSec: s.periodSec, graceSec: s.graceSec ?? DEFAULT_GRACE_SEC };
}

export function scheduleOf(m: { periodSec?: number; cron?: string; timeZone?: string }): Schedule {
  return m.cron !== undefined ? { cron: m.cron, timeZone: m.timeZone ?? "UTC" } : { periodSec: m.periodSec ?? 3600 };
}

/**
 * The HTTP settings a heartbeat monitor stores so the monitor item keeps one shape (nothing probes
 * them): one failure opens an incident, one good ping resolves it, and no retries (a missed
 * deadline is a fact, not a flaky probe).
 */
export const HTTP_PLACEHOLDERS = {
  url: "heartbeat",
  method: "GET" as const,
  expectedStatus: ["200-399"],
  timeoutMs: 10000,
  intervalSec: 3600,
  retryIntervalSec: 3600,
  failureThreshold: 1,
  recoveryThreshold: 1,
};

/**
 * What a heartbeat stores as its `url`: alert mails, channel messages and listings show a monitor's
 * URL, and for a heartbeat the useful words there are its schedule.
 */
export const urlText = (s: Stored) => `heartbeat, ${describe(scheduleOf(s))}`;

/** Fields of an HTTP monitor that a heartbeat does not have, refused on its create or update. */
export const HTTP_ONLY = ["url", "method", "headers", "body", "expectedStatus", "timeoutMs", "intervalSec", "keyword", "keywordMode", "failureThreshold", "recoveryThreshold", "retryIntervalSec"] as const;
