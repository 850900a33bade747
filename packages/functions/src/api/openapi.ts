import { OpenAPIHono } from "@hono/zod-openapi";
import { app as alertRecipients } from "./alert-recipients";
import { app as apiKeys } from "./api-keys";
import { app as auth } from "./auth";
import { app as channels } from "./channels";
import { app as dashboards } from "./dashboards";
import { app as docs } from "./docs";
import { app as monitors } from "./monitors";
import { app as orgs } from "./orgs";
import { app as publicPages } from "./public-pages";
import { app as status } from "./status";
import { app as statusPages } from "./status-pages";

/** Every function's app, by the name routes.ts gives its Lambda. */
export const functionApps = { auth, monitors, alertRecipients, apiKeys, dashboards, orgs, statusPages, status, publicPages, docs, channels };

/** The OpenAPI 3.1 document of every route of every function, built from their registries. */
export function buildDocument() {
  // route() merges each app's OpenAPI registry into this one; the merged app is never served.
  const all = new OpenAPIHono();
  for (const fn of Object.values(functionApps)) all.route("/", fn);
  return withOrgHeader(all.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Uptime API",
      version: "1.0.0",
      description:
        "Serverless uptime monitoring and public status pages. Authenticate with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`. Operations marked `x-permission` act in an organisation: your personal one, or the one named by the `X-Org-Id` header; they need that permission (see the README's table).",
    },
    tags: [
      { name: "auth", description: "Accounts and sessions" },
      { name: "monitors", description: "Create and manage monitors" },
      { name: "channels", description: "Alert channels (webhooks, chat, on-call, email, EventBridge), their delivery logs, and acknowledging incidents" },
      { name: "alerts", description: "Who gets alert emails: addresses other than your own confirm first" },
      { name: "api keys", description: "Keys for automation: act in one organisation with a read or write scope" },
      { name: "organisations", description: "Organisations, members, invitations and the audit log" },
      { name: "dashboards", description: "History, summaries and incidents of your monitors" },
      { name: "status pages", description: "Manage an organisation's status pages: components, posted incidents, scheduled maintenance" },
      { name: "status", description: "Public status pages and badges (no authentication)" },
      { name: "demo", description: "A live snapshot of public sites" },
      { name: "docs", description: "This documentation" },
    ],
  }));
}

type Operation = { "x-permission"?: string; parameters?: unknown[]; responses?: Record<string, unknown> };

/**
 * Every organisation-scoped operation (it carries `x-permission`) takes the X-Org-Id header and
 * can answer 403; added here once rather than repeated in every route's definition.
 */
function withOrgHeader<D extends object>(document: D): D {
  const doc = document as { paths?: Record<string, Record<string, unknown>>; components?: Record<string, any> };
  doc.components = { ...doc.components, parameters: { ...doc.components?.parameters, OrgId: ORG_ID_PARAMETER } };
  for (const item of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(item) as Operation[]) {
      if (!op || typeof op !== "object" || !op["x-permission"]) continue;
      op.parameters = [...(op.parameters ?? []), { $ref: "#/components/parameters/OrgId" }];
      if (op.responses && !op.responses["403"]) op.responses["403"] = { $ref: "#/components/responses/Forbidden" };
    }
  }
  doc.components.responses = {
    ...doc.components.responses,
    Forbidden: { description: "Your role (or the API key's scope) lacks the operation's x-permission", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
  };
  return document;
}

const ORG_ID_PARAMETER = {
  name: "X-Org-Id",
  in: "header",
  required: false,
  description: "The organisation to act in (an id from GET /v1/orgs). Absent: your personal organisation. An API key always acts in its own.",
  schema: { type: "string", pattern: "^[A-Za-z0-9-]{1,64}$" },
};

export const documentPath = new URL("./openapi.json", import.meta.url);
