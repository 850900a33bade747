import type { SNSEvent } from "aws-lambda";
import { z } from "zod";
import { backgroundLoaders } from "./functions";
import { lambdaContext } from "./lambda";

/**
 * `POST /local/ses/bounce` on the local API: what SES and SNS do when deployed, by hand. The body
 * `{"email": "...", "type": "bounce" | "complaint"}` becomes the SES event an SNS topic would
 * deliver, handed to the same sesFeedback function the stack subscribes to the topic.
 */
export const LOCAL_BOUNCE_PATH = "/local/ses/bounce";
/**
 * Required on the request, with a JSON content type: a web page cannot send either cross-site
 * without a CORS preflight, which the local server never grants, so no site you visit can
 * suppress addresses on your local stack behind your back.
 */
export const LOCAL_ONLY_HEADER = "x-uptime-local";

const Body = z.object({ email: z.email(), type: z.enum(["bounce", "complaint"]).default("bounce") });

export function sesEvent(email: string, type: "bounce" | "complaint") {
  return type === "bounce"
    ? { eventType: "Bounce", bounce: { bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: email }] }, mail: { destination: [email] } }
    : { eventType: "Complaint", complaint: { complainedRecipients: [{ emailAddress: email }], complaintFeedbackType: "abuse" }, mail: { destination: [email] } };
}

export async function injectSesFeedback(req: Request, region: string): Promise<Response> {
  if (req.headers.get(LOCAL_ONLY_HEADER) !== "1") {
    return Response.json({ error: { code: "forbidden", message: `Send the header ${LOCAL_ONLY_HEADER}: 1 (local tooling only)` } }, { status: 403 });
  }
  if (!/^application\/json\s*(;|$)/i.test(req.headers.get("content-type") ?? "")) {
    return Response.json({ error: { code: "unsupported_media_type", message: "Send JSON (content-type: application/json)" } }, { status: 415 });
  }
  let body;
  try {
    body = Body.parse(await req.json());
  } catch {
    return Response.json({ error: { code: "validation_error", message: 'Send {"email": "...", "type": "bounce" | "complaint"}' } }, { status: 400 });
  }
  const { handler } = (await backgroundLoaders.sesFeedback()) as { handler: (e: SNSEvent, ctx: unknown) => Promise<void> };
  const event = {
    Records: [{ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: "local", Sns: { MessageId: `local-${Date.now()}`, Message: JSON.stringify(sesEvent(body.email, body.type)), Type: "Notification" } }],
  } as unknown as SNSEvent;
  await handler(event, lambdaContext("sesFeedback", 30_000, region));
  return Response.json({ suppressed: body.email.toLowerCase(), type: body.type }, { status: 202 });
}
