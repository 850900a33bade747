import { awsJsonCall } from "./ssm";

/**
 * EventBridge PutEvents as one signed request (like ssm.ts: the SDK client would add ~200 KB to the
 * function for one call). AWS_ENDPOINT_URL_EVENTBRIDGE points tests elsewhere.
 */
export async function putEvent(region: string, entry: { EventBusName: string; Source: string; DetailType: string; Detail: string }) {
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_EVENTBRIDGE ?? `https://events.${region}.amazonaws.com/`);
  const res = await awsJsonCall({ service: "events", target: "AWSEvents.PutEvents", region, endpoint, body: JSON.stringify({ Entries: [entry] }) });
  // PutEvents answers 200 with a per-entry error for a refused entry.
  const failed = res.ok ? (JSON.parse(res.text) as { FailedEntryCount?: number }).FailedEntryCount : undefined;
  return { status: res.status, ok: res.ok && !failed, body: res.text.slice(0, 2048) };
}
