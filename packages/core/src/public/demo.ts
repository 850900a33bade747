export * as Demo from "./demo";

import { z } from "zod";
import { config } from "../platform/config";
import { Probe } from "../check/probe";

/**
 * A live look at a few public sites (DEMO_SITES) for the landing page, without an account.
 * Checked concurrently with a short timeout, and cached in module memory for DEMO_CACHE_SEC:
 * that is per Lambda container, so a busy demo costs one round of probes per container per
 * minute, whatever the traffic. Concurrent requests share the round in flight.
 */

export const Site = z.object({
  url: z.string(),
  host: z.string(),
  status: z.enum(["up", "down"]),
  httpStatus: z.number().nullable(),
  latencyMs: z.number(),
  reason: z.string().nullable(),
});
export const Snapshot = z.object({
  checkedAt: z.string(),
  timeoutMs: z.number(),
  sites: z.array(Site),
});
export type Snapshot = z.infer<typeof Snapshot>;

let cached: { key: string; at: number; snapshot: Promise<Snapshot> } | undefined;

async function checkAll(sites: string[], timeoutMs: number, now: number): Promise<Snapshot> {
  const results = await Promise.all(
    sites.map(async (url) => {
      const o = await Probe.probe({ url, method: "GET", timeoutMs, expectedStatus: ["200-399"] });
      let host = url;
      try {
        host = new URL(url).host;
      } catch {
        // the probe already reported the URL as invalid
      }
      return {
        url,
        host,
        status: o.ok ? ("up" as const) : ("down" as const),
        httpStatus: o.httpStatus ?? null,
        latencyMs: o.latencyMs,
        reason: o.ok ? null : (o.reason ?? "error"),
      };
    }),
  );
  return { checkedAt: new Date(now).toISOString(), timeoutMs, sites: results };
}

/** The current snapshot and how many seconds it stays fresh (for Cache-Control). */
export async function snapshot(now = Date.now()): Promise<{ snapshot: Snapshot; maxAgeSec: number }> {
  const c = config();
  const ttl = c.DEMO_CACHE_SEC * 1000;
  const key = JSON.stringify([c.DEMO_SITES, c.DEMO_TIMEOUT_MS]);
  if (!cached || cached.key !== key || now - cached.at >= ttl) {
    const entry = { key, at: now, snapshot: checkAll(c.DEMO_SITES, c.DEMO_TIMEOUT_MS, now) };
    cached = entry;
    // A failed round is not kept: the next request tries again.
    entry.snapshot.catch(() => {
      if (cached === entry) cached = undefined;
    });
  }
  const entry = cached;
  return { snapshot: await entry.snapshot, maxAgeSec: Math.max(0, Math.ceil((entry.at + ttl - now) / 1000)) };
}
