import { createHash } from "node:crypto";
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import type { Context, MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { config } from "@uptime/core/platform/config";
import { VisibleError, type ErrorKind } from "@uptime/core/platform/errors";
import type { Actor } from "@uptime/core/accounts/session";
import type { OrgAccess } from "@uptime/core/orgs/access";
import { Telemetry } from "@uptime/core/platform/telemetry";

/** The only place error kinds become HTTP statuses. */
const statusOf: Record<ErrorKind, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
};

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_error" }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi("Error");

export function errorJson(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
  return c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}

function validationDetails(error: z.ZodError) {
  // a custom issue may point into its value (an assertion's character position)
  const position = (i: z.core.$ZodIssue) => (i.code === "custom" && typeof i.params?.position === "number" ? { position: i.params.position } : {});
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message, code: i.code, ...position(i) }));
}

export type Env = { Variables: { actor: Actor; org: OrgAccess } };

/** Readable from any origin: status pages, their JSON, feeds and badges, the demo and the API docs. */
const PUBLIC_PATHS = /^\/(status\/|v1\/status\/|v1\/demo\/|openapi\.json$|docs)/;

/**
 * CORS by route: public reads answer any origin (no cookies); authenticated routes only the
 * configured web origins, with credentials, so another site's page cannot use a visitor's session.
 */
function corsFor(webOrigins: string[]): MiddlewareHandler {
  const anyone = cors({ origin: "*", exposeHeaders: ["ETag", "Retry-After"] });
  const openToAll = webOrigins.includes("*");
  const webApps = cors({
    origin: openToAll ? "*" : webOrigins,
    credentials: !openToAll,
    allowHeaders: ["authorization", "content-type", "x-org-id", "if-none-match"],
    exposeHeaders: ["ETag", "Retry-After"],
    maxAge: 86_400,
  });
  return (c, next) => (PUBLIC_PATHS.test(c.req.path) ? anyone : webApps)(c, next);
}

/**
 * A Hono app with the product's edge behaviour: JSON errors for everything (validation,
 * malformed JSON, wrong media type, oversized body, unknown route), CORS, and no stack traces.
 */
export function createApi(opts: { maxBodyBytes?: number } = {}) {
  const app = new OpenAPIHono<Env>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return errorJson(c, 400, "validation_error", "Request is invalid", validationDetails(result.error as z.ZodError));
      }
    },
  });

  app.use("*", corsFor(config().WEB_ORIGIN));
  app.use(
    "*",
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? config().MAX_BODY_BYTES,
      onError: (c) => errorJson(c, 413, "payload_too_large", `Request body exceeds ${opts.maxBodyBytes ?? config().MAX_BODY_BYTES} bytes`),
    }),
  );

  app.onError((err, c) => {
    if (err instanceof VisibleError) {
      if (err.retryAfterSec) c.header("Retry-After", String(err.retryAfterSec));
      return errorJson(c, statusOf[err.kind], err.code, err.message, err.details);
    }
    if (err instanceof z.ZodError) {
      return errorJson(c, 400, "validation_error", "Request is invalid", validationDetails(err));
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      if (status === 415) return errorJson(c, 415, "unsupported_media_type", "Send the body as application/json");
      if (status === 413) return errorJson(c, 413, "payload_too_large", "Request body is too large");
      if (status === 400) return errorJson(c, 400, "invalid_json", "Request body is not valid JSON");
      return errorJson(c, status, "http_error", err.message || "Request failed");
    }
    Telemetry.log.error("unhandled error", { method: c.req.method, path: c.req.path, error: err, stack: err instanceof Error ? err.stack : undefined });
    return errorJson(c, 500, "internal_error", "Something went wrong on our side");
  });

  let methodsByPath: Array<{ pattern: RegExp; method: string }> | undefined;
  app.notFound((c) => {
    // A path this function serves, asked with another method: 405 with the methods it takes (RFC 9110 §15.5.6).
    methodsByPath ??= routePatterns(app.routes);
    const allowed = [...new Set(methodsByPath.filter((r) => r.pattern.test(c.req.path)).map((r) => r.method))].sort();
    if (allowed.length === 0) return errorJson(c, 404, "route_not_found", `No route for ${c.req.method} ${c.req.path}`);
    c.header("Allow", allowed.join(", "));
    return errorJson(c, 405, "method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}`, { allowed });
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  return app;
}


/** Each route's path as a pattern (`:id` one segment, `:id{re}` its own pattern, `*` the rest), middleware left out. */
export function routePatterns(routes: ReadonlyArray<{ method: string; path: string }>): Array<{ pattern: RegExp; method: string }> {
  const escape = (text: string) => text.replace(/[.+?^$()[\]\\|]/g, "\\$&");
  return routes
    .filter((r) => r.method !== "ALL")
    .map((r) => {
      const source = r.path
        .split("/")
        .map((part) => {
          const param = /^:[^{]+(?:\{(.+)\})?$/.exec(part);
          if (param) return param[1] ? `(?:${param[1]})` : "[^/]+";
          return part === "*" ? ".*" : escape(part);
        })
        .join("/");
      return { pattern: new RegExp(`^${source}/?$`), method: r.method };
    });
}

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: "Invalid request",
    401: "Missing or invalid credentials",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    413: "Body too large",
    415: "Body is not JSON",
    429: "Too many requests",
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s] ?? "Error", content: { "application/json": { schema: ErrorBody } } }]),
  );
}

