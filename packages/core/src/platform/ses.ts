import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import type { Transport } from "./mail";
import { config, onConfigReload } from "./config";
import { localCredentials } from "./table";

/**
 * Apart from platform/aws.ts so that only code that really sends mail (the alert function) bundles
 * the SES client: every other function only queues mail.
 */
let sesClient: SESv2Client | undefined;
onConfigReload(() => {
  sesClient = undefined;
});

/** Created once per container; points at the emulator when SES_ENDPOINT is set. */
export function ses(): SESv2Client {
  if (!sesClient) {
    const c = config();
    sesClient = new SESv2Client({
      region: c.AWS_REGION,
      ...(c.SES_ENDPOINT ? { endpoint: c.SES_ENDPOINT, credentials: localCredentials } : {}),
    });
  }
  return sesClient;
}

/** Mail.send through SES, from MAIL_FROM; installed by the alert function only. */
export const sesTransport: Transport = async (m) => {
  const c = config();
  const res = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: c.MAIL_FROM,
      // Bounces and complaints of mail sent with it reach the suppression list (stacks/Pipeline.ts).
      ...(c.SES_CONFIGURATION_SET && { ConfigurationSetName: c.SES_CONFIGURATION_SET }),
      Destination: { ToAddresses: [m.to] },
      Content: {
        Simple: {
          Subject: { Data: m.subject, Charset: "UTF-8" },
          Body: { Text: { Data: m.text, Charset: "UTF-8" }, Html: { Data: m.html, Charset: "UTF-8" } },
          ...(m.headers?.length && { Headers: m.headers.map((h) => ({ Name: h.name, Value: h.value })) }),
        },
      },
    }),
  );
  return res.MessageId;
};
