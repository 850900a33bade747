import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { handle } from "hono/aws-lambda";
import { config } from "@uptime/core/platform/config";
import { VisibleError } from "@uptime/core/platform/errors";
import { StatusPage } from "@uptime/core/status-pages/page";
import { PageAccess } from "@uptime/core/status-pages/page-access";
import { PublicView, type Document, type Entry } from "@uptime/core/status-pages/public-view";
import { CSP, StatusPageHtml } from "@uptime/core/status-pages/render";
import { Subscribers } from "@uptime/core/status-pages/subscriber";
import { SubscriptionPages } from "@uptime/core/status-pages/subscription-pages";
import { clientAddress } from "./client-address";
import { createApi, errorJson, errorResponses, json } from "./http";
import { orgScoped } from "./require-org";
import { monitorPage } from "./status";

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

/** Registers a public route in the OpenAPI document too (its path parameters from the path). */
function publicRoute(method: "get" | "post", path: string, summary: string, type: keyof typeof TYPES, handler: Handler) {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const params = z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1).max(200).openapi({ param: { name: n, in: "path" } })])));
  const content = { [TYPES[type]]: { schema: type === "json" ? z.object({}).passthrough() : z.string() } };
  const route = createRoute({
    method,
    path,
    tags: ["status"],
    summary,
    request: { params },
    responses: { 200: { description: summary, content }, ...(type === "html" ? {} : errorResponses(401, 404)) },
  });
  app.openapi(route, handler as never);
}

function publicCache(c: Context, e: Entry) {
  if (e.snapshot.page.visibility === "protected") c.header("Cache-Control", "private, no-store");
  else c.header("Cache-Control", `public, max-age=${config().STATUS_CACHE_SEC}, stale-while-revalidate=${config().STATUS_CACHE_SEC}`);
  c.header("X-Content-Type-Options", "nosniff");
}
const noStore = (c: Context) => c.header("Cache-Control", "private, no-store");

const baseOf = (e: Entry) => `/status/${encodeURIComponent(e.snapshot.page.slug)}`;
/** The page's address for feeds and JSON: under PUBLIC_URL when set (behind CloudFront the request's host is the API's). */
const urlOf = (c: Context, e: Entry) => new URL(baseOf(e), config().PUBLIC_URL ?? c.req.url).toString();
const theme = (e: Entry) => e.snapshot.page.theme;

/** The page if the visitor may see it; else a response: 404, or the password form / 401 JSON for a protected page. */
async function visible(c: Context, kind: "html" | "data"): Promise<Entry | Response> {
  const e = await PublicView.load(c.req.param("slug") ?? "");
  if (!e) return kind === "html" ? c.html(StatusPageHtml.renderMessage("Not found", "auto", "There is no status page here."), 404) : errorJson(c, 404, "not_found", "Status page not found");
  if (await PageAccess.allows(e.snapshot.page, getCookie(c, PageAccess.COOKIE_NAME))) return e;
  noStore(c);
  if (kind === "data") return errorJson(c, 401, "password_required", "This status page is protected: enter its password on the page first");
  c.header("Content-Security-Policy", CSP);
  return c.html(StatusPageHtml.renderPasswordForm({ title: e.snapshot.page.title, theme: theme(e), base: baseOf(e) }), 401);
}

app.openapi(
  createRoute({
    method: "get",
    path: "/status/{slug}",
    tags: ["status"],
    summary: "A public status page (HTML), or a monitor's page when the slug names a monitor",
    request: {
      params: z.object({ slug: z.string().min(1).max(100) }),
      query: z.object({ month: z.string().max(7).optional().openapi({ description: "History month, YYYY-MM (default: this month)" }) }),
    },
    responses: { 200: { description: "The page", content: html }, 401: { description: "Protected: the password form", content: html }, 404: { description: "No such page", content: html } },
  }),
  async (c) => {
    const { slug } = c.req.valid("param");
    const e = await PublicView.load(slug);
    if (!e) return monitorPage(c, slug);
    const shown = await visible(c, "html");
    if (shown instanceof Response) return shown;
    publicCache(c, e);
    c.header("Content-Security-Policy", CSP);
    let month: string;
    try {
      month = PublicView.parseMonth(e, c.req.valid("query").month);
    } catch (err) {
      return c.html(StatusPageHtml.renderMessage("No such month", theme(e), (err as Error).message, baseOf(e)), 400);
    }
    return c.html(await PublicView.html(e, baseOf(e), month), 200);
  },
);

publicRoute("post", "/status/{slug}/access", "A protected page's password form: sets the signed access cookie", "html", async (c) => {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  const e = await PublicView.load(c.req.param("slug") ?? "");
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
    return c.html(StatusPageHtml.renderMessage("Too many attempts", theme(e), `${err.message}.`, baseOf(e)), 429);
  }
  if (!page || !ok) {
    return c.html(StatusPageHtml.renderPasswordForm({ title: e.snapshot.page.title, theme: theme(e), base: baseOf(e), wrong: true }), 401);
  }
  setCookie(c, PageAccess.COOKIE_NAME, await PageAccess.issue(page), {
    httpOnly: true,
    secure: config().COOKIE_SECURE,
    sameSite: "Lax",
    path: baseOf(e),
    maxAge: PageAccess.TTL_MS / 1000,
  });
  return c.redirect(baseOf(e), 303);
});

