import http from "node:http";
import https from "node:https";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { guardedLookup, isBlockedAddress, normalizeHost } from "../check/target";
import { config } from "../platform/config";

export interface HttpAnswer {
  status: number;
  /** Seconds the service asked us to wait (Retry-After, or Discord's `retry_after`). */
  retryAfterSec?: number;
  /** The first 2 KB of the answer. */
  body: string;
  latencyMs: number;
}

const KEEP_BYTES = 2048;

/** Seconds from a Retry-After header (delta-seconds or an HTTP date) or a JSON `retry_after`. */
export function retryAfterOf(header: string | undefined, body: string, now = Date.now()): number | undefined {
  if (header) {
    if (/^\d+$/.test(header.trim())) return Number(header.trim());
    const at = Date.parse(header);
    if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
  }
  try {
    const v = (JSON.parse(body) as { retry_after?: unknown }).retry_after;
    if (typeof v === "number" && v >= 0) return Math.ceil(v);
  } catch {
    // not JSON: no hint
  }
  return undefined;
}

/**
 * One POST, redirects not followed, through the check targets' SSRF guard: the address the socket
 * connects to is checked (guardedLookup), and an IP literal in the URL is checked here, since
 * Node does not resolve those.
 */
export function post(url: string, headers: Record<string, string>, body: string): Promise<HttpAnswer> {
  const target = new URL(url);
  const host = normalizeHost(target.hostname);
  if (!config().ALLOW_PRIVATE_TARGETS && net.isIP(host) && isBlockedAddress(host)) {
    return Promise.reject(Object.assign(new Error(`${host} is a private, loopback or reserved address`), { code: "EBLOCKED" }));
  }
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = (target.protocol === "https:" ? https : http).request(target, {
      method: "POST",
      headers: { "user-agent": "Uptime-Alerts/1", ...headers, "content-length": Buffer.byteLength(body) },
      lookup: guardedLookup,
      agent: false,
      timeout: config().CHANNEL_TIMEOUT_MS,
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      let kept = 0;
      res.on("data", (chunk: Buffer) => {
        if (kept < KEEP_BYTES) parts.push(chunk.subarray(0, KEEP_BYTES - kept));
        kept += chunk.length;
      });
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        const retryAfter = res.headers["retry-after"];
        resolve({
          status: res.statusCode ?? 0,
          retryAfterSec: retryAfterOf(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, text),
          body: text,
          latencyMs: Math.round(performance.now() - started),
        });
      });
    });
    req.end(body);
  });
}
