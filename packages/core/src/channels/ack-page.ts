export * as AckPage from "./ack-page";

import { page } from "../alert/recipient-page";
import { escapeHtml } from "../platform/html";
import type { IncidentItem } from "../incident/incident";

/** The page behind the acknowledge link of an alert message: opening it only shows the button. */
export function renderQuestion(i: IncidentItem, token: string): string {
  if (i.acknowledgedAt) return renderDone(i);
  if (i.status !== "open") return page("Already resolved", `<p>${escapeHtml(i.monitorName)} recovered; there is nothing to acknowledge.</p>`);
  return page(
    `Acknowledge: ${i.monitorName} is down`,
    `<p><strong>${escapeHtml(i.monitorName)}</strong> (${escapeHtml(i.url)}) has been down since ${escapeHtml(new Date(i.startedAt).toISOString())}.</p>
<p>Acknowledging tells everyone on its channels that someone is on it, and stops reminders and escalation.</p>
<form method="post" action="ack"><input type="hidden" name="token" value="${escapeHtml(token)}">
<button class="yes" type="submit">Acknowledge</button></form>`,
  );
}

export function renderDone(i: IncidentItem): string {
  return page("Acknowledged", `<p>The incident on ${escapeHtml(i.monitorName)} was acknowledged by ${escapeHtml(i.acknowledgedBy ?? "someone")}.</p>`);
}

export function renderInvalid(): string {
  return page("This link does not work", "<p>The link is unknown or belongs to another incident.</p>");
}
