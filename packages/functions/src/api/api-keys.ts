import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { ApiKey } from "@uptime/core/orgs/api-key";
import { Page, createApi, described, errorResponses, json, named } from "./http";
import { orgScoped } from "./require-org";

const KeyView = named(ApiKey.View, "ApiKey", {
  id: "3f9c1e0b7a5d42e8c6b1",
  prefix: "upk_3f9c1e0b7a5d42e8c6b1",
  name: "CI deploys",
  scope: "write",
  createdBy: "5b1c…",
  createdAt: "2026-11-25T10:00:00.000Z",
  expiresAt: null,
  lastUsedAt: null,
  revokedAt: null,
});
const KeyIdParam = z.object({
  keyId: z.string().min(1).max(100).openapi({ param: { name: "keyId", in: "path" }, example: "3f9c1e0b7a5d42e8c6b1" }),
});

export const app = createApi()
  .openapi(
    createRoute({
      method: "get",
      path: "/v1/org/api-keys",
      ...orgScoped("apiKeys.manage"),
      tags: ["api keys"],
      summary: "The organisation's API keys, newest first (never their secrets)",
      request: { query: z.object(Page) },
      responses: {
        200: { description: "A page of keys", ...json(z.object({ data: z.array(KeyView), cursor: z.string().nullable() })) },
        ...errorResponses(400, 401, 403, 404),
      },
    }),
    async (c) => c.json(await ApiKey.list(c.get("org").orgId, c.req.valid("query")), 200),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/org/api-keys",
      ...orgScoped("apiKeys.manage"),
      tags: ["api keys"],
      summary: "Create an API key; the token (`upk_…`) is in this response only",
      description: "Use it as `Authorization: Bearer <token>`. A `read` key may read; a `write` key may also change monitors and status pages. Keys never manage members, keys or the organisation.",
      request: { body: { required: true, ...json(described(ApiKey.CreateInput, { example: { name: "CI deploys", scope: "write" } })) } },
      responses: {
        201: { description: "Created", ...json(z.object({ key: KeyView, token: z.string().openapi({ example: "upk_3f9c1e0b7a5d42e8c6b1_…" }) })) },
        ...errorResponses(400, 401, 403, 404, 409, 415),
      },
    }),
    async (c) => c.json(await ApiKey.create(c.get("org"), c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/v1/org/api-keys/{keyId}",
      ...orgScoped("apiKeys.manage"),
      tags: ["api keys"],
      summary: "Revoke an API key; requests with it get 401 `api_key_revoked` from now on",
      request: { params: KeyIdParam },
      responses: { 204: { description: "Revoked (also when it already was)" }, ...errorResponses(401, 403, 404) },
    }),
    async (c) => {
      await ApiKey.revoke(c.get("org"), c.req.valid("param").keyId);
      return c.body(null, 204);
    },
  );

export const handler = handle(app);
