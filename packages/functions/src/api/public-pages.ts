import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { handle } from "hono/aws-lambda";
import { config } from "@uptime/core/platform/config";
import { VisibleError } from "@uptime/core/platform/errors";
import { StatusPage } from "@uptime/core/status-pages/page";
import { PageAccess } from "@uptime/core/status-pages/page-access";
import { PublicView, type Document, type Entry } from "@uptime/core/status-pages/public-view";
import { StatuspageJson } from "@uptime/core/status-pages/statuspage-json";
import { CSP, StatusPageHtml } from "@uptime/core/status-pages/render";
import { Subscribers } from "@uptime/core/status-pages/subscriber";
import { SubscriptionPages } from "@uptime/core/status-pages/subscription-pages";
import { clientAddress } from "./client-address";
import { ErrorBody, createApi, errorJson, errorResponses, json, named } from "./http";
import { orgScoped } from "./require-org";
import { monitorPage } from "./monitor-page";

/**
 * The public side of status pages, /status/{slug}/...: the HTML page, the Statuspage v2 JSON,
 * feeds, badges, the password form of protected pages and the subscription steps. Everything is
 * served from the in-process render cache; cache headers let CloudFront absorb spikes (protected
 * pages are private). A slug that names a monitor still gets the per-monitor page.
 */

export const app = createApi();

const html = { "text/html": { schema: z.string().openapi({ description: "A server-rendered page" }) } };

type Handler = (c: Context) => Promise<Response>;
const TYPES = { html: "text/html", json: "application/json", atom: "application/atom+xml", rss: "application/rss+xml", svg: "image/svg+xml" } as const;

interface PublicDoc {
  summary: string;
  description?: string;
  type: keyof typeof TYPES;
  /** The body's shape (JSON); other types are strings. */
  body?: z.ZodType;
  /** A form post's fields (application/x-www-form-urlencoded). */
  form?: z.ZodObject;
  /** The error answers besides 200, with what each means. */
  errors: Record<number, string>;
  query?: z.ZodObject;
}

/**
 * A public route: documented in the OpenAPI registry and served by a plain handler, because these
 * answer bad input with a page (HTML) rather than the API's JSON 400, and read their forms themselves.
 */
function publicRoute(method: "get" | "post", path: string, doc: PublicDoc, handler: Handler) {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const params = z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(253).openapi({ param: { name: n, in: "path" } })])));
  const schema = doc.body ?? z.string();
  app.openAPIRegistry.registerPath({
    method,
    path,
    tags: ["status"],
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    request: {
      params,
      ...(doc.query ? { query: doc.query } : {}),
      ...(doc.form ? { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: doc.form } } } } : {}),
    },
    responses: {
      200: { description: doc.summary, content: { [TYPES[doc.type]]: { schema } } },
      ...Object.fromEntries(
        Object.entries(doc.errors).map(([status, description]) => [
          status,
          doc.type === "html" ? { description, content: html } : { description, content: { "application/json": { schema: ErrorBody } } },
        ]),
      ),
    },
  });
  app.on(method.toUpperCase(), path.replace(/\{(\w+)\}/g, ":$1"), async (c) => {
    if (!params.safeParse(c.req.param()).success) return errorJson(c, 400, "validation_error", "Request is invalid");
    return handler(c);
  });
}

const Link = { s: z.string().max(200).describe("The subscription id from the mailed link"), t: z.string().max(200).describe("The link's token") };
const LINK_ERRORS = { 404: "The link is not valid (or no longer)" };
const ComponentChoice = z.union([z.string(), z.array(z.string())]).optional().describe("Component ids; none: every component");

function publicCache(c: Context, e: Entry) {
  if (e.snapshot.page.visibility === "protected") c.header("Cache-Control", "private, no-store");
  else c.header("Cache-Control", `public, max-age=${config().STATUS_CACHE_SEC}, stale-while-revalidate=${config().STATUS_CACHE_SEC}`);
  c.header("X-Content-Type-Options", "nosniff");
}
const noStore = (c: Context) => c.header("Cache-Control", "private, no-store");

