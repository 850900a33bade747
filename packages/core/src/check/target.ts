export * as Target from "./target";

import dns from "node:dns";
import net from "node:net";
import { config } from "../platform/config";
import { VisibleError } from "../platform/errors";

/**
 * Server-side request forgery guard. Checks run in our AWS account, so a monitor must not be
 * able to reach the instance metadata service, VPC-internal services or anything else that is
 * not on the public internet. Two layers:
 *  - `assertAllowedUrl` when a monitor is created or edited, to give the user a clear error;
 *  - `guardedLookup` at check time, on the addresses the socket will actually connect to,
 *    because DNS may answer differently by then (DNS rebinding).
 */

type V4 = number; // unsigned 32-bit
type V6 = number[]; // eight 16-bit groups

// IANA IPv4 Special-Purpose Address Registry, minus nothing: none of these are reachable
// public unicast destinations, and several (0/8, 127/8, 169.254/16, 10/8…) reach our own hosts.
const BLOCKED_V4: Array<[string, number]> = [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 connects to the local host on Linux
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT, also used inside some cloud networks
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, includes the instance metadata service 169.254.169.254
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments (incl. 192.0.0.170/171 NAT64 discovery)
  ["192.0.2.0", 24], // TEST-NET-1, documentation only
  ["192.88.99.0", 24], // deprecated 6to4 relay anycast; would relay to arbitrary IPv6
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking, used for internal lab networks
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, includes broadcast 255.255.255.255
];

const blockedV4 = BLOCKED_V4.map(([base, bits]) => ({ base: parseV4(base)!, bits }));

