export * as Mail from "./mail";

import { config } from "./config";
import { MailSuppression } from "./mail-suppression";
import { MailRejection } from "./mail-rejection";
import { Telemetry } from "./telemetry";

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

/** Puts a message on the wire; `subject` and header values arrive header-safe. */
export type Transport = (m: Message) => Promise<string | undefined>;
let transport: Transport | undefined;

/**
 * The alert function installs SES here (platform/ses.ts). Every other function only queues mail,
 * so it neither bundles the SES client (the largest we have) nor could send by mistake.
 */
export function useTransport(t: Transport) {
  transport = t;
}

/**
 * Sends one email from MAIL_FROM; the provider's message id. Every mail the product sends passes
 * here, so this is where SES's bounces and complaints stop it: to a suppressed address nothing is
 * sent (undefined), and the caller goes on as if it were (mailing again would not help).
 */
export async function send(m: Message): Promise<string | undefined> {
  if (!transport) throw new Error("No mail transport: only the alert function sends mail (it installs SES with Mail.useTransport)");
  if (await MailSuppression.isSuppressed(m.to)) {
    Telemetry.log.info("mail suppressed", { subject: headerSafe(m.subject).slice(0, 80) });
    return undefined;
  }
  try {
    const id = await transport({ ...m, subject: headerSafe(m.subject), headers: m.headers?.map((h) => ({ name: h.name, value: headerSafe(h.value) })) });
    Telemetry.metric("MailsSent", 1);
    return id;
  } catch (err) {
    // A refusal no retry can change is recorded for the recipient, and the mail counts as handled (see mail-rejection.ts).
    const code = MailRejection.permanentCode(err);
    if (!code) throw err;
    await MailRejection.record(m.to, code, err instanceof Error ? err.message : String(err));
    Telemetry.log.error("mail rejected", { code, subject: headerSafe(m.subject).slice(0, 80) });
    return undefined;
  }
}

/** An absolute link under the API's public address. */
export function publicLink(path: string): string {
  const base = config().PUBLIC_URL;
  if (!base) throw new Error("PUBLIC_URL is not set: emails with links need the API's public address");
  return new URL(path, base.endsWith("/") ? base : `${base}/`).toString();
}
