import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { handle } from "hono/aws-lambda";
import { AlertRecipient } from "@uptime/core/alert/recipients";
import { RecipientPage } from "@uptime/core/alert/recipient-page";
import { Page, createApi, errorResponses, json, named } from "./http";
import { orgScoped } from "./require-org";

const Token = z.string().min(1).max(100);
const html = (description: string) => ({ description, content: { "text/html": { schema: z.string().openapi({ description: "A page, no scripts" }) } } });

/** The token is in the URL: keep the page out of caches and referrers; no scripts, the form posts only here. */
export function lockedDown(c: Context) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
  c.header("X-Content-Type-Options", "nosniff");
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
}

export const app = createApi();

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/alert-recipients",
    tags: ["alerts"],
    summary: "The organisation's alert addresses other than its members', and whether each confirmed (only confirmed ones get alert mail)",
    ...orgScoped("monitors.read"),
    request: { query: z.object(Page) },
    responses: {
      200: {
        description: "A page of addresses",
        ...json(z.object({ data: z.array(named(AlertRecipient.View, "AlertRecipient")), cursor: z.string().nullable() })),
      },
      ...errorResponses(400, 401),
    },
  }),
  async (c) => c.json(await AlertRecipient.list(c.get("org").orgId, c.req.valid("query")), 200),
);

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/alert-recipients/confirm",
    tags: ["alerts"],
    summary: "The page a confirmation email links to: a button to confirm and one to decline. Opening it changes nothing.",
    request: { query: z.object({ token: Token }) },
    responses: { 200: html("The question"), 404: html("Unknown, used or expired link"), ...errorResponses(400) },
  }),
  async (c) => {
    lockedDown(c);
    const { token } = c.req.valid("query");
    const pending = await AlertRecipient.lookup(token);
    return pending ? c.html(RecipientPage.renderQuestion(pending, token), 200) : c.html(RecipientPage.renderInvalid(), 404);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/alert-recipients/confirm",
    tags: ["alerts"],
    summary: "The page's buttons: confirm the address for that account's alerts, or decline them for good. The link works once.",
    request: {
      body: {
        required: true,
        content: { "application/x-www-form-urlencoded": { schema: z.object({ token: Token, action: z.enum(["confirm", "decline"]) }) } },
      },
    },
    responses: { 200: html("Done"), 404: html("Unknown, used or expired link"), ...errorResponses(400) },
  }),
  async (c) => {
    lockedDown(c);
    const { token, action } = c.req.valid("form");
    const answered = await AlertRecipient.answer(token, action);
    return answered ? c.html(RecipientPage.renderAnswered(action, answered.email), 200) : c.html(RecipientPage.renderInvalid(), 404);
  },
);

export const handler = handle(app);