/**
 * A `{slug}` with a dot is a hostname: the request came to the root of a page's custom domain,
 * which the edge (CloudFront locally emulated by packages/local) maps to /status/{host}/….
 * Such a page links from its host's root.
 */
const hostOf = (c: Context) => {
  const slug = c.req.param("slug") ?? "";
  return slug.includes(".") ? slug.toLowerCase() : undefined;
};
async function load(c: Context): Promise<Entry | undefined> {
  const host = hostOf(c);
  if (!host) return PublicView.load(c.req.param("slug") ?? "");
  const page = await StatusPage.byHost(host);
  return page ? PublicView.load(page.slug) : undefined;
}
const baseOf = (c: Context, e: Entry) => (hostOf(c) ? "" : `/status/${encodeURIComponent(e.snapshot.page.slug)}`);
/** The page itself: its base, or the host's root. */
const homeOf = (c: Context, e: Entry) => baseOf(c, e) || "/";
/** The page's address for feeds and JSON: its custom domain, else under PUBLIC_URL when set (behind CloudFront the request's host is the API's). */
function urlOf(c: Context, e: Entry) {
  const host = hostOf(c);
  return host ? `https://${host}` : new URL(baseOf(c, e), config().PUBLIC_URL ?? c.req.url).toString();
}
const theme = (e: Entry) => e.snapshot.page.theme;

/** The page if the visitor may see it; else a response: 404, or the password form / 401 JSON for a protected page. */
async function visible(c: Context, kind: "html" | "data"): Promise<Entry | Response> {
  const e = await load(c);
  if (!e) return kind === "html" ? c.html(StatusPageHtml.renderMessage("Not found", "auto", "There is no status page here."), 404) : errorJson(c, 404, "not_found", "Status page not found");
  if (await PageAccess.allows(e.snapshot.page, getCookie(c, PageAccess.COOKIE_NAME))) return e;
  noStore(c);
  if (kind === "data") return errorJson(c, 401, "password_required", "This status page is protected: enter its password on the page first");
  c.header("Content-Security-Policy", CSP);
  return c.html(StatusPageHtml.renderPasswordForm({ title: e.snapshot.page.title, theme: theme(e), base: baseOf(c, e) }), 401);
}

app.openapi(
  createRoute({
    method: "get",
    path: "/status/{slug}",
    tags: ["status"],
    summary: "A public status page (HTML), or a monitor's page when the slug names a monitor",
    request: {
      params: z.object({ slug: z.string().min(1).max(253).openapi({ description: "The page's slug, or the custom domain a request to that host's root carries" }) }),
      query: z.object({ month: z.string().max(7).optional().openapi({ description: "History month, YYYY-MM (default: this month)" }) }),
    },
    responses: { 200: { description: "The page", content: html }, 401: { description: "Protected: the password form", content: html }, 404: { description: "No such page", content: html } },
  }),
  async (c) => {
    const { slug } = c.req.valid("param");
    const e = await load(c);
    if (!e) return hostOf(c) ? c.html(StatusPageHtml.renderMessage("Not found", "auto", "There is no status page at this address."), 404) : monitorPage(c, slug);
    const shown = await visible(c, "html");
    if (shown instanceof Response) return shown;
    publicCache(c, e);
    c.header("Content-Security-Policy", CSP);
    let month: string;
    try {
      month = PublicView.parseMonth(e, c.req.valid("query").month);
    } catch (err) {
      return c.html(StatusPageHtml.renderMessage("No such month", theme(e), (err as Error).message, homeOf(c, e)), 400);
    }
    return c.html(await PublicView.html(e, baseOf(c, e), month), 200);
  },
);

