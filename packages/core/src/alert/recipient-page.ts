export * as RecipientPage from "./recipient-page";

import { escapeHtml } from "../platform/html";

/**
 * The pages behind a confirmation link: server-rendered, no scripts, nothing loaded. The link's
 * page only shows two buttons; the button's POST is what confirms or declines.
 */

/** A small self-contained page: no scripts, nothing loaded. */
export const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;color:#101828;max-width:36rem;margin:3rem auto;padding:0 1rem}
button{font:inherit;padding:.6rem 1rem;margin:.25rem .5rem .25rem 0;border-radius:6px;border:1px solid #d0d5dd;cursor:pointer}
.yes{background:#067647;color:#fff;border-color:#067647}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

export function renderQuestion(p: { email: string; ownerEmail?: string }, token: string): string {
  return page(
    "Alert emails from Uptime",
    `<p>The Uptime account <strong>${escapeHtml(p.ownerEmail ?? "(unknown)")}</strong> wants to send alert emails
(a monitored site is down, or has recovered) to <strong>${escapeHtml(p.email)}</strong>.</p>
<form method="post" action="confirm">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button class="yes" type="submit" name="action" value="confirm">Yes, send me these alerts</button>
<button type="submit" name="action" value="decline">Don't send me these</button>
</form>
<p style="color:#667085;font-size:14px">If you decline, this account can never send alert emails to this address.</p>`,
  );
}

export function renderAnswered(action: "confirm" | "decline", email: string): string {
  return action === "confirm"
    ? page("Confirmed", `<p>${escapeHtml(email)} will receive this account's alert emails.</p>`)
    : page("You will not get these emails", `<p>This account will send no alert emails to ${escapeHtml(email)}.</p>`);
}

export function renderInvalid(): string {
  return page("This link does not work", "<p>The link is unknown, was already used, or has expired.</p>");
}
