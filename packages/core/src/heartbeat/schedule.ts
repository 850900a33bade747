export * as HeartbeatSchedule from "./schedule";

import { Cron } from "croner";

/**
 * When a heartbeat's next ping is expected. Either a period (the next ping is due that long after
 * the last one) or a cron expression read in an IANA time zone, so "0 3 * * *" in Europe/Berlin
 * stays at 03:00 local time on both sides of a daylight-saving change (croner does the calendar).
 */
export type Schedule = { periodSec: number; cron?: undefined; timeZone?: string } | { periodSec?: undefined; cron: string; timeZone: string };

/** Whether the zone is one the runtime's ICU knows (the same table croner converts with). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression cannot be used, or undefined when it can. */
export function cronProblem(expression: string, timeZone = "UTC"): string | undefined {
  // Five fields only: croner would read a sixth as seconds, which a once-a-minute tick cannot honour.
  if (expression.trim().split(/\s+/).length !== 5) return 'must have five fields: minute hour day-of-month month day-of-week, e.g. "0 3 * * *"';
  try {
    const next = new Cron(expression, { timezone: timeZone, legacyMode: true }).nextRun(new Date());
    return next ? undefined : "never runs";
  } catch (err) {
    return `is not a cron expression (${(err as Error).message.replace(/^CronPattern: /, "")})`;
  }
}

/** The first instant (epoch ms) strictly after `after` at which a ping is expected. */
export function nextExpected(s: Schedule, after: number): number {
  if (s.periodSec !== undefined) return after + s.periodSec * 1000;
  const next = new Cron(s.cron, { timezone: s.timeZone, legacyMode: true }).nextRun(new Date(after));
  // cronProblem refuses expressions that never run; one whose last run passed (a year field) stops here.
  return next ? next.getTime() : Number.MAX_SAFE_INTEGER;
}

const UNITS: Array<[number, string]> = [
  [86400, "day"],
  [3600, "hour"],
  [60, "minute"],
  [1, "second"],
];

function duration(sec: number): string {
  const [size, unit] = UNITS.find(([size]) => sec % size === 0)!;
  const n = sec / size;
  return n === 1 ? unit : `${n} ${unit}s`;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const pad = (n: string) => n.padStart(2, "0");

/**
 * The schedule in plain words, for the web app and alert mails: "every 5 minutes",
 * "at 03:00 every day, Europe/Berlin", "at 09:30 on Monday, UTC". Shapes beyond a fixed time on
 * every day or one weekday read back as the expression itself ("cron 5 4 * * 1-5, Europe/Berlin").
 */
export function describe(s: Schedule): string {
  if (s.periodSec !== undefined) return `every ${duration(s.periodSec)}`;
  const [minute, hour, dom, month, dow] = s.cron.trim().split(/\s+/);
  const fixed = /^\d{1,2}$/;
  if (fixed.test(minute) && fixed.test(hour) && dom === "*" && month === "*") {
    const at = `at ${pad(hour)}:${pad(minute)}`;
    if (dow === "*") return `${at} every day, ${s.timeZone}`;
    if (/^[0-7]$/.test(dow)) return `${at} every ${DAYS[Number(dow) % 7]}, ${s.timeZone}`;
  }
  if (/^\*\/\d+$/.test(minute) && hour === "*" && dom === "*" && month === "*" && dow === "*") {
    return `every ${duration(Number(minute.slice(2)) * 60)}`;
  }
  if (fixed.test(minute) && hour === "*" && dom === "*" && month === "*" && dow === "*") return `at minute ${minute} of every hour`;
  return `cron ${s.cron.trim()}, ${s.timeZone}`;
}
