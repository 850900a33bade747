import type { Context } from "hono";
import { config } from "@uptime/core/platform/config";
import { StatusPage } from "@uptime/core/public/status-page";
import { MonitorPage } from "@uptime/core/status-pages/monitor-page";
import { SCRIPT_SRC, StatusPageHtml } from "@uptime/core/status-pages/render";

// Apart from status.ts so public-pages.ts serves a monitor's page without the status API's routes and demo probe.

/** Short, public caching: a CDN absorbs traffic spikes and the page is never more than this stale. */
export function cacheable(c: Context, maxAgeSec = config().STATUS_CACHE_SEC) {
  c.header("Cache-Control", `public, max-age=${maxAgeSec}`);
}

/** The page runs only the bars' script and loads nothing but its inline favicon: say so, so an injected tag could do nothing either. */
export function lockedDown(c: Context) {
  c.header("Content-Security-Policy", `default-src 'none'; style-src 'unsafe-inline'; ${SCRIPT_SRC}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
  c.header("X-Content-Type-Options", "nosniff");
}

/** A monitor's public page; /status/{slug} (public-pages.ts) serves it when the slug names a monitor. */
export async function monitorPage(c: Context, slug: string) {
  cacheable(c);
  lockedDown(c);
  const view = await StatusPage.forSlug(slug);
  if (!view) return c.html(StatusPageHtml.renderMessage("Status page not found", "auto", "No status page has this address."), 404);
  return c.html(MonitorPage.html(view, slug), 200);
}
