export const ago = (iso: string | null | undefined) => {
  if (!iso) return "never";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
};
/** A moment in the viewer's time zone, with the zone named: "6 Dec 2026, 02:10 CET". */
export const dateTime = (iso: string | null | undefined) =>
  // (dateStyle/timeStyle cannot be combined with timeZoneName: the fields are spelled out)
  iso ? new Date(iso).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short" }) : "–";
/** A day in the viewer's time zone: "6 Dec 2026". */
export const date = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" }) : "–");

/** An interval in words: "30 seconds", "1 minute", "1 hour". */
export const everyText = (sec: number) =>
  sec % 3600 === 0 ? plural(sec / 3600, "hour") : sec % 60 === 0 ? plural(sec / 60, "minute") : plural(sec, "second");
const plural = (n: number, unit: string) => (n === 1 ? `1 ${unit}` : `${n} ${unit}s`);

export const percent = (n: number | null | undefined) => (n == null ? "–" : `${n.toFixed(2)}%`);
export const ms = (n: number | null | undefined) => (n == null ? "–" : `${Math.round(n)} ms`);
export const duration = (msec: number | null | undefined) => {
  if (msec == null) return "ongoing";
  const s = Math.round(msec / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
};

/** Failure classes in words (the API's codes are for machines). */
const REASONS: Record<string, string> = {
  timeout: "no answer in time",
  dns: "the name did not resolve",
  connection_refused: "connection refused",
  tls: "TLS (certificate) problem",
  status_mismatch: "unexpected HTTP status",
  keyword_mismatch: "expected text not found",
  assertion_failed: "an assertion failed",
  blocked_target: "address not allowed",
  error: "request error",
};
export const reasonText = (reason: string | null | undefined) => (reason ? (REASONS[reason] ?? reason.replace(/_/g, " ")) : "");

/** A heartbeat fails by a ping that reports failure or by no ping by the deadline (core/heartbeat/observe.ts). */
const HEARTBEAT_REASONS: Record<string, string> = { error: "the job reported a failure", timeout: "no ping in time" };
export const heartbeatReasonText = (reason: string | null | undefined) => (reason ? (HEARTBEAT_REASONS[reason] ?? reasonText(reason)) : "");

/** One check's outcome in a sentence: "Up: HTTP 200 in 143 ms." / "Down: connection refused (after 12 ms)." */
export function checkOutcome(r: { ok: boolean; reason: string | null; httpStatus: number | null; latencyMs: number }) {
  const http = r.httpStatus ? `HTTP ${r.httpStatus} ` : "";
  return r.ok ? (http ? `Up: ${http}in ${ms(r.latencyMs)}.` : `Up, in ${ms(r.latencyMs)}.`) : `Failed: ${reasonText(r.reason)}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ""}, after ${ms(r.latencyMs)}.`;
}

/**
 * An API validation message as a sentence about its field: "must be an http or https URL" under
 * "URL" becomes "URL must be an http or https URL."; zod's own terse forms ("Too small: expected
 * number to be >=1") are put in words first. A message that is already a sentence stays as it is.
 */
export function sentence(label: string, message: string): string {
  const m = message.trim();
  const bound = /expected (\w+) to (?:be|have) ([<>])=?(\d+)(?: (characters|items))?/.exec(m);
  let words: string;
  if (bound) {
    const [, type, dir, n, unit] = bound;
    const least = dir === ">";
    if (least && n === "1" && (type === "string" || type === "array")) words = type === "string" ? "must not be empty" : "needs at least one entry";
    else words = `must ${unit ? "have" : "be"} ${least ? "at least" : "at most"} ${Number(n).toLocaleString("en-US")}${unit ? ` ${unit === "items" ? "entries" : unit}` : ""}`;
  } else if (/received NaN|expected number/.test(m)) words = "must be a number";
  else if (/received undefined/.test(m)) words = "is required";
  else if (/^Invalid email/i.test(m)) words = "must be an email address";
  else if (/^Invalid option: expected one of (.+)$/.test(m)) words = `must be one of ${m.replace(/^Invalid option: expected one of /, "").replace(/\|/g, ", ")}`;
  else if (/^[A-Z]/.test(m) || !label) return `${m[0]!.toUpperCase()}${m.slice(1)}${/[.!?]$/.test(m) ? "" : "."}`;
  else words = m;
  return `${label} ${words}${/[.!?]$/.test(words) ? "" : "."}`;
}
