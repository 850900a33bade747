export * as Alert from "./alert";

import { Entity } from "electrodb";
import { PasswordReset } from "../accounts/password-reset";
import { z } from "zod";
import { isConditionalCheckFailed } from "../platform/errors";
import { escapeHtml } from "../platform/html";
import { Mail } from "../platform/mail";
import { UserText } from "../platform/user-text";
import { Flapping } from "../incident/flapping";
import { Incident, type IncidentItem } from "../incident/incident";
import { config } from "../platform/config";
import { formatDuration } from "../platform/time";
export { formatDuration };
import { lazyEntity, entityOptions } from "../platform/table";
import { AlertCaps } from "./caps";
import { Invitation } from "../orgs/invitation";
import { AlertRecipient } from "./recipients";
import { Delivery } from "../channels/delivery";
import { FollowUp } from "../channels/follow-up";
import { Claim } from "../platform/claim";
import { MonitorNotice } from "./notice";
import { targetLabel } from "../monitors/shape";

/**
 * One item per (incident, transition, recipient): claimed with a conditional create before
 * the email is sent, so a redelivered event never mails anyone twice. If SES refuses, the
 * claim is released and the event retried. A crash between sending and marking `sent`
 * leaves a `sending` claim: we prefer a possibly-missed email over a duplicate. A recipient that
 * may not be mailed is recorded as `skipped` with the reason.
 */
export const NotificationEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "notification", version: "1", service: "uptime" },
      attributes: {
        incidentId: { type: "string", required: true },
        transition: { type: ["opened", "resolved"] as const, required: true },
        recipient: { type: "string", required: true },
        status: { type: ["sending", "sent", "skipped"] as const, required: true },
        /** Why a `skipped` recipient got no mail: unconfirmed, declined, flapping (a summary went instead) or capped. */
        reason: { type: "string" },
        messageId: { type: "string" },
        claimedAt: { type: "number", required: true },
        /** Which call claimed it (platform/claim.ts): a retried write finds its own claim. */
        claimToken: { type: "string" },
        sentAt: { type: "number" },
      },
      indexes: {
        // the notifications sent for one incident
        byIncident: {
          pk: { field: "pk", composite: ["incidentId"] },
          sk: { field: "sk", composite: ["transition", "recipient"] },
        },
      },
    },
    entityOptions(),
  ),
);

export type Transition = "opened" | "resolved";

const utc = (ms: number) => new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, " UTC");



/** The app's monitor screen, in the monitor's organisation (a recipient may belong to several). */
const monitorLink = (incident: IncidentItem) =>
  config().PUBLIC_URL ? Mail.publicLink(`monitors/${encodeURIComponent(incident.monitorId)}?org=${encodeURIComponent(incident.ownerId)}`) : undefined;

