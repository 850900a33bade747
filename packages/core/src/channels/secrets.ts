export * as ChannelSecrets from "./secrets";

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { channelSecretKey } from "../platform/config";

/**
 * AES-256-GCM with a random 96-bit IV per write; the channel id is authenticated data, so a
 * sealed value copied onto another channel does not open. Stored as `v1.<base64url(iv|tag|data)>`.
 */
export async function seal(channelId: string, secrets: Record<string, string>): Promise<string> {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", await channelSecretKey(), iv);
  cipher.setAAD(Buffer.from(channelId));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), "utf8"), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url")}`;
}

export async function open(channelId: string, sealed: string | undefined): Promise<Record<string, string>> {
  if (!sealed) return {};
  if (!sealed.startsWith("v1.")) throw new Error("Unknown channel secret format");
  const raw = Buffer.from(sealed.slice(3), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", await channelSecretKey(), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(channelId));
  decipher.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8"));
}

/** What the API shows of a secret: its last four characters. */
export const mask = (value: string) => `••••${value.slice(-4)}`;
