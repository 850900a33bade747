import { chromium } from "playwright-core";

export interface DashboardReload {
  /** From the navigation's start to the first monitor row in the DOM. */
  firstRowsMs: number;
  /** The first page's `GET /v1/dashboard?limit=…`, request start to response end. */
  dashboardApiMs: number;
  /** What the app spent after that response before the rows were there. */
  afterDataMs: number;
  /** From the navigation's start until every monitor had arrived ("Showing 100 of N"). */
  allRowsMs: number;
}

/**
 * Signs in to the web app in headless Chromium and reloads the dashboard `reloads` times, timing
 * each reload (bench/web.ts). The account must have more than 100 monitors.
 */
export async function dashboardReloads(o: {
  chromium: string;
  url: string;
  email: string;
  password: string;
  reloads: number;
  monitors: number;
  onReload?: (r: DashboardReload, i: number) => void;
}): Promise<DashboardReload[]> {
  const browser = await chromium.launch({ executablePath: o.chromium, args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // A string: this package is typed for Node, without the DOM's types.
    await context.addInitScript(`
      const watch = new MutationObserver(() => {
        if (globalThis.__firstRowsMs === undefined && document.querySelector("tbody tr")) globalThis.__firstRowsMs = performance.now();
        if ((document.querySelector(".more")?.textContent ?? "").includes(" of ${o.monitors.toLocaleString("en-US")}.")) {
          globalThis.__allRowsMs = performance.now();
          watch.disconnect();
        }
      });
      addEventListener("DOMContentLoaded", () => watch.observe(document.body, { childList: true, subtree: true }));
    `);
    const page = await context.newPage();
    await page.goto(`${o.url}/login`);
    await page.getByLabel("Email").fill(o.email);
    await page.getByLabel("Password").fill(o.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator("tbody tr").first().waitFor({ timeout: 60_000 });
    const out: DashboardReload[] = [];
    for (let i = 0; i < o.reloads; i++) {
      await page.reload();
      await page.waitForFunction(() => (globalThis as { __allRowsMs?: number }).__allRowsMs !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => {
        const api = performance.getEntriesByType("resource").find((e) => e.name.includes("/v1/dashboard?limit=")) as unknown as { requestStart: number; responseEnd: number };
        const g = globalThis as { __firstRowsMs?: number; __allRowsMs?: number };
        const firstRowsMs = g.__firstRowsMs!;
        return { firstRowsMs, dashboardApiMs: api.responseEnd - api.requestStart, afterDataMs: firstRowsMs - api.responseEnd, allRowsMs: g.__allRowsMs! };
      });
      o.onReload?.(r, i);
      out.push(r);
    }
    return out;
  } finally {
    await browser.close();
  }
}
