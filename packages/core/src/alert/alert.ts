export * as Alert from "./alert";

import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { Entity } from "electrodb";
import { ses } from "../platform/aws";
import { config } from "../platform/config";
import { isConditionalCheckFailed } from "../platform/errors";
import { escapeHtml } from "../platform/html";
import { Incident, type IncidentItem } from "../incident/incident";
import { bindToTable, entityOptions } from "../platform/table";

/**
 * One item per (incident, transition, recipient): claimed with a conditional create before
 * the email is sent, so a redelivered event never mails anyone twice. If SES refuses, the
 * claim is released and the event retried. A crash between sending and marking `sent`
 * leaves a `sending` claim: we prefer a possibly-missed email over a duplicate.
 */
export const NotificationEntity = bindToTable(
  new Entity(
    {
      model: { entity: "notification", version: "1", service: "uptime" },
      attributes: {
        incidentId: { type: "string", required: true },
        transition: { type: ["opened", "resolved"] as const, required: true },
        recipient: { type: "string", required: true },
        status: { type: ["sending", "sent"] as const, required: true },
        messageId: { type: "string" },
        claimedAt: { type: "number", required: true },
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

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, (sec || (!d && !h && !m)) && `${sec}s`].filter(Boolean);
  return parts.join(" ");
}


export function renderEmail(incident: IncidentItem, transition: Transition) {
  const down = transition === "opened";
  const subject = down
    ? `[DOWN] ${incident.monitorName} is down`
    : `[RECOVERED] ${incident.monitorName} is back up after ${formatDuration(incident.durationMs ?? 0)}`;
  const rows: [string, string][] = [
    ["Monitor", incident.monitorName],
    ["URL", incident.url],
    ["Reason", incident.message ? `${incident.reason}: ${incident.message}` : incident.reason],
    [down ? "Down since" : "Went down", utc(incident.startedAt)],
  ];
  if (!down) {
    rows.push(["Recovered", utc(incident.resolvedAt ?? Date.now())]);
    rows.push(["Downtime", formatDuration(incident.durationMs ?? 0)]);
  }
  const headline = down
    ? `${incident.monitorName} is DOWN.`
    : `${incident.monitorName} has RECOVERED.`;
  const text = [headline, "", ...rows.map(([k, v]) => `${k}: ${v}`), "", `Incident: ${incident.incidentId}`].join("\n");
  const color = down ? "#b42318" : "#067647";
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">
<h2 style="color:${color};margin:0 0 12px">${escapeHtml(headline)}</h2>
<table cellpadding="6" style="border-collapse:collapse">${rows
    .map(([k, v]) => `<tr><th align="left" style="color:#475467">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("")}</table>
<p style="color:#667085;font-size:12px">Incident ${escapeHtml(incident.incidentId)}</p>
</body></html>`;
  return { subject, text, html };
}

async function claim(incidentId: string, transition: Transition, recipient: string): Promise<boolean> {
  try {
    await NotificationEntity.create({ incidentId, transition, recipient, status: "sending", claimedAt: Date.now() }).go({
      response: "none",
    });
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** Sends one email per recipient for an incident transition; safe to call any number of times. */
export async function notify(event: Incident.Event): Promise<{ sent: string[]; skipped: string[] }> {
  const incident = await Incident.get(event.incidentId);
  if (!incident) return { sent: [], skipped: [] }; // superseded incident: nothing to tell
  const transition: Transition = event.type === "incident.opened" ? "opened" : "resolved";
  const { subject, text, html } = renderEmail(incident, transition);
  const sent: string[] = [];
  const skipped: string[] = [];
  for (const recipient of incident.alertEmails) {
    if (!(await claim(incident.incidentId, transition, recipient))) {
      skipped.push(recipient);
      continue;
    }
    let messageId: string | undefined;
    try {
      const res = await ses().send(
        new SendEmailCommand({
          FromEmailAddress: config().MAIL_FROM,
          Destination: { ToAddresses: [recipient] },
          Content: {
            Simple: {
              Subject: { Data: subject, Charset: "UTF-8" },
              Body: { Text: { Data: text, Charset: "UTF-8" }, Html: { Data: html, Charset: "UTF-8" } },
            },
          },
        }),
      );
      messageId = res.MessageId;
    } catch (err) {
      // Only a refused send releases the claim; once SES took the mail it must never go again.
      await NotificationEntity.delete({ incidentId: incident.incidentId, transition, recipient }).go();
      throw err;
    }
    await NotificationEntity.patch({ incidentId: incident.incidentId, transition, recipient })
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
