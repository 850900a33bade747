export * as Mail from "./mail";

import { config } from "./config";

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

/** Sends one email from MAIL_FROM; the provider's message id. */
export async function send(m: Message): Promise<string | undefined> {
  if (!transport) throw new Error("No mail transport: only the alert function sends mail (it installs SES with Mail.useTransport)");
  return transport({ ...m, subject: headerSafe(m.subject), headers: m.headers?.map((h) => ({ name: h.name, value: headerSafe(h.value) })) });
}

/** An absolute link under the API's public address. */
export function publicLink(path: string): string {
  const base = config().PUBLIC_URL;
  if (!base) throw new Error("PUBLIC_URL is not set: emails with links need the API's public address");
  return new URL(path, base.endsWith("/") ? base : `${base}/`).toString();
}