publicRoute(
  "post",
  "/status/{slug}/access",
  {
    summary: "A protected page's password form: sets the signed access cookie",
    type: "html",
    form: z.object({ password: z.string().max(200) }).openapi("PagePasswordForm"),
    errors: { 401: "Wrong password: the form again", 404: "No such page" },
  },
  async (c) => {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  const e = await load(c);
  if (!e) return c.html(StatusPageHtml.renderMessage("Not found", "auto", "There is no status page here."), 404);
  const form = await c.req.parseBody();
  const password = typeof form.password === "string" ? form.password.slice(0, 200) : "";
  // The cached snapshot may predate a password change by seconds; the hash is read fresh here.
  const page = await StatusPage.bySlug(e.snapshot.page.slug);
  let ok = false;
  try {
    ok = !!page && (await PageAccess.checkPassword(page, password, clientAddress(c)));
  } catch (err) {
    if (!(err instanceof VisibleError && err.kind === "rate_limited")) throw err;
    c.header("Retry-After", String(err.retryAfterSec));
    return c.html(StatusPageHtml.renderMessage("Too many attempts", theme(e), `${err.message}.`, baseOf(c, e)), 429);
  }
  if (!page || !ok) {
    return c.html(StatusPageHtml.renderPasswordForm({ title: e.snapshot.page.title, theme: theme(e), base: baseOf(c, e), wrong: true }), 401);
  }
  setCookie(c, PageAccess.COOKIE_NAME, await PageAccess.issue(page), {
    httpOnly: true,
    secure: config().COOKIE_SECURE,
    sameSite: "Lax",
    path: homeOf(c, e),
    maxAge: PageAccess.TTL_MS / 1000,
  });
  return c.redirect(homeOf(c, e), 303);
});

const V2_NAMES: Record<Document, string> = {
  summary: "Summary",
  status: "Status",
  components: "Components",
  incidents: "Incidents",
  "incidents/unresolved": "UnresolvedIncidents",
  "scheduled-maintenances": "ScheduledMaintenances",
  "scheduled-maintenances/upcoming": "UpcomingMaintenances",
  "scheduled-maintenances/active": "ActiveMaintenances",
};
const V2_WHAT: Record<Document, string> = {
  summary: "the page, its components, unresolved incidents, maintenance not completed and the status indicator",
  status: "the page's status indicator and its description",
  components: "every component and group",
  incidents: "the 50 most recent incidents",
  "incidents/unresolved": "incidents not resolved yet",
  "scheduled-maintenances": "every scheduled maintenance, newest first",
  "scheduled-maintenances/upcoming": "maintenance not started yet",
  "scheduled-maintenances/active": "maintenance in progress",
};

for (const doc of PublicView.DOCUMENTS) {
  publicRoute(
    "get",
    `/status/{slug}/api/v2/${doc}.json`,
    {
      summary: `Statuspage v2 ${doc}.json: ${V2_WHAT[doc]}`,
      description: `The document Atlassian Statuspage serves at /api/v2/${doc}.json, field for field, so Statuspage widgets and clients read this page unchanged. Public; a protected page's needs its access cookie.`,
      type: "json",
      body: named(StatuspageJson.DOCUMENT_SCHEMAS[doc], `Statuspage${V2_NAMES[doc]}`),
      errors: { 401: "A protected page: enter its password on the page first", 404: "No such page" },
    },
    async (c) => {
    c.header("Access-Control-Allow-Origin", "*");
    const e = await visible(c, "data");
    if (e instanceof Response) return e;
    publicCache(c, e);
    return c.body(PublicView.json(e, doc as Document, urlOf(c, e)), 200, { "Content-Type": "application/json; charset=utf-8" });
  });
}

