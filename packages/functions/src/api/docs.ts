import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { SwaggerUI } from "@hono/swagger-ui";
import { handle } from "hono/aws-lambda";
import { app as auth } from "./auth";
import { app as dashboards } from "./dashboards";
import { createApi } from "./http";
import { app as monitors } from "./monitors";
import { app as status } from "./status";

/**
 * The API's documentation, generated from the route definitions of every function (the same
 * zod schemas that validate requests), so it cannot describe an API that does not exist.
 * This function imports the other apps only to read their registries; it serves none of their routes.
 */

export const app = createApi();

app.openapi(
  createRoute({
    method: "get",
    path: "/openapi.json",
    tags: ["docs"],
    summary: "This document: OpenAPI 3.1 for every route",
    responses: { 200: { description: "The OpenAPI document", content: { "application/json": { schema: z.record(z.string(), z.unknown()) } } } },
  }),
  (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(document(), 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/docs",
    tags: ["docs"],
    summary: "Interactive documentation (Swagger UI; its scripts and styles load from a CDN)",
    responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
  }),
  // @hono/swagger-ui renders markup that pulls swagger-ui-dist from jsDelivr: nothing to build or host.
  (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<title>Uptime API</title></head><body>${SwaggerUI({ url: "/openapi.json", persistAuthorization: true })}</body></html>`,
      200,
    );
  },
);

/** Every function's app, by the name routes.ts gives its Lambda. */
export const functionApps = { auth, monitors, dashboards, status, docs: app };

let cached: ReturnType<OpenAPIHono["getOpenAPI31Document"]> | undefined;

export function document() {
  if (!cached) {
    // route() merges each app's OpenAPI registry into this one; the merged app is never served.
    const all = new OpenAPIHono();
    for (const fn of Object.values(functionApps)) all.route("/", fn);
    cached = all.getOpenAPI31Document({
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
        { name: "dashboards", description: "History, summaries and incidents of your monitors" },
        { name: "status", description: "Public status pages and badges (no authentication)" },
        { name: "demo", description: "A live snapshot of public sites" },
        { name: "docs", description: "This documentation" },
      ],
    });
  }
  return cached;
}

export const handler = handle(app);
