import { createHash, createHmac } from "node:crypto";

/**
 * AWS Signature Version 4 for the one request shape we sign by hand: a POST of an AWS
 * JSON-protocol body (DynamoDB, SSM, EventBridge), no query string. The SDK's signer does far
 * more per request (a generic canonicaliser, async hashing, a middleware stack around it); this
 * keeps the derived key for the day and signs with three hashes. sigv4.test.ts checks each
 * signature against the SDK's own signer (@smithy/signature-v4).
 */

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The function's credentials: Lambda puts them in the environment of every execution environment. */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN && { sessionToken: env.AWS_SESSION_TOKEN }) };
}

export interface JsonRequest {
  service: string;
  region: string;
  /** host[:port] as sent in the Host header. */
  host: string;
  /** Already URI-encoded, e.g. "/". */
  path: string;
  /** The X-Amz-Target header, e.g. "DynamoDB_20120810.PutItem". */
  target: string;
  /** application/x-amz-json-1.0 (DynamoDB) or 1.1 (most others). */
  contentType: string;
  body: string;
}

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const hmac = (key: string | Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

/** The last derived signing key: it changes with the day, the secret, the region or the service. */
let cached: { id: string; key: Buffer } | undefined;
function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const id = `${day}/${region}/${service}/${secret}`;
  if (cached?.id !== id) cached = { id, key: hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), "aws4_request") };
  return cached.key;
}

/** The headers to send with `req`, the signature's among them (content-length is left to the caller). */
export function signJsonRequest(req: JsonRequest, credentials: Credentials, now = new Date()): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    "content-type": req.contentType,
    host: req.host,
    "x-amz-date": amzDate,
    ...(credentials.sessionToken && { "x-amz-security-token": credentials.sessionToken }),
    "x-amz-target": req.target,
  };
  // Already in sorted order, with lower-case names and values that need no trimming.
  const names = Object.keys(headers);
  const signedHeaders = names.join(";");
  const canonical = `POST\n${req.path}\n\n${names.map((n) => `${n}:${headers[n]}\n`).join("")}\n${signedHeaders}\n${sha256Hex(req.body)}`;
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const signature = createHmac("sha256", signingKey(credentials.secretAccessKey, day, req.region, req.service))
    .update(`AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`, "utf8")
    .digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
