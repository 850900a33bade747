export * as DnsProbe from "./probe-dns";

import { createHash } from "node:crypto";
import dns from "node:dns";
import { performance } from "node:perf_hooks";
import type { DNS_RECORD_TYPES } from "../monitors/shape";
import type { DnsProbeRequest, FailureReason, ProbeOutcome } from "./probe-types";
import { resolverBlocked } from "./target";

type RecordType = (typeof DNS_RECORD_TYPES)[number];

/** The answer shown in a message is cut to this many characters. */
const ANSWER_SHOWN = 300;

/** A name as DNS compares it: case-insensitive, with or without the root's trailing dot. */
const name = (s: string) => s.toLowerCase().replace(/\.$/, "");

/** One IPv6 address, however written, in its compressed lowercase form. */
function ipv6(s: string): string {
  try {
    return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  } catch {
    return s.toLowerCase();
  }
}

/** Each record of the answer as one line of text, in the form a user writes an expected value. */
async function query(resolver: dns.promises.Resolver, recordName: string, type: RecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(recordName);
    case "AAAA":
      return (await resolver.resolve6(recordName)).map(ipv6);
    case "CNAME":
      return (await resolver.resolveCname(recordName)).map(name);
    case "NS":
      return (await resolver.resolveNs(recordName)).map(name);
    case "MX":
      return (await resolver.resolveMx(recordName)).map((r) => `${r.priority} ${name(r.exchange)}`);
    case "TXT":
      return (await resolver.resolveTxt(recordName)).map((chunks) => chunks.join(""));
    case "CAA":
      return (await resolver.resolveCaa(recordName)).map((r) => {
        const [tag, value] = Object.entries(r).find(([k]) => k !== "critical") ?? ["", ""];
        return `${r.critical} ${tag} "${value}"`;
      });
    case "SOA": {
      const r = await resolver.resolveSoa(recordName);
      return [`${name(r.nsname)} ${name(r.hostmaster)} ${r.serial} ${r.refresh} ${r.retry} ${r.expire} ${r.minttl}`];
    }
  }
}

/** An expected value as the answer's values are written (TXT is compared exactly). */
export function normalizeValue(type: RecordType, value: string): string {
  const v = value.trim();
  if (type === "TXT") return v;
  if (type === "AAAA") return ipv6(v);
  return v.split(/\s+/).map((part) => (part.startsWith('"') ? part : name(part))).join(" ");
}

/** An expected MX value may leave out the priority. */
function holds(values: string[], type: RecordType, expected: string): boolean {
  return values.some((v) => v === expected || (type === "MX" && v.slice(v.indexOf(" ") + 1) === expected));
}

/** Whether an answer passes: `any` with no expected values means "resolves to something". */
export function matches(values: string[], req: Pick<DnsProbeRequest, "recordType" | "expectedValues" | "match">): boolean {
  const expected = req.expectedValues.map((v) => normalizeValue(req.recordType, v));
  switch (req.match) {
    case "any":
      return expected.length === 0 ? values.length > 0 : expected.some((e) => holds(values, req.recordType, e));
    case "all":
      return expected.every((e) => holds(values, req.recordType, e));
    case "none":
      return !expected.some((e) => holds(values, req.recordType, e));
  }
}

/** Longer answers (large TXT sets) are kept as their digest: the answer travels in every job's snapshot. */
const ANSWER_KEPT = 1024;

/** The answer as compared for changes: independent of the order the resolver listed records in. */
export function answerOf(values: string[]): string {
  const answer = [...values].sort().join("\n");
  return answer.length <= ANSWER_KEPT ? answer : `sha256:${createHash("sha256").update(answer).digest("hex")}`;
}

const shown = (answer: string) => {
  const s = answer.replace(/\n/g, ", ") || "(no records)";
  return s.length > ANSWER_SHOWN ? `${s.slice(0, ANSWER_SHOWN)}…` : s;
};

function failureOf(err: unknown, req: DnsProbeRequest): { reason: FailureReason; message: string } {
  const code = (err as NodeJS.ErrnoException)?.code ?? "";
  const what = `${req.recordName} ${req.recordType}`;
  switch (code) {
    case dns.NOTFOUND:
      return { reason: "dns", message: `${req.recordName} does not exist (NXDOMAIN)` };
    case dns.NODATA:
      return { reason: "dns", message: `${what}: no records` };
    case dns.SERVFAIL:
      return { reason: "dns", message: `${what}: the resolver answered SERVFAIL` };
    case dns.REFUSED:
      return { reason: "dns", message: `${what}: the resolver refused the query` };
    case dns.CONNREFUSED:
      return { reason: "connection_refused", message: `the resolver${req.resolver ? ` ${req.resolver}` : ""} refused the connection` };
    case dns.TIMEOUT:
    case dns.CANCELLED:
      return { reason: "timeout", message: `no answer for ${what} within ${req.timeoutMs} ms` };
    default:
      return { reason: "dns", message: `${what}: ${code || String(err)}` };
  }
}

/**
 * One DNS check: ask the resolver (the given address, or the platform's) for the record type,
 * compare the answer with the expected values and, with alertOnChange, with the last answer seen.
 * Latency is the query's round trip. Never throws: every failure becomes an outcome.
 */
export async function probe(req: DnsProbeRequest): Promise<ProbeOutcome> {
  const finalUrl = `dns://${req.resolver ?? ""}/${req.recordName}?type=${req.recordType}`;
  const base = { redirects: 0, finalUrl };
  if (req.resolver && resolverBlocked(req.resolver)) {
    return { ...base, ok: false, reason: "blocked_target", message: `resolver ${req.resolver} is a private or reserved address`, latencyMs: 0 };
  }
  // one try: the monitor's timeout bounds the whole check, and a retry is the checker's business
  const resolver = new dns.promises.Resolver({ timeout: req.timeoutMs, tries: 1 });
  if (req.resolver) resolver.setServers([req.resolver]);
  const timer = setTimeout(() => resolver.cancel(), req.timeoutMs);
  const start = performance.now();
  try {
    const values = await query(resolver, req.recordName, req.recordType);
    const latencyMs = Math.max(0, Math.round(performance.now() - start));
    const answer = answerOf(values);
    const done = { ...base, latencyMs, answer };
    if (!matches(values, req)) {
      const wanted = req.expectedValues.join(", ");
      const message =
        req.match === "none" ? `answer holds one of ${wanted}: ${shown(answer)}` : `expected ${req.match} of ${wanted || "a record"}, got ${shown(answer)}`;
      return { ...done, ok: false, reason: "answer_mismatch", message };
    }
    if (req.alertOnChange && req.lastAnswer !== undefined && req.lastAnswer !== answer) {
      return { ...done, ok: false, reason: "answer_changed", message: `answer changed from ${shown(req.lastAnswer)} to ${shown(answer)}` };
    }
    return { ...done, ok: true };
  } catch (err) {
    return { ...base, ok: false, ...failureOf(err, req), latencyMs: Math.max(0, Math.round(performance.now() - start)) };
  } finally {
    clearTimeout(timer);
  }
}
