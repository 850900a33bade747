import { createRoute, z } from "@hono/zod-openapi";
import { SwaggerUI } from "@hono/swagger-ui";
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

export const handler = handle(app);
