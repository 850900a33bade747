import { OpenAPIHono } from "@hono/zod-openapi";
import { app as alertRecipients } from "./alert-recipients";
import { app as auth } from "./auth";
import { app as dashboards } from "./dashboards";
import { app as docs } from "./docs";
import { app as monitors } from "./monitors";
import { app as publicPages } from "./public-pages";
import { app as status } from "./status";

/** Every function's app, by the name routes.ts gives its Lambda. */
export const functionApps = { auth, monitors, alertRecipients, dashboards, status, publicPages, docs };

/** The OpenAPI 3.1 document of every route of every function, built from their registries. */
export function buildDocument() {
  // route() merges each app's OpenAPI registry into this one; the merged app is never served.
  const all = new OpenAPIHono();
  for (const fn of Object.values(functionApps)) all.route("/", fn);
  return all.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Uptime API",
      version: "1.0.0",
      description:
        "Serverless uptime monitoring and public status pages. Authenticate with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`.",
    },
    tags: [
      { name: "auth", description: "Accounts and sessions" },
      { name: "monitors", description: "Create and manage monitors" },
      { name: "alerts", description: "Who gets alert emails: addresses other than your own confirm first" },
      { name: "dashboards", description: "History, summaries and incidents of your monitors" },
      { name: "status", description: "Public status pages and badges (no authentication)" },
      { name: "demo", description: "A live snapshot of public sites" },
      { name: "docs", description: "This documentation" },
    ],
  });
}

export const documentPath = new URL("./openapi.json", import.meta.url);