export const bearer = [{ bearerAuth: [] }];

/** The 304 of a route answered with `etagged`, for the OpenAPI document. */
export const notModified = { 304: { description: "Not modified: If-None-Match matched the ETag (no body)" } } as const;

/**
 * JSON with a weak ETag of its bytes, for the routes the web app polls: a request whose
 * If-None-Match matches gets 304 without a body. The handler has made its reads either way;
 * only the bytes are saved. Keys in `clock` (a "generated at" or "to" instant that is simply
 * now) are left out of the hash, so a body that differs only by them counts as unchanged:
 * hence a weak tag (RFC 9110: semantically equivalent).
 */
export function etagged<T extends Record<string, unknown>>(c: Context, body: T, clock: Array<keyof T & string> = []) {
  const stable = clock.length ? Object.fromEntries(Object.entries(body).filter(([k]) => !clock.includes(k))) : body;
  const tag = `W/"${createHash("sha1").update(JSON.stringify(stable)).digest("base64url")}"`;
  c.header("ETag", tag);
  // Browsers and CloudFront must ask again every time (the body is per user and changes).
  c.header("Cache-Control", "private, no-cache");
  const sent = c.req.header("if-none-match") ?? "";
  const opaque = (t: string) => t.trim().replace(/^W\//, "");
  if (sent.split(",").some((t) => t.trim() === "*" || opaque(t) === opaque(tag))) return c.body(null, 304);
  return c.json(body, 200);
}

export const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });

const openapiMethod = z.ZodType.prototype as unknown as { openapi: (this: z.ZodType, ...args: unknown[]) => z.ZodType };

/**
 * Names a core schema in the OpenAPI document. Zod 4 copies methods onto each schema when it is
 * built, so a schema core built before @hono/zod-openapi was first imported (tests import core
 * first) lacks `.openapi()`; the prototype's method works whatever the import order was.
 */
export function named<T extends z.ZodType>(schema: T, refId: string, example?: z.input<T>): T {
  return openapiMethod.openapi.call(schema, refId, example === undefined ? {} : { example }) as T;
}

/** Adds OpenAPI metadata (e.g. an example) to a core schema without naming it. */
export function described<T extends z.ZodType>(schema: T, metadata: Record<string, unknown>): T {
  return openapiMethod.openapi.call(schema, metadata) as T;
}

/** The `{id}` of `/v1/monitors/{id}/…` routes. */
export const IdParam = z.object({
  id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" }, example: "3b1f6a52-8d0e-4c3f-9a57-1f2e4d5c6b7a" }),
});

/** Cursor pagination query parameters. */
export const Page = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
};
