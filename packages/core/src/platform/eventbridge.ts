import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "./ssm";

/**
 * EventBridge PutEvents as one signed request (like ssm.ts: the SDK client would add ~200 KB to the
 * function for one call). Credentials are the Lambda's; AWS_ENDPOINT_URL_EVENTBRIDGE points tests elsewhere.
 */
export async function putEvent(region: string, entry: { EventBusName: string; Source: string; DetailType: string; Detail: string }) {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error("No AWS credentials in the environment to put events");
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? `https://events.${region}.amazonaws.com/`);
  const body = JSON.stringify({ Entries: [entry] });
  const signer = new SignatureV4({
    service: "events",
    region,
    sha256: Sha256,
    credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: endpoint.pathname,
    headers: { host: endpoint.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSEvents.PutEvents" },
    body,
  });
  const res = await fetch(endpoint, { method: "POST", headers: signed.headers as Record<string, string>, body });
  const text = await res.text();
  // PutEvents answers 200 with a per-entry error for a refused entry.
  const failed = res.ok ? (JSON.parse(text) as { FailedEntryCount?: number }).FailedEntryCount : undefined;
  return { status: res.status, ok: res.ok && !failed, body: text.slice(0, 2048) };
}
