import { createHmac, timingSafeEqual } from "node:crypto";
import { jwtSecret } from "../platform/config";
import { Mail } from "../platform/mail";

/**
 * The one-click acknowledge link in alert messages: an HMAC of the incident id under the stage's
 * JWT secret, so the link works without signing in and only for that incident. Opening it shows a
 * button; only the button's POST acknowledges (link scanners in mail and chat open every link).
 */
async function tokenFor(incidentId: string) {
  return createHmac("sha256", await jwtSecret()).update(`incident-ack:${incidentId}`).digest("base64url");
}

export async function ackLink(incidentId: string) {
  return Mail.publicLink(`v1/incidents/${encodeURIComponent(incidentId)}/ack?token=${await tokenFor(incidentId)}`);
}

export async function verifyAckToken(incidentId: string, token: string) {
  const expected = Buffer.from(await tokenFor(incidentId));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
