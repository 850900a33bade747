import { z } from "zod";
import { Fields } from "../monitors/fields";

export const FAILURE_REASONS = [
  "timeout",
  "dns",
  "connection_refused",
  "tls",
  "status_mismatch",
  "keyword_mismatch",
  "assertion_failed",
  "blocked_target",
  "error",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What a probe is asked: the monitor's request and what counts as up. */
export const ProbeRequest = Fields.pick({
  url: true,
  method: true,
  headers: true,
  body: true,
  expectedStatus: true,
  timeoutMs: true,
  keyword: true,
  keywordMode: true,
  assertions: true,
}).partial({ headers: true, body: true, keyword: true, keywordMode: true, assertions: true });
export type ProbeRequest = z.infer<typeof ProbeRequest>;
export type ProbeMethod = ProbeRequest["method"];

/** Where a check's time went, in the order a request spends it. */
export const PHASE_NAMES = ["dns", "connect", "tls", "firstByte", "download"] as const;
/** Milliseconds per phase, from the socket's own events; a phase the request did not go through is absent (no TLS on http, no DNS for an IP). */
export type Phases = Partial<Record<(typeof PHASE_NAMES)[number], number>>;

export interface ProbeOutcome {
  ok: boolean;
  reason?: FailureReason;
  /** Short human text, e.g. "expected 200-399, got 503". */
  message?: string;
  httpStatus?: number;
  latencyMs: number;
  /** The final hop's phases, when its response came. */
  phases?: Phases;
  certDaysLeft?: number;
  /** The certificate's notAfter (epoch ms): names the certificate whose expiry warnings were sent (cert-expiry.ts). */
  certExpiresAt?: number;
  redirects: number;
  finalUrl: string;
}

/**
 * TEST-ONLY. Production checks always verify against the system trust store; tests use this
 * to trust a throwaway self-signed certificate so the happy TLS path can be exercised.
 */
export interface ProbeTestOptions {
  ca?: string | Buffer;
}