function parseV4(s: string): V4 | undefined {
  if (net.isIPv4(s) === false) return undefined;
  const p = s.split(".").map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function inV4(ip: V4, base: V4, bits: number): boolean {
  if (bits === 0) return true;
  const shift = 32 - bits;
  return ip >>> shift === base >>> shift;
}

function isBlockedV4(ip: V4): boolean {
  return blockedV4.some((r) => inV4(ip, r.base, r.bits));
}

function parseV6(s: string): V6 | undefined {
  if (!net.isIPv6(s)) return undefined;
  let str = s;
  const lastColon = str.lastIndexOf(":");
  const tail = str.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseV4(tail);
    if (v4 === undefined) return undefined;
    str = `${str.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = str.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((h) => parseInt(h, 16)));
  const head = groups(halves[0]);
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const rest = groups(halves[1]);
  const fill = 8 - head.length - rest.length;
  if (fill < 1) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}

function inV6(ip: V6, prefix: V6, bits: number): boolean {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((ip[i] & mask) !== (prefix[i] & mask)) return false;
  }
  return true;
}

const v6 = (s: string) => parseV6(s)!;
const embeddedV4 = (hi: number, lo: number): V4 => ((hi << 16) | lo) >>> 0;

/**
 * Allow-list for IPv6: only global unicast 2000::/3 is publicly routable. That one rule
 * covers ::1, ::, fe80::/10, fec0::/10, fc00::/7, ff00::/8, 100::/64 and unassigned space.
 * Formats that carry an IPv4 address (mapped, compatible, SIIT, NAT64, 6to4, Teredo) are
 * judged by that IPv4 address, since the packet ends up there.
 */
function isBlockedV6(ip: V6): boolean {
  // ::/96 (IPv4-compatible; also :: and ::1), ::ffff:0:0/96 (mapped), ::ffff:0:0:0/96 (SIIT)
  if (inV6(ip, v6("::"), 96) || inV6(ip, v6("::ffff:0:0"), 96) || inV6(ip, v6("::ffff:0:0:0"), 96)) {
    return isBlockedV4(embeddedV4(ip[6], ip[7]));
  }
  if (inV6(ip, v6("64:ff9b::"), 96)) return isBlockedV4(embeddedV4(ip[6], ip[7])); // well-known NAT64
  if (inV6(ip, v6("64:ff9b:1::"), 48)) return true; // local-use NAT64 translates into our own network
  if (!inV6(ip, v6("2000::"), 3)) return true;
  if (inV6(ip, v6("2002::"), 16)) return isBlockedV4(embeddedV4(ip[1], ip[2])); // 6to4
  if (inV6(ip, v6("2001::"), 32)) {
    // Teredo: server IPv4 in groups 2-3, client IPv4 inverted in groups 6-7
    return isBlockedV4(embeddedV4(ip[2], ip[3])) || isBlockedV4(embeddedV4(ip[6] ^ 0xffff, ip[7] ^ 0xffff));
  }
  return (
    inV6(ip, v6("2001:db8::"), 32) || // documentation
    inV6(ip, v6("3fff::"), 20) || // documentation (RFC 9637)
    inV6(ip, v6("2001:2::"), 48) || // benchmarking
    inV6(ip, v6("2001:10::"), 28) || // ORCHID, not routable
    inV6(ip, v6("2001:20::"), 28) // ORCHIDv2, not routable
  );
}

/**
 * True when a connection to `ip` must be refused. Anything that is not a valid IP literal
 * counts as blocked: callers pass resolver output, and failing closed is the safe reading of
 * something unexpected there.
 */
export function isBlockedAddress(ip: string): boolean {
  let s = ip.trim();
  if (s.startsWith("[") && s.endsWith("]")) s = s.slice(1, -1);
  // a zone id only scopes link-local addresses; the address itself decides
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  const a4 = parseV4(s);
  if (a4 !== undefined) return isBlockedV4(a4);
  const a6 = parseV6(s);
  if (a6 !== undefined) return isBlockedV6(a6);
  return true;
}

/** Hostnames that resolve to loopback by specification (RFC 6761), whatever DNS says. */
function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** URL.hostname keeps brackets around IPv6 and a trailing dot on absolute names. */
export function normalizeHost(hostname: string): string {
  let h = hostname.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  return h.replace(/\.+$/, "");
}

const blocked = (what: string) =>
  new VisibleError("invalid", "blocked_target", `${what} points to a private, loopback or reserved address, which monitors cannot target.`);

// Creation-time resolution only informs the user; don't let a slow resolver hold the request.
const CREATE_LOOKUP_TIMEOUT_MS = 3000;

/** Validation for monitor creation and edits. Check time is protected separately by `guardedLookup`. */
export async function assertAllowedUrl(url: string): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VisibleError("invalid", "invalid_url", "The URL is not valid.");
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new VisibleError("invalid", "invalid_url", "Only http and https URLs can be monitored.");
  }
  await assertAllowedHost(parsed.hostname, "This URL");
}

/** A host a TCP monitor connects to (or a URL's host): the same rules as for URLs. */
export async function assertAllowedHost(hostname: string, what = "This host"): Promise<void> {
  if (config().ALLOW_PRIVATE_TARGETS) return;
  const host = normalizeHost(hostname);
  if (net.isIP(host)) {
    if (isBlockedAddress(host)) throw blocked(what);
    return;
  }
  if (isLocalhostName(host)) throw blocked(what);

  let timer: NodeJS.Timeout | undefined;
  try {
    const addresses = await Promise.race([
      dns.promises.lookup(host, { all: true, verbatim: true }),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), CREATE_LOOKUP_TIMEOUT_MS);
      }),
    ]);
    if (addresses?.some((a) => isBlockedAddress(a.address))) throw blocked(what);
  } catch (err) {
    if (err instanceof VisibleError) throw err;
    // Not resolvable right now: allowed, the check-time guard decides on every check.
  } finally {
    clearTimeout(timer);
  }
}

/**
 * "1.1.1.1", "1.1.1.1:53", "2606:4700::1111", "[2606:4700::1111]:53" or "db.example.com:5432":
 * host and port, or undefined when it is none of these.
 */
export function parseHostPort(s: string, defaultPort: number): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s) ?? (net.isIPv6(s) ? [s, s, undefined] : /^([^:\[\]]+)(?::(\d{1,5}))?$/.exec(s));
  if (!m) return undefined;
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: m[1], port };
}

/**
 * Whether a DNS monitor may send its queries to this resolver address (an IP literal; see
 * DnsFields.resolver). The resolver is where the packets go, so it obeys the target rules.
 */
export function resolverBlocked(resolver: string): boolean {
  const parsed = parseHostPort(resolver, 53);
  if (!parsed) return true;
  return !config().ALLOW_PRIVATE_TARGETS && isBlockedAddress(parsed.host);
}

/** The SSRF rules for whatever a monitor of each type reaches: its URL, its TCP host, its DNS resolver. */
export async function assertAllowedTarget(m: { type?: string; url?: string; host?: string; resolver?: string | null }): Promise<void> {
  if (m.url !== undefined) await assertAllowedUrl(m.url);
  if (m.host !== undefined) await assertAllowedHost(m.host);
  if (m.resolver && resolverBlocked(m.resolver)) throw blocked("This resolver address");
}

function blockedError(hostname: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException & { hostname?: string } = new Error(
    `${hostname} resolves to a private, loopback or reserved address`,
  );
  err.code = "EBLOCKED";
  err.hostname = hostname;
  return err;
}

/**
 * Drop-in for node:net's `lookup` option. The socket connects to exactly the address
 * returned here, so checking it closes the gap between validation and connection.
 * If any returned address is blocked the whole answer is refused, matching creation-time
 * rules and leaving no way to steer the connection attempt order towards the blocked one.
 */
export const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  // property access (not a destructured import) so tests can substitute the resolver
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, options.all ? [] : "", undefined);
    const list = addresses as unknown as dns.LookupAddress[];
    if (!config().ALLOW_PRIVATE_TARGETS) {
      if (list.length === 0 || list.some((a) => isBlockedAddress(a.address))) {
        return callback(blockedError(hostname), options.all ? [] : "", undefined);
      }
    }
    if (options.all) return callback(null, list);
    if (list.length === 0) {
      const e: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
      e.code = "ENOTFOUND";
      return callback(e, "", undefined);
    }
    callback(null, list[0].address, list[0].family);
  });
};
