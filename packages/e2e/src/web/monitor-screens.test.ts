import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage, tabTo } from "../kit/browser-checks";
import { TEST_PASSWORD, createUser, type TestUser } from "../kit/test-users";

/*
 * What a user sees of monitors in the web app (issue 18, "Web app"): the chart a minute after
 * creation, the dashboard's strip of recent checks, the form's groups, dry run and refusals, time
 * zones, dark mode, the phone layout and the word for an ended session; and (issue 22) where a
 * check's time went.
 */

/** The browser globals the page functions below use (this package is typed for Node, without the DOM's types). */
interface PageGlobals {
  document: { activeElement: { id?: string } | null; body: unknown; querySelector(s: string): any };
  getComputedStyle(el: unknown): { backgroundColor: string };
}

/** Long enough to wrap at 390 px, with numbers a careless wrap would split. */
const SHOP_PATH = (base: string) => `${base}/shop/api/v2/orders/1234567890123/status?include=line-items&page=12345`;

describe.runIf(existsSync(CHROMIUM))("monitor screens", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let target: Target;
  let browser: Browser;
  let user: TestUser;
  let page: Page;
  let shopId = "";

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, target, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startTarget({ status: 200, body: "all good" }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    const created = await user.call("POST", "/v1/monitors", { name: "Shop", url: SHOP_PATH(target.url), slug: `shop-${Date.now()}` });
    expect(created.status).toBe(201);
    shopId = created.body.id;
    await stack.drainQueues();
    expect((await user.call("POST", `/v1/monitors/${shopId}/check`)).status).toBe(200);
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
    await stack?.stop();
  });

  const openShop = async () => {
    await page.goto(`${stack.apiUrl}/monitors/${shopId}`);
    await page.getByRole("heading", { name: "Shop" }).waitFor();
  };

  it("charts every check of a monitor created a minute ago, and switches between raw and rollup ranges", async () => {
    await openShop();
    await page.getByRole("heading", { name: "Response time, last hour" }).waitFor();
    const chart = page.locator(".chart[data-points]");
    await chart.locator("canvas").waitFor();
    expect(Number(await chart.getAttribute("data-points"))).toBeGreaterThanOrEqual(2);
    expect(await chart.getAttribute("aria-label")).toMatch(/every check/);

    const series = page.waitForRequest((r) => r.url().includes("/response-times?range=7d"));
    await page.getByRole("group", { name: "Chart range" }).getByRole("button", { name: "7d" }).click();
    await series;
    await page.getByRole("heading", { name: "Response time, last 7 days" }).waitFor();
    expect(await page.getByRole("button", { name: "7d" }).getAttribute("aria-pressed")).toBe("true");

    const raw = page.waitForRequest((r) => r.url().includes("/response-times/checks?range=24h"));
    await page.getByRole("button", { name: "24h" }).click();
    await raw;
    await page.locator('.chart[aria-label^="Response time of every check, last 24 hours"] canvas').waitFor();
  });

  it("shows a strip of the latest checks on the dashboard, from the dashboard's own answer", async () => {
    await user.call("POST", "/v1/monitors", { name: "Down site", url: "http://127.0.0.1:9/", failureThreshold: 1 });
    await user.call("POST", "/v1/monitors", { name: "Flaky", url: "http://127.0.0.1:9/", failureThreshold: 3, intervalSec: 3600, retryIntervalSec: 3600 });
    await stack.drainQueues();
    const dashboardCalls: string[] = [];
    page.on("request", (r) => void (r.url().includes("/v1/") && dashboardCalls.push(r.url())));
    await page.goto(`${stack.apiUrl}/`);
    const shop = page.locator("tr", { has: page.getByRole("link", { name: "Shop", exact: true }) });
    const strip = shop.locator(".strip[data-strip]");
    await strip.waitFor();
    expect(await strip.getAttribute("data-strip")).toMatch(/^u{2,}$/);
    expect(await strip.getAttribute("aria-label")).toMatch(/^Last \d+ checks: all up$/);
    const down = page.locator("tr", { has: page.getByRole("link", { name: "Down site" }) });
    expect(await down.locator(".strip").getAttribute("data-strip")).toMatch(/d$/);
    // failing below its threshold: not "Up", and not down yet
    const flaky = page.locator("tr", { has: page.getByRole("link", { name: "Flaky" }) });
    expect(await flaky.locator("[data-failing]").textContent()).toBe("Failing, 1 of 3");
    // no request per monitor: the strip comes with the dashboard
    expect(dashboardCalls.filter((u) => u.includes("/v1/monitors/"))).toEqual([]);
  });

  it("shows reasons in words and times with their zone", async () => {
    const p = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD, undefined, { timezoneId: "Asia/Kolkata" });
    try {
      const down = p.locator("tr", { has: p.getByRole("link", { name: "Down site" }) });
      await down.locator(".incident").waitFor();
      expect(await down.locator(".incident").textContent()).toMatch(/^connection refused since \d+[smh] ago/);
      // relative where recency matters, the full time with its zone on hover
      expect(await down.locator("time").first().getAttribute("title")).toMatch(/GMT\+5:30|IST/);
      await down.getByRole("link", { name: "Down site" }).click();
      const firstResult = p.getByRole("region", { name: "Recent checks" }).locator("tbody tr").first();
      await firstResult.waitFor();
      expect(await firstResult.locator("td").nth(0).textContent()).toMatch(/GMT\+5:30|IST/);
      expect(await firstResult.locator("td").nth(1).textContent()).toMatch(/^connection refused/);
      expect(await p.locator("body").textContent()).not.toContain("connection_refused");
    } finally {
      await p.context().close();
    }
  });

  it("groups the form, offers the allowed intervals only, and tests the request without saving it", async () => {
    await page.goto(`${stack.apiUrl}/monitors/new`);
    await page.getByRole("heading", { name: "New monitor" }).waitFor();
    for (const name of ["Basics", "Checking", "Alerts", "Advanced"]) await page.getByRole("group", { name }).waitFor();
    expect(await page.getByRole("group", { name: "Basics" }).getByLabel("URL").count()).toBe(1);
    const interval = page.getByRole("group", { name: "Checking" }).getByLabel("Check every");
    expect(await interval.evaluate((el: any) => el.tagName)).toBe("SELECT");
    expect(await interval.locator("option").allTextContents()).toEqual([
      "10 seconds", "20 seconds", "30 seconds", "1 minute", "2 minutes", "5 minutes", "10 minutes", "15 minutes", "30 minutes", "1 hour",
    ]);
    expect(await interval.inputValue()).toBe("60");

    const before = (await user.call("GET", "/v1/monitors")).body.data.length;
    await page.getByLabel("URL").fill(`${target.url}/health`);
    await page.getByRole("button", { name: "Test this request" }).click();
    await page.getByRole("status").filter({ hasText: /^Test: Up: HTTP 200 in \d+ ms\.$/ }).waitFor();
    target.set({ status: 503, body: "busy" });
    try {
      await page.getByRole("button", { name: "Test this request" }).click();
      await page.getByRole("status").filter({ hasText: /^Test: Failed: unexpected HTTP status \(HTTP 503\)/ }).waitFor();
    } finally {
      target.set({ status: 200, body: "all good" });
    }
    expect((await user.call("GET", "/v1/monitors")).body.data.length).toBe(before);
    await checkScreen(page, "monitor-form-grouped");
  });

  it("moves the focus to the first invalid field, says what is wrong in sentences, and names what holds a taken slug", async () => {
    await page.goto(`${stack.apiUrl}/monitors/new`);
    await page.getByLabel("Name", { exact: true }).fill("Blog");
    await page.getByLabel("URL").fill("not a url");
    await page.getByLabel("Failures before down").fill("0");
    await page.getByRole("button", { name: "Create monitor" }).click();
    await page.locator("#f-url-error").waitFor();
    const focused = () => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id);
    // The screen moves the focus in the render after the one that shows the errors: wait for it.
    await expect.poll(focused, { timeout: 5_000 }).toBe("f-url");
    expect(await page.locator("#f-url-error").textContent()).toBe("URL must be an http or https URL.");
    expect(await page.locator("#f-failureThreshold-error").textContent()).toBe("Failures before down must be at least 1.");
    expect(await page.getByRole("alert").textContent()).toMatch(/^Not saved: 2 fields need a change/);

    const shop = (await user.call("GET", `/v1/monitors/${shopId}`)).body;
    await page.getByLabel("URL").fill(target.url);
    await page.getByLabel("Failures before down").fill("3");
    await page.getByLabel("Public status page slug").fill(shop.slug);
    await page.getByRole("button", { name: "Create monitor" }).click();
    await page.locator("#f-slug-error").waitFor();
    await expect.poll(focused, { timeout: 5_000 }).toBe("f-slug");
    expect(await page.locator("#f-slug-error").textContent()).toBe(`The slug "${shop.slug}" is already used by a monitor's public page.`);
  });

  it("follows the system's dark mode", async () => {
    const background = () => page.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return g.getComputedStyle(g.document.querySelector("html")).backgroundColor;
    });
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
    };
    await page.emulateMedia({ colorScheme: "dark" });
    try {
      await page.goto(`${stack.apiUrl}/`);
      await page.getByRole("link", { name: "Shop", exact: true }).waitFor();
      expect(luminance(await background())).toBeLessThan(0.2);
      await checkScreen(page, "dashboard-dark", { docs: true });
    } finally {
      await page.emulateMedia({ colorScheme: "light" });
    }
    expect(luminance(await background())).toBeGreaterThan(0.8);
  });

  it("keeps the open incident on screen at 390 px and breaks URLs between their parts only", async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.setViewportSize({ width: 390, height: 900 });
    try {
      const down = page.locator("tr", { has: page.getByRole("link", { name: "Down site" }) });
      const incident = down.locator(".incident");
      await incident.waitFor();
      const box = await incident.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      // each line the shop's long URL wraps onto starts with a whole part, never inside a number or a word
      const lines: string[] = await page.locator("tr", { has: page.getByRole("link", { name: "Shop", exact: true }) }).locator(".url").evaluate((el: any) => {
        const doc = el.ownerDocument;
        const walker = doc.createTreeWalker(el, 4);
        const byTop = new Map<number, string>();
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          for (let i = 0; i < node.data.length; i++) {
            const range = doc.createRange();
            range.setStart(node, i);
            range.setEnd(node, i + 1);
            const top = Math.round(range.getBoundingClientRect().top);
            byTop.set(top, (byTop.get(top) ?? "") + node.data[i]);
          }
        }
        return [...byTop.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
      });
      expect(lines.join("")).toBe(SHOP_PATH(target.url));
      expect(lines.length).toBeGreaterThan(1);
      for (let i = 1; i < lines.length; i++) expect(`${lines[i - 1]!.slice(-1)}|${lines[i]![0]}`).not.toMatch(/\d\|\d|\w\|\w/);
      await checkScreen(page, "dashboard-phone");
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it("says that the session expired, and comes back to the screen after logging in", async () => {
    await openShop();
    await page.route("**/v1/auth/refresh", (r) => r.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_token", message: "Session expired" } }) }));
    await page.route("**/v1/monitors/*/check", (r) => r.fulfill({ status: 401, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_token", message: "Token expired" } }) }), { times: 1 });
    try {
      await page.getByRole("button", { name: "Check now" }).click();
      await page.getByRole("heading", { name: "Log in" }).waitFor();
      await page.getByText("Your session expired. Log in again to carry on where you were.").waitFor();
    } finally {
      // The expiry above was faked on the wire; the refresh cookie still works. Drop it so that a
      // poll answered 401 after the unroute cannot refresh for real and sign the user back in,
      // which would take the login form away under the fill below.
      await page.context().clearCookies({ name: "refresh_token" });
      await page.unroute("**/v1/auth/refresh");
      await page.unroute("**/v1/monitors/*/check");
    }
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password").fill(TEST_PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Shop" }).waitFor();
  });

  it("shows where the latest check's time went, with the numbers, and another check's while it is pointed at or focused (issue 22)", async () => {
    const SLOW_MS = 300;
    const slow = await startTarget({ status: 200, body: "ok", delayMs: SLOW_MS });
    try {
      const created = await user.call("POST", "/v1/monitors", { name: "Slow then quick", url: `${slow.url}/health` });
      expect(created.status).toBe(201);
      // the first check (queued at creation) waits SLOW_MS for the first byte; the latest answers at once
      await stack.drainQueues();
      slow.set({ status: 200, body: "ok" });
      expect((await user.call("POST", `/v1/monitors/${created.body.id}/check`)).status).toBe(200);

      const legend = (phase: string) => page.locator(`.phase-legend [data-phase="${phase}"]`);
      const msOf = async (phase: string) => {
        const text = (await legend(phase).locator("dd").textContent()) ?? "";
        expect(text).toMatch(/^\d+ ms$/);
        return Number.parseInt(text, 10);
      };
      await page.goto(`${stack.apiUrl}/monitors/${created.body.id}`);
      await page.getByRole("heading", { name: "Where the time went" }).waitFor();
      await page.getByText(/^Latest check, /).waitFor();
      // a literal IP over plain HTTP: connect, first byte and download, no DNS or TLS
      expect(await legend("connect").locator("dt").textContent()).toBe("connect");
      expect(await legend("dns").count()).toBe(0);
      expect(await legend("tls").count()).toBe(0);
      expect(await msOf("firstByte")).toBeLessThan(SLOW_MS - 50);
      await msOf("download");

      const picks = page.getByRole("group", { name: "Recent checks' phases, oldest first" }).getByRole("button");
      expect(await picks.count()).toBe(2);
      const oldest = picks.first();
      // the words a screen reader reads for the picture
      const spoken = /first byte (\d+)/.exec((await oldest.getAttribute("aria-label")) ?? "");
      expect(Number(spoken?.[1])).toBeGreaterThanOrEqual(SLOW_MS - 10);

      await oldest.hover();
      await page.getByText(/^Check, /).waitFor();
      expect(await msOf("firstByte")).toBeGreaterThanOrEqual(SLOW_MS - 10);
      expect(await oldest.getAttribute("aria-pressed")).toBe("true");

      await page.getByRole("heading", { name: "Where the time went" }).hover();
      await page.getByText(/^Latest check, /).waitFor();
      expect(await msOf("firstByte")).toBeLessThan(SLOW_MS - 50);

      await tabTo(page, oldest);
      await page.getByText(/^Check, /).waitFor();
      expect(await msOf("firstByte")).toBeGreaterThanOrEqual(SLOW_MS - 10);

      await checkScreen(page, "monitor-phases");
    } finally {
      await slow.stop();
    }
  });
});