for (const [path, kind, type] of [
  ["feed.atom", "atom", "application/atom+xml"],
  ["feed.rss", "rss", "application/rss+xml"],
] as const) {
  publicRoute("get", `/status/{slug}/${path}`, { summary: `The ${kind} feed of incidents and maintenance`, type: kind, errors: { 401: "A protected page", 404: "No such page" } }, async (c) => {
    const e = await visible(c, "data");
    if (e instanceof Response) return e;
    publicCache(c, e);
    return c.body(PublicView.feed(e, kind, urlOf(c, e)), 200, { "Content-Type": `${type}; charset=utf-8` });
  });
}

async function badge(c: Context, componentId: string | undefined, as: "svg" | "shields") {
  const e = await visible(c, "data");
  if (e instanceof Response) return e;
  const b = PublicView.badge(e, componentId);
  if (!b) return errorJson(c, 404, "not_found", "No such component on this page");
  publicCache(c, e);
  if (as === "shields") {
    c.header("Access-Control-Allow-Origin", "*");
    return c.body(b.shields, 200, { "Content-Type": "application/json; charset=utf-8" });
  }
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  return c.body(b.svg, 200, { "Content-Type": "image/svg+xml; charset=utf-8" });
}
const BADGE_ERRORS = { 401: "A protected page", 404: "No such page or component" };
publicRoute("get", "/status/{slug}/badge.svg", { summary: "The page's status as an SVG badge", type: "svg", errors: BADGE_ERRORS }, (c) => badge(c, undefined, "svg"));
publicRoute(
  "get",
  "/status/{slug}/components/{componentId}/badge.svg",
  { summary: "A component's status as an SVG badge", type: "svg", errors: BADGE_ERRORS },
  (c) => badge(c, c.req.param("componentId"), "svg"),
);
publicRoute(
  "get",
  "/status/{slug}/shields.json",
  {
    summary: "shields.io endpoint JSON of the page (or ?component=id)",
    type: "json",
    query: z.object({ component: z.string().max(200).optional().openapi({ description: "A component id: its status instead of the page's" }) }),
    body: named(
      z.object({ schemaVersion: z.literal(1), label: z.string(), message: z.string(), color: z.string() }).describe("https://shields.io/badges/endpoint-badge"),
      "ShieldsEndpoint",
    ),
    errors: BADGE_ERRORS,
  },
  (c) => badge(c, c.req.query("component"), "shields"),
);

// ---------- subscribing ----------

const formList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");

publicRoute(
  "post",
  "/status/{slug}/subscribe",
  {
    summary: "Subscribe by email (form post): mails a confirmation link",
    type: "html",
    form: z.object({ email: z.string().max(254), components: ComponentChoice }).openapi("SubscribeForm"),
    errors: { 400: "Not an email address", 401: "A protected page", 404: "No such page", 429: "Too many requests" },
  },
  async (c) => {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  const e = await visible(c, "html");
  if (e instanceof Response) return e;
  const form = await c.req.parseBody({ all: true });
  const known = new Set(e.snapshot.components.map((x) => x.componentId));
  const componentIds = formList(form.components).filter((id) => known.has(id));
  const parsed = Subscribers.SubscribeInput.safeParse({ email: form.email, componentIds: componentIds.length ? componentIds : undefined });
  if (!parsed.success) return c.html(StatusPageHtml.renderMessage("Check the address", theme(e), "That does not look like an email address.", homeOf(c, e)), 400);
  try {
    await Subscribers.subscribe(e.pageId, parsed.data, Date.now(), clientAddress(c));
  } catch (err) {
    if (!(err instanceof VisibleError && err.kind === "rate_limited")) throw err;
    c.header("Retry-After", String(err.retryAfterSec));
    return c.html(StatusPageHtml.renderMessage("Too many requests", theme(e), `${err.message}.`, homeOf(c, e)), 429);
  }
  return c.html(
    StatusPageHtml.renderMessage("Check your email", theme(e), `If ${parsed.data.email} can receive updates, we sent it a link to confirm. Nothing is sent before you confirm.`, homeOf(c, e)),
    200,
  );
});

