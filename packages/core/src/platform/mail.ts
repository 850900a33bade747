export * as Mail from "./mail";

import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { ses } from "./aws";
import { config } from "./config";
import { MailSuppression } from "./mail-suppression";

export interface Message {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra header lines, e.g. List-Unsubscribe (RFC 8058); values are made header-safe. */
  headers?: { name: string; value: string }[];
}

/**
 * Text fit for a header line. Subjects carry user-chosen text (monitor names): a CR or LF could
 * start a header of its own, and other control characters have no business in a subject either.
 */
export const headerSafe = (s: string) =>
  s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .replace(/ {2,}/g, " ")
    .trim();

/**
 * Sends one email through SES from MAIL_FROM; the SES message id. Every mail the product sends
 * passes here, so this is where SES's bounces and complaints stop it: to a suppressed address
 * nothing is sent (undefined), and the caller goes on as if it were (mailing again would not help).
 */
export async function send(m: Message): Promise<string | undefined> {
  if (await MailSuppression.isSuppressed(m.to)) {
    console.log(JSON.stringify({ msg: "mail suppressed", subject: headerSafe(m.subject).slice(0, 80) }));
    return undefined;
  }
  const res = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: config().MAIL_FROM,
      // Bounces and complaints of mail sent with it reach the suppression list (stacks/Pipeline.ts).
      ...(config().SES_CONFIGURATION_SET && { ConfigurationSetName: config().SES_CONFIGURATION_SET }),
      Destination: { ToAddresses: [m.to] },
      Content: {
        Simple: {
          Subject: { Data: headerSafe(m.subject), Charset: "UTF-8" },
          Body: { Text: { Data: m.text, Charset: "UTF-8" }, Html: { Data: m.html, Charset: "UTF-8" } },
          ...(m.headers?.length && { Headers: m.headers.map((h) => ({ Name: h.name, Value: headerSafe(h.value) })) }),
        },
      },
    }),
  );
  return res.MessageId;
}

/** An absolute link under the API's public address. */
export function publicLink(path: string): string {
  const base = config().PUBLIC_URL;
  if (!base) throw new Error("PUBLIC_URL is not set: emails with links need the API's public address");
  return new URL(path, base.endsWith("/") ? base : `${base}/`).toString();
}
