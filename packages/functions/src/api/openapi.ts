import { OpenAPIHono } from "@hono/zod-openapi";
import { app as alertRecipients } from "./alert-recipients";
import { app as apiKeys } from "./api-keys";
import { app as auth } from "./auth";
import { app as channels } from "./channels";
import { app as dashboards } from "./dashboards";
import { app as docs } from "./docs";
import { app as monitors } from "./monitors";
import { app as orgs } from "./orgs";
import { app as ping } from "./ping";
import { app as publicPages } from "./public-pages";
import { app as status } from "./status";
import { app as statusPages } from "./status-pages";

/** Every function's app, by the name routes.ts gives its Lambda. */
export const functionApps = { auth, monitors, alertRecipients, apiKeys, dashboards, orgs, statusPages, status, publicPages, docs, channels, ping };

/** The OpenAPI 3.1 document of every route of every function, built from their registries. */
export function buildDocument() {
  // route() merges each app's OpenAPI registry into this one; the merged app is never served.
  const all = new OpenAPIHono();
  for (const fn of Object.values(functionApps)) all.route("/", fn);
  return lintClean(withOrgHeader(all.getOpenAPI31Document({
    openapi: "3.1.0",
    servers: [{ url: "/", description: "This deployment: the API answers on the same origin as the web app and the status pages" }],
    info: {
      title: "Uptime API",
      version: "1.0.0",
      description:
        "Serverless uptime monitoring and public status pages. Authenticate with `POST /v1/auth/login` and send the access token as `Authorization: Bearer <token>`. Operations marked `x-permission` act in an organisation: your personal one, or the one named by the `X-Org-Id` header; they need that permission (see the table in docs/organisations.md).",
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
      { name: "heartbeats", description: "Pings from cron jobs and workers to their heartbeat monitors (no authentication but the token)" },
      { name: "docs", description: "This documentation" },
    ],
  })));
}

type Operation = {
  "x-permission"?: string;
  operationId?: string;
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: unknown[];
  responses?: Record<string, unknown>;
};

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options", "trace"]);

function operations(doc: { paths?: Record<string, Record<string, unknown>> }) {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) => (METHODS.has(method) && op && typeof op === "object" ? [{ path, method, op: op as Operation }] : [])),
  );
}

/**
 * `get /v1/monitors/{id}/summary` → `getMonitorsByIdSummary`; public status pages (/status/…)
 * read as `statusPage` so they never collide with /v1/status/…
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/status\//, "/statusPage/")
    .split("/")
    .filter((part) => part && part !== "v1")
    .flatMap((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      return param ? ["by", param[1]!] : part.split(/[^A-Za-z0-9]+/);
    })
    .filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** What every operation says besides its summary: who may call it. */
function descriptionOf(op: Operation): string {
  const summary = op.summary ? `${op.summary.replace(/[.\s]+$/, "")}.` : "";
  const access = op["x-permission"]
    ? `Needs the \`${op["x-permission"]}\` permission in the acting organisation (see X-Org-Id).`
    : op.security?.length
      ? "Needs a signed-in user's access token."
      : "Public: no authentication.";
  return `${summary} ${access}`.trim();
}

/**
 * JSON Schema patterns are ECMA-262 regular expressions without flags. Zod writes a regex with
 * flags as `source/flags`, and `\p{Cc}` (control characters) only means that under the u flag:
 * rewritten as the code point ranges it stands for (`\p{Cs}` inside a class is left out, see
 * below). Any other flag cannot be expressed: refused.
 */
export function ecmaPattern(pattern: string): string {
  const flagged = /^(.*)\/([dgimsuvy]+)$/s.exec(pattern);
  if (!flagged) return pattern;
  const [, source, flags] = flagged as unknown as [string, string, string];
  if (/[^gu]/.test(flags)) throw new Error(`pattern ${pattern}: flags ${flags} have no JSON Schema form`);
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (ch === "\\") {
      if (source.startsWith("\\p{Cc}", i)) {
        out += inClass ? CONTROL_RANGES : `[${CONTROL_RANGES}]`;
        i += "\\p{Cc}".length - 1;
        continue;
      }
      // Lone surrogates (Cs): the API refuses them, but without the u flag a range of surrogate
      // code units would also refuse every emoji (a surrogate pair), so the document leaves them out.
      if (inClass && source.startsWith("\\p{Cs}", i)) {
        i += "\\p{Cs}".length - 1;
        continue;
      }
      if (/[pPu]/.test(source[i + 1] ?? "") && source[i + 2] === "{") throw new Error(`pattern ${pattern}: ${source.slice(i, i + 8)}… needs the u flag`);
      out += ch + (source[i + 1] ?? "");
      i++;
      continue;
    }
    if (ch === "[") inClass = true;
    else if (ch === "]") inClass = false;
    out += ch;
  }
  return out;
}
/** Unicode's Cc category: C0 controls, DEL and C1 controls. */
const CONTROL_RANGES = "\\x00-\\x1F\\x7F-\\x9F";

function fixPatterns(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(fixPatterns);
  if (!node || typeof node !== "object") return;
  const o = node as Record<string, unknown>;
  if (typeof o.pattern === "string") o.pattern = ecmaPattern(o.pattern);
  for (const v of Object.values(o)) fixPatterns(v);
}

/**
 * What the linters (redocly, Spectral's oas ruleset) and validating clients need of every
 * operation, filled in once here: an operationId, a description, an explicit empty `security` on
 * public operations, and flag-free patterns.
 */
function lintClean<D extends object>(document: D): D {
  for (const { path, method, op } of operations(document as never)) {
    op.operationId ??= operationIdOf(method, path);
    op.security ??= [];
    op.description ??= descriptionOf(op);
  }
  fixPatterns(document);
  return document;
}

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
