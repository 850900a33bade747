import { timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { Context } from "hono";
import { config } from "@uptime/core/platform/config";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "./edge-headers";


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
  const secret = config().ORIGIN_VERIFY_SECRET;
  const presented = c.req.header(ORIGIN_VERIFY_HEADER);
  if (!secret || !presented || !sameText(secret, presented)) return sourceIp;
  const viewer = c.req.header(VIEWER_ADDRESS_HEADER)?.trim();
  return viewer && isIP(viewer) ? viewer : sourceIp;
}
