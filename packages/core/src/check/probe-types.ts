import { z } from "zod";
import { CommonFields, DnsFields, HttpFields, TcpFields } from "../monitors/shape";

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
  /** TCP: the reply did not contain the expected text. */
  "reply_mismatch",
  /** DNS: the answer did not hold the expected values (all, any or none of them). */
  "answer_mismatch",
  /** DNS with alertOnChange: the answer differs from the last one seen. */
  "answer_changed",
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** What an HTTP probe is asked: the monitor's request and what counts as up. */
export const ProbeRequest = HttpFields.pick({
  url: true,
  method: true,
  headers: true,
  body: true,
  expectedStatus: true,
  keyword: true,
  keywordMode: true,
  assertions: true,
})
  .partial({ headers: true, body: true, keyword: true, keywordMode: true, assertions: true })
  .extend({ timeoutMs: CommonFields.shape.timeoutMs });
export type ProbeRequest = z.infer<typeof ProbeRequest>;
export type ProbeMethod = ProbeRequest["method"];

/** What a TCP probe is asked. */
export const TcpProbeRequest = TcpFields.pick({ host: true, port: true, tls: true, send: true, expectReply: true })
  .partial({ send: true, expectReply: true })
  .extend({ timeoutMs: CommonFields.shape.timeoutMs });
export type TcpProbeRequest = z.infer<typeof TcpProbeRequest>;

/** What a DNS probe is asked; `lastAnswer` only when changes are to be noticed. */
export const DnsProbeRequest = DnsFields.pick({ recordName: true, recordType: true, resolver: true, expectedValues: true, match: true, alertOnChange: true })
  .partial({ resolver: true, alertOnChange: true })
  .extend({ timeoutMs: CommonFields.shape.timeoutMs, lastAnswer: z.string().optional() });
export type DnsProbeRequest = z.infer<typeof DnsProbeRequest>;

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
  /** DNS: the answer as compared for changes (sorted values, joined by newlines). */
  answer?: string;
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
