export * as Probe from "./probe";

import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { TLSSocket } from "node:tls";
import { performance } from "node:perf_hooks";
import { config } from "../platform/config";
import type { FailureReason, Phases, ProbeMethod, ProbeOutcome, ProbeRequest, ProbeTestOptions } from "./probe-types";
import { guardedLookup, isBlockedAddress, normalizeHost } from "./target";
import { Assertions } from "./assertions";

export * from "./probe-types";

export const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = "uptime-monitor/1.0";
const DAY_MS = 86_400_000;

function parseRange(entry: string): [number, number] | undefined {
  const m = /^\s*(\d{3})\s*(?:-\s*(\d{3})\s*)?$/.exec(entry);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo <= hi ? [lo, hi] : undefined;
}

/** Entries that do not parse match nothing, so a typo fails loudly instead of passing everything. */
export function statusMatches(status: number, expected: string[]): boolean {
  return expected.some((e) => {
    const r = parseRange(e);
    return r !== undefined && status >= r[0] && status <= r[1];
  });
}

/**
 * A redirect is treated as the final answer only when the user asked for that 3xx
 * specifically (an entry lying wholly within 300-399). A broad "200-399" means "up",
 * and following tells more about the site than stopping at the first hop.
 */
function redirectIsExpected(status: number, expected: string[]): boolean {
  return expected.some((e) => {
    const r = parseRange(e);
    return r !== undefined && r[0] >= 300 && r[1] <= 399 && status >= r[0] && status <= r[1];
  });
}

function isFollowable(status: number, location: string | undefined, expected: string[]): boolean {
  return REDIRECT_STATUSES.has(status) && !!location && !redirectIsExpected(status, expected);
}

/** Whole days left until an X.509 `valid_to` string; negative once expired. */
export function daysUntil(validTo: string, now: number): number | undefined {
  const t = Date.parse(validTo);
  if (Number.isNaN(t)) return undefined;
  return Math.floor((t - now) / DAY_MS);
}

/** A failure a probe classified itself; `classify` turns anything else node raised into one. */
export class ProbeFailure extends Error {
  constructor(
    public readonly reason: FailureReason,
    message: string,
  ) {
    super(message);
  }
}

interface Hop {
  url: URL;
  method: ProbeMethod;
  headers: Record<string, string>;
  body?: string;
}

interface HopResult {
  status: number;
  location?: string;
  certDaysLeft?: number;
  certExpiresAt?: number;
  headers: http.IncomingHttpHeaders;
  /** Only when a keyword or an assertion needs it; at most MAX_RESPONSE_BYTES. */
  text?: string;
  /** This hop's own time on the wire: see latencyOf. */
  latencyMs: number;
  phases: Phases;
}

/**
 * Instants of one request's socket events (performance.now()), each taken first thing in the
 * event's own listener, so a phase is what the socket went through, not when the probe resumed.
 * None is taken around the probe's own work (URL parsing, the body, assertions, certificates).
 */
export interface Marks {
  /** The lookup was asked for: it runs inside the call that creates the socket. */
  start: number;
  /** The connection was asked for: for a literal IP, just after the connect call (no lookup). */
  opened?: number;
  lookup?: number;
  connect?: number;
  secure?: number;
  firstByte?: number;
}

const span = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? undefined : Math.max(0, Math.round(to - from)));

/** Where the check's own time begins: the lookup for a host name, else the connect call. */
const beginning = (m: Marks) => (m.lookup !== undefined ? m.start : (m.opened ?? m.start));

/** DNS, connect, TLS, first byte, download: each from the end of the phase before it. */
export function phasesOf(m: Marks, end: number): Phases {
  const connectFrom = m.lookup ?? beginning(m);
  const requestFrom = m.secure ?? m.connect;
  const phases: Phases = {
    dns: span(m.start, m.lookup),
    connect: span(connectFrom, m.connect),
    tls: span(m.connect, m.secure),
    firstByte: span(requestFrom, m.firstByte),
    download: span(m.firstByte, end),
  };
  for (const k of Object.keys(phases) as (keyof Phases)[]) if (phases[k] === undefined) delete phases[k];
  return phases;
}

/**
 * The check's latency: from the lookup (or the connect call) to `end`, which is the phases laid
 * end to end. Time the probe spent before the socket existed, such as an event loop busy with
 * other checks, is not the target's and is not counted.
 */
