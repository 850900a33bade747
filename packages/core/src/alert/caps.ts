export * as AlertCaps from "./caps";

import { config } from "../platform/config";
import { escapeHtml } from "../platform/html";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { RateLimit } from "../platform/rate-limit";
import { HOUR } from "../platform/time";
import { OrgGuard } from "../orgs/guard";
import { User } from "../accounts/user";
import { Telemetry } from "../platform/telemetry";
import { targetLabel } from "../monitors/shape";

/**
 * Limits on what one organisation, and the account that created it, can make us send:
 * ALERT_EMAILS_PER_HOUR mails per organisation and clock hour and ACCOUNT_EMAILS_PER_HOUR over all
 * the organisations one account created (alerts, recipient confirmations and invitations alike), and
 * one [FLAPPING] summary per monitor, hour and recipient instead of the mails of a monitor that keeps
 * changing state. Every check here runs on the alert path only, never for a healthy check.
 */

/** A plain-text mail as HTML, one paragraph per line, escaped. */
export const paragraphs = (text: string) =>
  `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">${text
    .split("\n")
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join("")}</body></html>`;

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

/**
 * Takes one mail from the organisation's hourly budget and from that of the account that created it.
 * Past either the mail is dropped and counted; the first drop of the hour for a budget (the counter
 * reaching 1 is atomic) sends the owner one notice, outside the budgets.
 */
export async function admit(ownerId: string, ownerEmail: string | undefined, now = Date.now()): Promise<boolean> {
  const c = config();
  if (!(await RateLimit.take(`alert-mail:${ownerId}`, c.ALERT_EMAILS_PER_HOUR, HOUR, now)).ok) {
    await dropped(ownerId, async () => ownerEmail, c.ALERT_EMAILS_PER_HOUR, "organisation", now);
    return false;
  }
  const accountId = await OrgGuard.accountOf(ownerId);
  if (!(await RateLimit.take(`account-mail:${accountId}`, c.ACCOUNT_EMAILS_PER_HOUR, HOUR, now)).ok) {
    // The notice goes to the account that created the organisation: its budget is the one that ran out.
    await dropped(`account:${accountId}`, async () => (await User.get(accountId))?.email, c.ACCOUNT_EMAILS_PER_HOUR, "account", now);
    return false;
  }
  return true;
}

async function dropped(budget: string, noticeTo: () => Promise<string | undefined>, cap: number, scope: "organisation" | "account", now: number) {
  const count = await RateLimit.take(`alert-mail-dropped:${budget}`, Number.MAX_SAFE_INTEGER, HOUR, now);
  const ownerEmail = count.ok && count.count === 1 ? await noticeTo() : undefined;
  if (ownerEmail) {
    const until = Math.floor(now / HOUR) * HOUR + HOUR;
    await Mail.send({ to: ownerEmail, ...renderCappedNotice(cap, until, scope) }).catch((err) =>
      Telemetry.log.error("capped notice not sent", { budget, error: String(err) }),
    );
  }
}

export function renderCappedNotice(cap: number, until: number, scope: "organisation" | "account" = "organisation") {
  const subject = `[ALERTS CAPPED] more than ${cap} alert emails this hour; more are dropped until ${hhmm(until)} UTC`;
  const text = [
    scope === "organisation"
      ? `This organisation reached its limit of ${cap} alert emails in one hour.`
      : `The organisations your account created reached their joint limit of ${cap} emails in one hour.`,
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
  const subject = `[FLAPPING] ${UserText.short(monitorName)} changed state ${changes} times; alerts paused until ${hhmm(until)} UTC`;
  const lines = [
    `${UserText.quoted(monitorName)} went down and up again ${changes} times within the hour.`,
    `${targetLabel(url)}: ${UserText.defang(url)}`,
    `No more DOWN or RECOVERED emails are sent for it until ${hhmm(until)} UTC; incidents are still recorded.`,
  ];
  const text = [...lines, ...(details ? [`Details: ${details}`] : [])].join("\n");
  const html = paragraphs(lines.join("\n"));
  const link = details && `<p>Details: <a href="${escapeHtml(details)}">${escapeHtml(details)}</a></p>`;
  return { subject, text, html: link ? html.replace("</body>", `${link}</body>`) : html };
}