for (const doc of PublicView.DOCUMENTS) {
  publicRoute("get", `/status/{slug}/api/v2/${doc}.json`, `Statuspage v2 ${doc}.json`, "json", async (c) => {
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
  publicRoute("get", `/status/{slug}/${path}`, `The ${kind} feed of incidents and maintenance`, kind, async (c) => {
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
publicRoute("get", "/status/{slug}/badge.svg", "The page's status as an SVG badge", "svg", (c) => badge(c, undefined, "svg"));
publicRoute("get", "/status/{slug}/components/{componentId}/badge.svg", "A component's status as an SVG badge", "svg", (c) => badge(c, c.req.param("componentId"), "svg"));
publicRoute("get", "/status/{slug}/shields.json", "shields.io endpoint JSON of the page (or ?component=id)", "json", (c) => badge(c, c.req.query("component"), "shields"));

// ---------- subscribing ----------

const formList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === "string");

publicRoute("post", "/status/{slug}/subscribe", "Subscribe by email (form post): mails a confirmation link", "html", async (c) => {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  const e = await visible(c, "html");
  if (e instanceof Response) return e;
  const form = await c.req.parseBody({ all: true });
  const known = new Set(e.snapshot.components.map((x) => x.componentId));
  const componentIds = formList(form.components).filter((id) => known.has(id));
  const parsed = Subscribers.SubscribeInput.safeParse({ email: form.email, componentIds: componentIds.length ? componentIds : undefined });
  if (!parsed.success) return c.html(StatusPageHtml.renderMessage("Check the address", theme(e), "That does not look like an email address.", baseOf(e)), 400);
  try {
    await Subscribers.subscribe(e.pageId, parsed.data, Date.now(), clientAddress(c));
  } catch (err) {
    if (!(err instanceof VisibleError && err.kind === "rate_limited")) throw err;
    c.header("Retry-After", String(err.retryAfterSec));
    return c.html(StatusPageHtml.renderMessage("Too many requests", theme(e), `${err.message}.`, baseOf(e)), 429);
  }
  return c.html(
    StatusPageHtml.renderMessage("Check your email", theme(e), `If ${parsed.data.email} can receive updates, we sent it a link to confirm. Nothing is sent before you confirm.`, baseOf(e)),
    200,
  );
});

/** Subscription links work without the page's password: they come from the subscriber's own mail. */
async function pageOf(c: Context) {
  noStore(c);
  c.header("Content-Security-Policy", CSP);
  c.header("Referrer-Policy", "no-referrer");
  return PublicView.load(c.req.param("slug") ?? "");
}
const linkParams = async (c: Context) => {
  const q = { s: c.req.query("s") ?? "", t: c.req.query("t") ?? "" };
  if (c.req.method !== "POST") return q;
  const form = await c.req.parseBody();
  return { s: typeof form.s === "string" ? form.s : q.s, t: typeof form.t === "string" ? form.t : q.t };
};
const invalidLink = (c: Context, e?: Entry) => c.html(SubscriptionPages.invalid(e ? theme(e) : "auto"), 404);

publicRoute("get", "/status/{slug}/subscription/confirm", "A confirmation link's page: a button, never a confirmation", "html", async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.checkConfirmLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.confirmQuestion(e.snapshot, sub.email, { s, t }, baseOf(e)), 200);
});

publicRoute("post", "/status/{slug}/subscription/confirm", "Confirms a subscription", "html", async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.confirm(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.confirmed(e.snapshot, sub.email, baseOf(e)), 200);
});

publicRoute("get", "/status/{slug}/subscription", "Manage a subscription (link from every mail)", "html", async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.fromManageLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.manage(e.snapshot, sub, { s, t }, baseOf(e)), 200);
});

publicRoute("post", "/status/{slug}/subscription", "Chooses the components a subscription covers", "html", async (c) => {
  const e = await pageOf(c);
  const form = await c.req.parseBody({ all: true });
  const s = formList(form.s)[0] ?? "";
  const t = formList(form.t)[0] ?? "";
  const known = new Set(e?.snapshot.components.map((x) => x.componentId));
  const sub = e && (await Subscribers.choose(e.pageId, s, t, formList(form.components).filter((id) => known.has(id))));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.manage(e.snapshot, sub, { s, t }, baseOf(e), "Saved."), 200);
});

/** A GET only asks (mail scanners follow links); the POST, from the page's button or a mail client's one-click (RFC 8058), unsubscribes. */
publicRoute("get", "/status/{slug}/subscription/unsubscribe", "An unsubscribe link's page: a button", "html", async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.fromManageLink(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.unsubscribeQuestion(e.snapshot, sub.email, { s, t }, baseOf(e)), 200);
});

publicRoute("post", "/status/{slug}/subscription/unsubscribe", "Unsubscribes; also the RFC 8058 one-click target", "html", async (c) => {
  const e = await pageOf(c);
  const { s, t } = await linkParams(c);
  const sub = e && (await Subscribers.unsubscribe(e.pageId, s, t));
  if (!e || !sub) return invalidLink(c, e);
  return c.html(SubscriptionPages.unsubscribed(e.snapshot, sub.email, baseOf(e)), 200);
});

// ---------- admin ----------

app.openapi(
  createRoute({
    method: "get",
    path: "/v1/status-pages/{pageId}/subscribers/count",
    tags: ["status-pages"],
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
