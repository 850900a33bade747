import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { createApi } from "./http";
import openapiDocument from "./openapi.json";

/**
 * The API's documentation. openapi.json is generated from the route definitions of every
 * function (the same zod schemas that validate requests) by `npm run openapi`, and a test fails
 * when it is stale. Serving the generated file keeps this Lambda small: building the document
 * at run time meant bundling every other function (1.6 MB).
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
    return c.json(openapiDocument, 200);
  },
);

app.openapi(
  createRoute({
    method: "get",
    path: "/docs",
    tags: ["docs"],
    summary: "Interactive documentation (Swagger UI, loaded from this origin's /docs-assets/)",
    responses: { 200: { description: "An HTML page", content: { "text/html": { schema: z.string() } } } },
  }),
  // Swagger UI's files (~1.4 MB) are static files of the web app's build, served on the same origin
  // (locally by npm start, deployed by the StaticSite's CloudFront), not bundled here or fetched from a CDN.
  (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.html(docsPage, 200);
  },
);

const docsPage =
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>Uptime API</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/docs-assets/swagger-ui.css"></head><body>` +
  `<div id="swagger-ui"></div><script src="/docs-assets/swagger-ui-bundle.js"></script>` +
  `<script>window.onload = () => { window.ui = SwaggerUIBundle({ dom_id: '#swagger-ui', url: '/openapi.json', persistAuthorization: true }) }</script>` +
  `</body></html>`;

export const handler = handle(app);
