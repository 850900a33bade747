export * as SubscriptionPages from "./subscription-pages";

import { escapeHtml as h } from "../platform/html";
import { simplePage, type Theme } from "./render-shell";
import { statusName } from "./shape";
import { inLayoutOrder, type Snapshot } from "./snapshot";
import type { SubscriberItem } from "./subscriber";

/**
 * The pages behind the links in subscriber mails. A link's page only shows a button; the
 * button's POST is what confirms or unsubscribes, because mail scanners follow links.
 */

const hidden = (link: { s: string; t: string }) => `<input type="hidden" name="s" value="${h(link.s)}"><input type="hidden" name="t" value="${h(link.t)}">`;
const themeOf = (s: Snapshot) => s.page.theme as Theme;
const back = (base: string) => `<p><a href="${base}">Back to the status page</a></p>`;

export const invalid = (theme: Theme) => simplePage("This link does not work", theme, "<p>The link is unknown, was already used, or has expired.</p>");

export const confirmQuestion = (s: Snapshot, email: string, link: { s: string; t: string }, base: string) =>
  simplePage(
    `Subscribe to ${statusName(s.page.title)}`,
    themeOf(s),
    `<p>Send email updates about incidents and maintenance of <strong>${h(s.page.title)}</strong> to <strong>${h(email)}</strong>?</p>
<form method="post" action="${base}/subscription/confirm">${hidden(link)}<button type="submit">Yes, subscribe me</button></form>
<p class="muted">If you did not ask for this, close this page: nothing is sent unless you press the button.</p>`,
  );

export const confirmed = (s: Snapshot, email: string, base: string) =>
  simplePage("Subscribed", themeOf(s), `<p>${h(email)} will get email updates from ${h(s.page.title)}. Every email has a link to unsubscribe.</p>${back(base)}`);

export function manage(s: Snapshot, sub: { email: string; status: SubscriberItem["status"]; componentIds?: string[] }, link: { s: string; t: string }, base: string, notice?: string) {
  if (sub.status !== "confirmed") {
    return simplePage("Not subscribed", themeOf(s), `<p>${h(sub.email)} gets no updates from ${h(s.page.title)}.</p>${back(base)}`);
  }
  const chosen = new Set(sub.componentIds ?? []);
  const boxes = inLayoutOrder(s)
    .map((c) => `<label><input type="checkbox" name="components" value="${h(c.componentId)}"${chosen.has(c.componentId) ? " checked" : ""}> ${h(c.name)}</label>`)
    .join("");
  return simplePage(
    "Your subscription",
    themeOf(s),
    `${notice ? `<p role="status">${h(notice)}</p>` : ""}<p>${h(sub.email)} gets updates from ${h(s.page.title)} about ${chosen.size ? "the components chosen below" : "everything"}.</p>
${boxes ? `<form method="post" action="${base}/subscription">${hidden(link)}<fieldset><legend>Only these components (none chosen: everything)</legend>${boxes}</fieldset><button type="submit">Save</button></form>` : ""}
<form method="post" action="${base}/subscription/unsubscribe">${hidden(link)}<button type="submit">Unsubscribe</button></form>${back(base)}`,
  );
}

export const unsubscribeQuestion = (s: Snapshot, email: string, link: { s: string; t: string }, base: string) =>
  simplePage(
    "Unsubscribe",
    themeOf(s),
    `<p>Stop sending updates from ${h(s.page.title)} to <strong>${h(email)}</strong>?</p>
<form method="post" action="${base}/subscription/unsubscribe">${hidden(link)}<button type="submit">Unsubscribe</button></form>`,
  );

export const unsubscribed = (s: Snapshot, email: string, base: string) =>
  simplePage("Unsubscribed", themeOf(s), `<p>${h(email)} will get no more updates from ${h(s.page.title)}.</p>${back(base)}`);