/** Subscription links work without the page's password: they come from the subscriber's own mail. */
async function pageOf(c: Context) {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  c.header("Referrer-Policy", "no-referrer");
  return load(c);
}
const linkParams = async (c: Context) => {
  const q = { s: c.req.query("s") ?? "", t: c.req.query("t") ?? "" };
  if (c.req.method !== "POST") return q;
  const form = await c.req.parseBody();
  return { s: typeof form.s === "string" ? form.s : q.s, t: typeof form.t === "string" ? form.t : q.t };
};
const invalidLink = (c: Context, e?: Entry) => c.html(SubscriptionPages.invalid(e ? theme(e) : "auto"), 404);

publicRoute("get", "/status/{slug}/subscription/confirm", { summary: "A confirmation link's page: a button, never a confirmation", type: "html", query: z.object(Link), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.checkConfirmLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.confirmQuestion(e.snapshot, sub.email, { s, t }, baseOf(c, e)), 200);
});

publicRoute("post", "/status/{slug}/subscription/confirm", { summary: "Confirms a subscription", type: "html", query: z.object({ s: Link.s.optional(), t: Link.t.optional() }), form: z.object(Link).openapi("SubscriptionLinkForm"), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.confirm(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.confirmed(e.snapshot, sub.email, baseOf(c, e)), 200);
});

publicRoute("get", "/status/{slug}/subscription", { summary: "Manage a subscription (link from every mail)", type: "html", query: z.object(Link), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.fromManageLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.manage(e.snapshot, sub, { s, t }, baseOf(c, e)), 200);
});

publicRoute("post", "/status/{slug}/subscription", { summary: "Chooses the components a subscription covers", type: "html", form: z.object({ ...Link, components: ComponentChoice }).openapi("SubscriptionChoiceForm"), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const form = await c.req.parseBody({ all: true });
  const s = formList(form.s)[0] ?? "";
  const t = formList(form.t)[0] ?? "";
  const known = new Set(e?.snapshot.components.map((x) => x.componentId));
  const sub = e && (await Subscribers.choose(e.pageId, s, t, formList(form.components).filter((id) => known.has(id))));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.manage(e.snapshot, sub, { s, t }, baseOf(c, e), "Saved."), 200);
});

/** A GET only asks (mail scanners follow links); the POST, from the page's button or a mail client's one-click (RFC 8058), unsubscribes. */
publicRoute("get", "/status/{slug}/subscription/unsubscribe", { summary: "An unsubscribe link's page: a button", type: "html", query: z.object(Link), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.fromManageLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.unsubscribeQuestion(e.snapshot, sub.email, { s, t }, baseOf(c, e)), 200);
});

publicRoute("post", "/status/{slug}/subscription/unsubscribe", { summary: "Unsubscribes; also the RFC 8058 one-click target", type: "html", query: z.object({ s: Link.s.optional(), t: Link.t.optional() }), form: z.object({ ...Link, "List-Unsubscribe": z.literal("One-Click").optional().describe("RFC 8058 one-click") }).openapi("UnsubscribeForm"), errors: LINK_ERRORS }, async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.unsubscribe(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.unsubscribed(e.snapshot, sub.email, baseOf(c, e)), 200);
});

// ---------- admin ----------

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/status-pages/{pageId}/subscribers/count",
    tags: ["status pages"],
    summary: "How many confirmed email subscribers a status page has (never who)",
    ...orgScoped("statusPages.read"),
    request: { params: z.object({ pageId: z.string().min(1).max(100).openapi({ param: { name: "pageId", in: "path" } }) }) },
    responses: { 200: { description: "The count", ...json(z.object({ count: z.number().int() }).openapi("SubscriberCount")) }, ...errorResponses(401, 403, 404) },
  }),
  async (c) => {
    const page = await StatusPage.getOwned(c.get("org").orgId, c.req.valid("param").pageId);
    return c.json({ count: await StatusPage.subscriberCount(page.pageId) }, 200);
  },
);

export const handler = handle(app);