export const latencyOf = (m: Marks, end: number) => Math.max(0, Math.round(end - beginning(m)));

/** Marks the socket's events as they happen (a lookup only for a host name, a handshake only over TLS). */
export function markSocket(socket: net.Socket, marks: Marks, o: { named: boolean; secure: boolean }): void {
  if (o.named) socket.once("lookup", () => (marks.lookup = performance.now()));
  socket.once("connect", () => (marks.connect = performance.now()));
  if (o.secure) socket.once("secureConnect", () => (marks.secure = performance.now()));
}

const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "HOSTNAME_MISMATCH",
]);

export function classify(err: unknown, hostname: string): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  const e = err as NodeJS.ErrnoException & { library?: string };
  const code = typeof e?.code === "string" ? e.code : "";
  const text = firstLine(e instanceof Error ? e.message : String(err));
  if (code === "EBLOCKED") return new ProbeFailure("blocked_target", `${hostname} resolves to a blocked address`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_FAIL" || code === "EAI_NODATA" || code === "ENODATA") {
    return new ProbeFailure("dns", code === "EAI_AGAIN" ? `DNS lookup failed for ${hostname} (temporary)` : `could not resolve ${hostname}`);
  }
  if (code === "ECONNREFUSED") return new ProbeFailure("connection_refused", "connection refused");
  if (code === "ETIMEDOUT") return new ProbeFailure("timeout", "connection timed out");
  if (code === "ECONNRESET" && text !== "aborted") return new ProbeFailure("error", "connection reset by peer");
  // node's wording for a response cut short is just "aborted"
  if (text === "aborted") return new ProbeFailure("error", "connection closed before the response was complete");
  if (
    TLS_CODES.has(code) ||
    code.startsWith("CERT_") ||
    code.startsWith("ERR_TLS_") ||
    code.startsWith("ERR_SSL_") ||
    (e?.library !== undefined && /ssl|tls/i.test(String(e.library))) ||
    // depending on timing, a TLS handshake failure can surface as a bare "write EPROTO <openssl text>"
    (code === "EPROTO" && /SSL|TLS/.test(text))
  ) {
    return new ProbeFailure("tls", `TLS error: ${tlsReason(text)}`);
  }
  return new ProbeFailure("error", text || code || "request failed");
}

function firstLine(s: string): string {
  return s.split("\n")[0].trim().slice(0, 300);
}

/** OpenSSL messages carry a hex error stack; the reason phrase is what a person can act on. */
function tlsReason(text: string): string {
  const m = /SSL routines:[^:]*:([^:]+)/.exec(text);
  return m ? m[1] : text;
}

type BodyMode = "skip" | "drain" | "keep";

/**
 * A probe's timeout, as seen by the request of its current hop (one at a time): an AbortSignal
 * did the same with an EventTarget per probe, a noticeable share of a plain probe's CPU.
 */
interface Deadline {
  passed: boolean;
  onPassed?: () => void;
}

// ClientRequest passes host, port and our lookup (connection options all): net takes them as they are.
const connectPlain = (options: http.ClientRequestArgs) => net.createConnection(options as net.NetConnectOpts);

/**
 * One request/response. Rejects with whatever node raised so `classify` sees the original code.
 * `deadline` carries the overall timeout; when it passes both request and response are destroyed so
 * the socket never outlives the probe.
 */
