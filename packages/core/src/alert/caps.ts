export * as AlertCaps from "./caps";

import { config } from "../platform/config";
import { escapeHtml } from "../platform/html";
import { Mail } from "../platform/mail";
import { RateLimit } from "../platform/rate-limit";
import { HOUR } from "../platform/time";

/**
 * Limits on what one account can make us send: ALERT_EMAILS_PER_HOUR mails per clock hour
 * (alerts and recipient confirmations alike), and one [FLAPPING] summary per monitor, hour and
 * recipient instead of the mails of a monitor that keeps changing state. Every check here runs
 * on the alert path only, never for a healthy check.
 */

/** A plain-text mail as HTML, one paragraph per line, escaped. */
export const paragraphs = (text: string) =>
  `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">${text
    .split("\n")
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join("")}</body></html>`;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/**
 * Takes one mail from the account's hourly budget. Past it the mail is dropped and counted; the
 * first drop of the hour (the counter reaching 1 is atomic) sends the owner one notice, outside the budget.
 */
export async function admit(ownerId: string, ownerEmail: string | undefined, now = Date.now()): Promise<boolean> {
  const cap = config().ALERT_EMAILS_PER_HOUR;
  if ((await RateLimit.take(`alert-mail:${ownerId}`, cap, HOUR, now)).ok) return true;
  const dropped = await RateLimit.take(`alert-mail-dropped:${ownerId}`, Number.MAX_SAFE_INTEGER, HOUR, now);
  if (dropped.ok && dropped.count === 1 && ownerEmail) {
    const until = Math.floor(now / HOUR) * HOUR + HOUR;
    await Mail.send({ to: ownerEmail, ...renderCappedNotice(cap, until) }).catch((err) =>
      console.error(JSON.stringify({ msg: "capped notice not sent", ownerId, error: String(err) })),
    );
  }
  return false;
}

export function renderCappedNotice(cap: number, until: number) {
  const subject = `[ALERTS CAPPED] more than ${cap} alert emails this hour; more are dropped until ${hhmm(until)} UTC`;
  const text = [
    `Your account reached its limit of ${cap} alert emails in one hour.`,
    `Further alert emails are dropped until ${hhmm(until)} UTC; incidents are still recorded and shown in the dashboard.`,
  ].join("\n");
  return { subject, text, html: paragraphs(text) };
}

/** The monitor's flapping state at `at`: undefined below FLAP_INCIDENTS_PER_HOUR incidents opened this clock hour. */
export function flapping(opened: { count: number; hourEnd: number }): { count: number; until: number } | undefined {
  return opened.count > config().FLAP_INCIDENTS_PER_HOUR ? { count: opened.count, until: opened.hourEnd } : undefined;
}

/** Claims the one summary a recipient gets for a monitor in one flapping hour. */
export async function claimFlapSummary(monitorId: string, recipient: string, until: number): Promise<boolean> {
  return (await RateLimit.take(`flap-summary:${monitorId}:${recipient}`, 1, HOUR, until - 1)).ok;
}

export function renderFlapSummary(monitorName: string, url: string, changes: number, until: number, details?: string) {
  const subject = `[FLAPPING] ${monitorName} changed state ${changes} times; alerts paused until ${hhmm(until)} UTC`;
  const lines = [
    `${monitorName} went down and up again ${changes} times within the hour.`,
    `URL: ${url}`,
    `No more DOWN or RECOVERED emails are sent for it until ${hhmm(until)} UTC; incidents are still recorded.`,
  ];
  const text = [...lines, ...(details ? [`Details: ${details}`] : [])].join("\n");
  const html = paragraphs(lines.join("\n"));
  const link = details && `<p>Details: <a href="${escapeHtml(details)}">${escapeHtml(details)}</a></p>`;
  return { subject, text, html: link ? html.replace("</body>", `${link}</body>`) : html };
}