export function renderEmail(incident: IncidentItem, transition: Transition) {
  const down = transition === "opened";
  // The monitor's name and URL are its owner's words: after a fixed tag or quoted, short, never a link.
  const name = UserText.short(incident.monitorName);
  const subject = down
    ? `[DOWN] ${name} is down`
    : `[RECOVERED] ${name} is back up after ${formatDuration(incident.durationMs ?? 0)}`;
  const rows: [string, string][] = [
    ["Monitor", UserText.quoted(incident.monitorName)],
    [targetLabel(incident.url), UserText.defang(incident.url)],
    ["Reason", incident.message ? `${incident.reason}: ${UserText.defang(incident.message)}` : incident.reason],
    [down ? "Down since" : "Went down", utc(incident.startedAt)],
  ];
  if (!down) {
    rows.push(["Recovered", utc(incident.resolvedAt ?? Date.now())]);
    rows.push(["Downtime", formatDuration(incident.durationMs ?? 0)]);
  }
  const details = monitorLink(incident);
  if (details) rows.push(["Details", details]);
  const headline = down ? `${UserText.quoted(incident.monitorName)} is DOWN.` : `${UserText.quoted(incident.monitorName)} has RECOVERED.`;
  const text = [headline, "", ...rows.map(([k, v]) => `${k}: ${v}`), "", `Incident: ${incident.incidentId}`].join("\n");
  const color = down ? "#b42318" : "#067647";
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">
<h2 style="color:${color};margin:0 0 12px">${escapeHtml(headline)}</h2>
<table cellpadding="6" style="border-collapse:collapse">${rows
    .map(([k, v]) => `<tr><th align="left" style="color:#475467">${escapeHtml(k)}</th><td>${v === details ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)}</td></tr>`)
    .join("")}</table>
<p style="color:#667085;font-size:12px">Incident ${escapeHtml(incident.incidentId)}</p>
</body></html>`;
  return { subject, text, html };
}

export type SkipReason = "already_handled" | "unconfirmed" | "declined" | "flapping" | "capped";

/** Claims the (incident, transition, recipient) slot: as `sending`, or as `skipped` with the reason. */
async function claim(incidentId: string, transition: Transition, recipient: string, reason?: SkipReason): Promise<boolean> {
  const key = { incidentId, transition, recipient };
  return Claim.create(
    (claimToken) =>
      NotificationEntity.create({ ...key, status: reason ? "skipped" : "sending", ...(reason && { reason }), claimedAt: Date.now(), claimToken }).go({ response: "none" }),
    async () => (await NotificationEntity.get(key).go({ consistent: true })).data?.claimToken,
  );
}

/** What the alerts queue carries: incident transitions, recipient confirmations, password reset and invitation mails. */
export const Event = z.union([Incident.Event, FollowUp.Event, AlertRecipient.ConfirmationRequested, PasswordReset.Requested, Invitation.MailRequested, MonitorNotice.Event]);
export type Event = z.infer<typeof Event>;

export async function handle(event: Event) {
  if (event.type === "recipient.confirmation") return AlertRecipient.sendConfirmation(event);
  if (event.type === "password.reset") return PasswordReset.send(event);
  if (event.type === "invitation.mail") return Invitation.sendMail(event);
  if (event.type === "incident.followup") return FollowUp.handle(event);
  if (event.type === "monitor.notice") return MonitorNotice.handle(event);
  const mails = await notify(event);
  const incident = await Incident.get(event.incidentId);
  if (incident) await Delivery.fanOut(incident, { kind: event.type === "incident.opened" ? "opened" : "resolved", at: event.at });
  return mails;
}

/**
 * Sends one email per recipient for an incident transition; safe to call any number of times.
 * Recipients were copied onto the incident when it opened, but whether each may be mailed is
 * decided now: an address that declined since gets nothing, one that confirmed since gets the
 * RECOVERED mail. A flapping monitor's recipients get one summary instead; every mail is charged
 * to the account's hourly cap.
 */
export async function notify(event: Incident.Event): Promise<{ sent: string[]; skipped: { recipient: string; reason: SkipReason }[] }> {
  const sent: string[] = [];
  const skipped: { recipient: string; reason: SkipReason }[] = [];
  const incident = await Incident.get(event.incidentId);
  if (!incident) return { sent, skipped }; // superseded incident: nothing to tell
  const transition: Transition = event.type === "incident.opened" ? "opened" : "resolved";
  const [audience, opened] = await Promise.all([
    AlertRecipient.audienceOf(incident.ownerId),
    Flapping.openedInHourOf(incident.monitorId, event.at),
  ]);
  const flapping = AlertCaps.flapping(opened);
  const { subject, text, html } = flapping
    ? AlertCaps.renderFlapSummary(incident.monitorName, incident.url, flapping.count * 2 - (transition === "opened" ? 1 : 0), flapping.until, monitorLink(incident))
    : renderEmail(incident, transition);
  const key = { incidentId: incident.incidentId, transition };

  for (const recipient of incident.alertEmails) {
    const reason: SkipReason | undefined = audience.reasonToSkip(recipient) ?? (flapping && "flapping");
    if (!(await claim(incident.incidentId, transition, recipient, reason))) {
      skipped.push({ recipient, reason: "already_handled" });
      continue;
    }
    if (reason) skipped.push({ recipient, reason });
    // A flapping monitor's one summary per recipient and hour; this transition itself stays skipped.
    if (reason && !(reason === "flapping" && (await AlertCaps.claimFlapSummary(incident.monitorId, recipient, flapping!.until)))) continue;
    if (!(await AlertCaps.admit(incident.ownerId, audience.ownerEmail))) {
      if (!reason) {
        await NotificationEntity.patch({ ...key, recipient }).set({ status: "skipped", reason: "capped" }).go({ response: "none" });
        skipped.push({ recipient, reason: "capped" });
      }
      continue;
    }
    let messageId: string | undefined;
    try {
      messageId = await Mail.send({ to: recipient, subject, text, html });
    } catch (err) {
      // Only a refused send releases the claim; once SES took the mail it must never go again.
      if (!reason) await NotificationEntity.delete({ ...key, recipient }).go();
      throw err;
    }
    if (reason) continue;
    await NotificationEntity.patch({ ...key, recipient })
      .set({ status: "sent", sentAt: Date.now(), messageId })
      .go({ response: "none" });
    sent.push(recipient);
  }
  return { sent, skipped };
}

// the notifications that went out for an incident
export async function listForIncident(incidentId: string) {
  const { data } = await NotificationEntity.query.byIncident({ incidentId }).go({ consistent: true });
  return data;
}
