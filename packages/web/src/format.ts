export const ago = (iso: string | null | undefined) => {
  if (!iso) return "never";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
};
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

/** One check's outcome in a sentence: "Up: HTTP 200 in 143 ms." / "Down: connection refused (after 12 ms)." */
export function checkOutcome(r: { ok: boolean; reason: string | null; httpStatus: number | null; latencyMs: number }) {
  const http = r.httpStatus ? `HTTP ${r.httpStatus} ` : "";
  return r.ok ? `Up: ${http}in ${ms(r.latencyMs)}.` : `Failed: ${reasonText(r.reason)}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ""}, after ${ms(r.latencyMs)}.`;
}