function requestOnce(
  hop: Hop,
  bodyMode: (status: number, location: string | undefined) => BodyMode,
  deadline: Deadline,
  test: ProbeTestOptions | undefined,
): Promise<HopResult> {
  return new Promise<HopResult>((resolve, reject) => {
    let req: http.ClientRequest | undefined;
    let res: http.IncomingMessage | undefined;
    let settled = false;

    const finish = (err: unknown, result?: HopResult) => {
      if (settled) return;
      settled = true;
      if (deadline.onPassed === onAbort) deadline.onPassed = undefined;
      // destroyed on success too: no agent keeps the connection, so it is never reused anyway
      res?.destroy();
      req?.destroy();
      if (err) reject(err);
      else resolve(result!);
    };
    const onAbort = () => finish(new ProbeFailure("timeout", "timed out"));
    if (deadline.passed) return onAbort();
    deadline.onPassed = onAbort;

    try {
      const isHttps = hop.url.protocol === "https:";
      const options: https.RequestOptions = {
        method: hop.method,
        headers: hop.headers,
        lookup: guardedLookup,
        // A fresh connection per hop: nothing pooled outlives the probe, and TLS details are this hop's.
        // Plain HTTP connects without an agent at all (agent: false builds one per request, a fifth
        // of a plain probe's CPU); HTTPS keeps its per-request agent, which picks the SNI name.
        ...(isHttps ? { agent: false } : { createConnection: connectPlain }),
        ...(isHttps && test?.ca ? { ca: test.ca } : {}),
      };
      const marks: Marks = { start: performance.now() };
      // The instant the last bytes read arrived: the response ends with the chunk that completed it,
      // however many ticks later node's parser and streams get to say so.
      let lastData: number | undefined;
      req = (isHttps ? https : http).request(hop.url, options);
      req.on("error", (err) => finish(err));
      // emitted on the tick after the connect call for a literal IP (the lookup's start otherwise)
      req.once("socket", (socket) => {
        marks.opened = performance.now();
        markSocket(socket, marks, { named: net.isIP(normalizeHost(hop.url.hostname)) === 0, secure: isHttps });
        // ahead of node's own listener, which parses the response before anything else hears of it
        socket.prependListener("data", () => {
          lastData = performance.now();
          marks.firstByte ??= lastData;
        });
      });
      req.on("response", (response) => {
        marks.firstByte ??= performance.now();
        res = response;
        const status = response.statusCode ?? 0;
        let certDaysLeft: number | undefined;
        let certExpiresAt: number | undefined;
        if (isHttps) {
          const cert = (response.socket as TLSSocket).getPeerCertificate?.();
          if (cert?.valid_to) {
            certDaysLeft = daysUntil(cert.valid_to, Date.now());
            const t = Date.parse(cert.valid_to);
            if (!Number.isNaN(t)) certExpiresAt = t;
          }
        }
        const location = response.headers.location;
        const mode = bodyMode(status, location);
        const parts: Buffer[] = [];
        const done = () => {
          const endedAt = lastData ?? performance.now();
          finish(null, {
            status,
            location,
            certDaysLeft,
            certExpiresAt,
            headers: response.headers,
            text: mode === "keep" ? Buffer.concat(parts).toString("utf8") : undefined,
            latencyMs: latencyOf(marks, endedAt),
            phases: phasesOf(marks, endedAt),
          });
        };

        if (mode === "skip") return done();
        const limit = config().MAX_RESPONSE_BYTES;
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          if (settled) return;
          if (mode === "keep") parts.push(chunk.subarray(0, Math.max(0, limit - received)));
          received += chunk.length;
          // enough: the rest of a large or endless body is not our concern
          if (received >= limit) done();
        });
        response.on("end", done);
        response.on("error", (err) => finish(err));
        response.on("close", () => {
          if (!response.complete) finish(new ProbeFailure("error", "connection closed before the response was complete"));
        });
      });
      req.end(hop.body);
    } catch (err) {
      finish(err);
    }
  });
}

const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "transfer-encoding"];
// meant for the origin the user configured: credentials, and a Host override that would misroute elsewhere
const ORIGIN_BOUND_HEADERS = ["authorization", "cookie", "proxy-authorization", "host"];

function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

/** A monitor's assertions were validated when saved; one that no longer parses fails the check rather than passing it. */
function parseAssertions(texts: string[] | undefined): Assertions.Assertion[] {
  return (texts ?? []).map((text, i) => {
    try {
      return Assertions.parse(text);
    } catch (err) {
      throw new ProbeFailure("assertion_failed", `assertion ${i + 1} is invalid: ${(err as Error).message}`);
    }
  });
}

