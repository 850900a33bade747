import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Context } from "hono";
import { config, secretFromSsm } from "@uptime/core/platform/config";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "./edge-headers";
import { Telemetry } from "@uptime/core/platform/telemetry";

/*
 * Deployed, the secret is the SST secret ORIGIN_VERIFY_SECRET (SSM), read at cold start and again
 * every few minutes in the background, so a rotation reaches running containers. It may hold several
 * comma-separated values: CloudFront sends the first, the API accepts any (the old one while rotating).
 */
const REFRESH_MS = 5 * 60_000;
const fromSsm = process.env.SST_Secret_value_ORIGIN_VERIFY_SECRET === "__FETCH_FROM_SSM__";
let deployed: { values: string[]; readAt: number } | undefined;
let refreshing: Promise<void> | undefined;
const valuesOf = (secret: string) => secret.split(",").map((v) => v.trim()).filter((v) => v.length >= 32);

function refresh(): Promise<void> {
  refreshing ??= secretFromSsm("ORIGIN_VERIFY_SECRET")
    .then((secret) => void (deployed = { values: valuesOf(secret ?? ""), readAt: Date.now() }))
    // Without it the TCP peer counts as the caller (per-edge limits): degraded, never open.
    .catch((err) => Telemetry.log.error("origin-verify secret not read", { error: String(err) }))
    .finally(() => (refreshing = undefined));
  return refreshing;
}
if (fromSsm) await refresh();

function acceptedSecrets(): string[] {
  const local = config().ORIGIN_VERIFY_SECRET;
  if (local) return valuesOf(local);
  if (!fromSsm) return [];
  if (!deployed || Date.now() - deployed.readAt > REFRESH_MS) void refresh();
  return deployed?.values ?? [];
}

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The caller's address for per-client limits. Behind CloudFront, API Gateway's sourceIp is an edge
 * server shared by everyone near it, so the viewer address CloudFront passes on is used instead, but
 * only when the request carries the distribution's secret: anyone can send the header itself straight
 * to API Gateway. Otherwise the TCP peer as API Gateway saw it (locally, the socket's address).
 */
export function clientAddress(c: Context): string | undefined {
  const sourceIp = (c.env as { requestContext?: { http?: { sourceIp?: string } } } | undefined)?.requestContext?.http?.sourceIp;
  const presented = c.req.header(ORIGIN_VERIFY_HEADER);
  if (!presented || !acceptedSecrets().some((secret) => sameText(secret, presented))) return sourceIp;
  const viewer = c.req.header(VIEWER_ADDRESS_HEADER)?.trim();
  return viewer && isIP(viewer) ? viewer : sourceIp;
}