/** One check. Never throws: every failure becomes an outcome. */
export async function probe(req: ProbeRequest, test?: ProbeTestOptions): Promise<ProbeOutcome> {
  const start = performance.now();
  const elapsed = (at = performance.now()) => Math.max(0, Math.round(at - start));
  const deadline: Deadline = { passed: false };
  const timer = setTimeout(() => {
    deadline.passed = true;
    deadline.onPassed?.();
  }, Math.max(0, req.timeoutMs));

  let redirects = 0;
  // the hops' own times, added up: a redirect's hop is part of reaching the page
  let hopsMs = 0;
  let current: URL | undefined;
  let finalUrl = req.url;

  try {
    try {
      current = new URL(req.url);
    } catch {
      throw new ProbeFailure("error", "invalid URL");
    }
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (!Object.keys(headers).some((k) => k.toLowerCase() === "user-agent")) headers["user-agent"] = USER_AGENT;
    if (req.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === "content-length")) {
      headers["content-length"] = String(Buffer.byteLength(req.body));
    }
    let hop: Hop = { url: current, method: req.method, headers, body: req.body };
    const wantKeyword = req.keyword !== undefined && req.keyword !== "";
    const assertions = parseAssertions(req.assertions);
    const wantBody = wantKeyword || Assertions.needsBody(assertions);

    for (;;) {
      current = hop.url;
      finalUrl = current.toString();
      if (current.protocol !== "http:" && current.protocol !== "https:") {
        throw new ProbeFailure("error", `unsupported protocol ${current.protocol}`);
      }
      const host = normalizeHost(current.hostname);
      // literal IPs never reach the lookup function, so they are checked here
      if (net.isIP(host) && !config().ALLOW_PRIVATE_TARGETS && isBlockedAddress(host)) {
        throw new ProbeFailure("blocked_target", `${host} is a private or reserved address`);
      }

      // Redirect and mismatched-status bodies tell us nothing, so they are not waited for; a
      // matching response is drained (or read for the keyword) so latency covers all of it.
      const result = await requestOnce(
        hop,
        (status, location) =>
          isFollowable(status, location, req.expectedStatus) || !statusMatches(status, req.expectedStatus)
            ? "skip"
            : wantBody
              ? "keep"
              : "drain",
        deadline,
        test,
      );

      const status = result.status;
      hopsMs += result.latencyMs;
      if (result.location !== undefined && isFollowable(status, result.location, req.expectedStatus)) {
        if (redirects >= MAX_REDIRECTS) throw new ProbeFailure("error", `too many redirects (more than ${MAX_REDIRECTS})`);
        let next: URL;
        try {
          next = new URL(result.location, current);
        } catch {
          throw new ProbeFailure("error", `invalid redirect location ${JSON.stringify(result.location)}`);
        }
        redirects++;
        let { method, body, headers: nextHeaders } = hop;
        // as browsers do: 303 always, and 301/302 after POST, become a body-less GET
        if ((status === 303 && method !== "HEAD") || ((status === 301 || status === 302) && method === "POST")) {
          method = "GET";
          body = undefined;
          nextHeaders = withoutHeaders(nextHeaders, BODY_HEADERS);
        }
        if (next.origin !== current.origin) {
          // the user's credentials were meant for the original site, not wherever it redirects
          nextHeaders = withoutHeaders(nextHeaders, ORIGIN_BOUND_HEADERS);
        }
        hop = { url: next, method, headers: nextHeaders, body };
        continue;
      }

      const base = {
        httpStatus: status,
        latencyMs: hopsMs,
        phases: result.phases,
        redirects,
        finalUrl,
        certDaysLeft: result.certDaysLeft,
        ...(result.certExpiresAt !== undefined && { certExpiresAt: result.certExpiresAt }),
      };
      if (!statusMatches(status, req.expectedStatus)) {
        return { ...base, ok: false, reason: "status_mismatch", message: `expected ${req.expectedStatus.join(", ")}, got ${status}` };
      }
      if (wantKeyword) {
        const found = (result.text ?? "").includes(req.keyword!);
        const mode = req.keywordMode ?? "contains";
        if (mode === "contains" && !found) {
          return { ...base, ok: false, reason: "keyword_mismatch", message: `keyword ${JSON.stringify(req.keyword)} not found` };
        }
        if (mode === "not-contains" && found) {
          return { ...base, ok: false, reason: "keyword_mismatch", message: `keyword ${JSON.stringify(req.keyword)} found` };
        }
      }
      const failed = Assertions.firstFailure(assertions, { status, headers: result.headers, body: result.text ?? "", latencyMs: base.latencyMs });
      if (failed) return { ...base, ok: false, reason: "assertion_failed", message: failed };
      return { ...base, ok: true };
    }
  } catch (err) {
    const failure = deadline.passed
      ? new ProbeFailure("timeout", `no complete response within ${req.timeoutMs} ms`)
      : classify(err, current?.hostname ?? "");
    return { ok: false, reason: failure.reason, message: failure.message, latencyMs: elapsed(), redirects, finalUrl };
  } finally {
    clearTimeout(timer);
  }
}
