import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { monitorItem } from "../kit/monitor-fixture";
import { createUser } from "../kit/test-users";
import { checkScreen as checkScreenOf, tabTo as tabToIn, typeInto as typeIntoIn } from "../kit/browser-checks";

/*
 * The web app in headless Chromium against a real local stack: the app is served by the local
 * API server on one origin, exactly as `npm start` serves it.
 */

// CHROMIUM_PATH only to try another build (or, with a wrong path, this file's CI failure).
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const MAIN_SCREENS = ["dashboard", "monitor-details", "monitor-form", "incidents"];
const password = "correct horse battery";
const email = `web-${Date.now()}@example.com`;
// Short, so the session outlives several access tokens within the test (deployed: 900 s).
const ACCESS_TOKEN_TTL_SEC = 4;

/** The browser globals the page functions below use (this package is typed for Node, without the DOM's types). */
interface PageGlobals {
  innerWidth: number;
  document: {
    scrollingElement: { scrollWidth: number };
    activeElement: unknown;
    visibilityState?: string;
    dispatchEvent(event: unknown): boolean;
  };
  Event: new (type: string) => unknown;
}

if (!haveChromium) {
  console.error(`\n!!! ${CHROMIUM} is missing: the browser tests are ${process.env.CI ? "FAILING (CI is set)" : "SKIPPED"}. Install it: apt-get install -y chromium\n`);
}

it("keeps the first screen's JavaScript under 80 KB gzipped, with uPlot loaded later", { timeout: 60_000 }, async () => {
  const { dir } = await ensureWebBuild();
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  const scripts = [...html.matchAll(/<script[^>]+src="\/([^"]+)"/g), ...html.matchAll(/<link rel="modulepreload"[^>]+href="\/([^"]+)"/g)].map((m) => m[1]!);
  expect(scripts.length).toBeGreaterThan(0);
  const code = scripts.map((s) => readFileSync(path.join(dir, s)));
  const gzipped = code.reduce((n, c) => n + gzipSync(c).length, 0);
  console.log(`web app: first screen JavaScript ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  expect(gzipped).toBeLessThan(80 * 1024);
  expect(code.some((c) => c.includes("uplot"))).toBe(false);
});

it.runIf(!haveChromium && !!process.env.CI)("needs Chromium on CI", () => {
  expect(haveChromium, `${CHROMIUM} is missing (apt-get install -y chromium)`).toBe(true);
});

describe.runIf(haveChromium)("web app in a browser", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let target: Target;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const external: string[] = [];

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, target, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {}, env: { ACCESS_TOKEN_TTL_SEC: String(ACCESS_TOKEN_TTL_SEC) } }),
      startTarget({ status: 200, body: "all good" }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Poll every second instead of every 30 s, so "without a reload" is quick to see.
    await context.addInitScript(() => ((globalThis as { __UPTIME_POLL_MS__?: number }).__UPTIME_POLL_MS__ = 1000));
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && !m.text().includes("401") && console.error("[browser]", m.text()));
    page.on("request", (req) => {
      if (!req.url().startsWith(stack.apiUrl) && !req.url().startsWith("data:")) external.push(req.url());
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
    await stack?.stop();
  });

  const checkScreen = (name: string) => checkScreenOf(page, name, { docs: MAIN_SCREENS.includes(name) });
  const tabTo = (target: Locator) => tabToIn(page, target);
  const typeInto = (target: Locator, text: string) => typeIntoIn(page, target, text);

  /** A check made outside the browser (as the scheduler would), so only polling can show its outcome. */
  async function checkFromOutside(id: string) {
    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email, password } });
    const res = await stack.api(`/v1/monitors/${id}/check`, { method: "POST", token: login.body.accessToken });
    expect(res.status).toBe(200);
  }

  const row = () => page.locator("tr", { has: page.getByRole("link", { name: "Shop", exact: true }) });
  let monitorId = "";

  it("loads signed out without a failing request or a console error", async () => {
    const failures: string[] = [];
    const onResponse = (r: { status(): number; url(): string }) => void (r.status() >= 400 && failures.push(`${r.status()} ${r.url()}`));
    const onConsole = (m: { type(): string; text(): string }) => void (m.type() === "error" && failures.push(m.text()));
    page.on("response", onResponse);
    page.on("console", onConsole);
    await page.goto(`${stack.apiUrl}/login`);
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.waitForLoadState("networkidle");
    page.off("response", onResponse);
    page.off("console", onConsole);
    expect(failures).toEqual([]);
  });

  // The main flow, register → create a monitor → check it, with the keyboard alone.
  it("registers with the keyboard alone and lands on the empty dashboard", async () => {
    await page.goto(`${stack.apiUrl}/register`);
    await page.getByRole("heading", { name: "Create an account" }).waitFor();
    await checkScreen("register");
    await typeInto(page.getByLabel("Email"), email);
    await typeInto(page.getByLabel("Password"), "short");
    await page.keyboard.press("Enter");
    await page.locator("#f-password-error").waitFor();
    await typeInto(page.getByLabel("Password"), password);
    await tabTo(page.getByRole("button", { name: "Create account" }));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Monitors" }).waitFor();
    await page.getByText("No monitors yet").waitFor();
    await checkScreen("dashboard-empty");
  });

  it("shows the API's validation messages beside the fields, then creates and checks a monitor, keyboard only", async () => {
    await tabTo(page.getByRole("link", { name: "New monitor" }));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "New monitor" }).waitFor();
    await typeInto(page.getByLabel("Name", { exact: true }), "Shop");
    await typeInto(page.getByLabel("URL"), "not a url");
    await typeInto(page.getByLabel("Failures before down"), "1");
    await page.keyboard.press("Enter");
    await page.locator("#f-url-error").waitFor();
    expect(await page.getByLabel("URL").getAttribute("aria-invalid")).toBe("true");
    await checkScreen("monitor-form");

    await typeInto(page.getByLabel("URL"), target.url);
    await tabTo(page.getByRole("button", { name: "Create monitor" }));
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Shop" }).waitFor();
    monitorId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    await tabTo(page.getByRole("button", { name: "Check now" }));
    await page.keyboard.press("Enter");
    await page.locator(".title-row .badge.up").waitFor();
    // the check's own result is said where the user looks
    await page.getByRole("status").filter({ hasText: /Checked just now\. Up: HTTP 200 in \d+ ms\./ }).waitFor();
  });

  it("shows a refused check (429) and keeps it shown after the screen reloads its data", async () => {
    const body = JSON.stringify({ error: { code: "too_many_manual_checks", message: "Too many checks run on this monitor; try again in 7 seconds" } });
    await page.route("**/v1/monitors/*/check", (r) => r.fulfill({ status: 429, headers: { "retry-after": "7", "content-type": "application/json" }, body }), { times: 1 });
    await page.getByRole("button", { name: "Check now" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Too many checks run on this monitor; try again in 7 seconds" });
    await alert.waitFor();
    await page.waitForTimeout(1500); // a poll (every second here) must not clear it
    expect(await alert.count()).toBe(1);
  });

  it('shows a monitor failing below its threshold as "failing, n of 3", not as up or pending', async () => {
    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email, password } });
    const created = await stack.api("/v1/monitors", { method: "POST", token: login.body.accessToken, json: { name: "Flaky", url: "http://127.0.0.1:9/", failureThreshold: 3, retryIntervalSec: 3600, intervalSec: 3600 } });
    expect((await stack.api(`/v1/monitors/${created.body.id}/check`, { method: "POST", token: login.body.accessToken })).status).toBe(200);
    await page.goto(`${stack.apiUrl}/monitors/${created.body.id}`);
    // the check queued at creation may have run too: one or two failures of three
    await page.locator("[data-failing]", { hasText: /^Failing, [12] of 3$/ }).waitFor();
    await page.getByText(/down after [12] more failed checks?/).waitFor();
    await stack.api(`/v1/monitors/${created.body.id}`, { method: "DELETE", token: login.body.accessToken });
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole("heading", { name: "Monitors" }).waitFor();
  });

  it("turns down and opens an incident on the dashboard without a reload, then recovers", async () => {
    await page.getByRole("link", { name: "Monitors" }).click();
    await row().locator(".badge.up").waitFor();
    await page.evaluate(() => ((globalThis as { loadedOnce?: boolean }).loadedOnce = true));
    await checkScreen("dashboard");

    target.set({ status: 503, body: "maintenance" });
    await checkFromOutside(monitorId);
    await row().locator(".badge.down").waitFor();
    await row().locator(".incident").waitFor();
    expect(await page.evaluate(() => (globalThis as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
    await page.getByLabel("Status").selectOption("down");
    expect(await row().count()).toBe(1);
    await page.getByLabel("Search").fill("nothing like it");
    expect(await row().count()).toBe(0);
    await page.getByLabel("Search").fill("sho");
    expect(await row().count()).toBe(1);
    await checkScreen("dashboard-down");

    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByRole("heading", { name: "Incidents" }).waitFor();
    await page.locator(".incidents li.open").waitFor();
    await checkScreen("incidents");

    await page.locator(".incidents li.open a", { hasText: "Shop" }).click();
    await page.getByText("Open incident:").waitFor();
    target.set({ status: 200, body: "all good" });
    await page.getByRole("button", { name: "Check now" }).click();
    await page.locator(".title-row .badge.up").waitFor();
    await page.locator(".incidents li.resolved").waitFor();
    await page.locator(".chart canvas").waitFor();
    await checkScreen("monitor-details");
  });

  it("polls with If-None-Match and keeps what it shows on a 304", async () => {
    await page.getByRole("link", { name: "Monitors" }).click();
    await row().waitFor();
    const unchanged = await page.waitForResponse((r) => r.url().endsWith("/v1/dashboard") && r.status() === 304);
    expect(unchanged.request().headers()["if-none-match"]).toMatch(/^W\//);
    await page.waitForResponse((r) => r.url().endsWith("/v1/dashboard"));
    expect(await row().locator(".badge.up").count()).toBe(1);
  });

  it("makes no API call while the tab is hidden, and polls again once it is shown", async () => {
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        const { document, Event } = globalThis as unknown as PageGlobals;
        if (h) Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
        else delete document.visibilityState;
        document.dispatchEvent(new Event("visibilitychange"));
      }, hidden);
    await setHidden(true);
    await page.waitForTimeout(500);
    const calls: string[] = [];
    const count = (r: { url(): string }) => void (r.url().includes("/v1/") && calls.push(r.url()));
    page.on("request", count);
    try {
      await page.waitForTimeout(3500);
      expect(calls).toEqual([]);
      const shown = page.waitForRequest((r) => r.url().endsWith("/v1/dashboard"));
      await setHidden(false);
      await shown;
    } finally {
      page.off("request", count);
    }
    await row().getByRole("link", { name: "Shop" }).click();
    await page.getByRole("heading", { name: "Shop" }).waitFor();
  });

  it("pauses and resumes", async () => {
    await page.getByRole("button", { name: "Pause" }).click();
    await page.locator(".title-row .badge.paused").waitFor();
    await page.getByRole("button", { name: "Resume" }).click();
    await page.getByRole("button", { name: "Pause" }).waitFor();
  });

  it("edits a monitor, keeping the fields it did not touch", async () => {
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit Shop" }).waitFor();
    expect(await page.getByLabel("Failures before down").inputValue()).toBe("1");
    await page.getByLabel("Request headers").fill("X-Probe: web");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Shop" }).waitFor();
    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email, password } });
    const saved = await stack.api(`/v1/monitors/${monitorId}`, { token: login.body.accessToken });
    expect(saved.body).toMatchObject({ headers: { "X-Probe": "web" }, failureThreshold: 1, url: target.url, keyword: null });
  });

  it("hides the edit buttons from a viewer and names the organisation in X-Org-Id", async () => {
    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email, password } });
    const me = (await stack.api("/v1/me", { token: login.body.accessToken })).body.id as string;
    // The answer for a viewer, played (a real viewer in a real organisation: org-account.test.ts).
    const viewer = { id: me, name: "Acme", personal: false, createdAt: new Date().toISOString(), role: "viewer", permissions: ["org.read", "members.read", "monitors.read", "statusPages.read"] };
    await page.route("**/v1/org", (route) => route.fulfill({ json: viewer }));
    try {
      await page.goto(`${stack.apiUrl}/`);
      await row().waitFor();
      const polled = await page.waitForRequest((r) => r.url().endsWith("/v1/dashboard"));
      expect(polled.headers()["x-org-id"]).toBe(me);
      expect(await page.getByRole("link", { name: "New monitor" }).count()).toBe(0);
      await row().getByRole("link", { name: "Shop" }).click();
      await page.getByRole("heading", { name: "Shop" }).waitFor();
      await page.getByRole("heading", { name: "Recent checks" }).waitFor();
      for (const name of ["Check now", "Pause", "Delete"]) expect(await page.getByRole("button", { name }).count(), name).toBe(0);
      expect(await page.getByRole("link", { name: "Edit" }).count()).toBe(0);
      await page.goto(`${stack.apiUrl}/monitors/${monitorId}/edit`);
      await page.getByText("may not create or change monitors").waitFor();
    } finally {
      await page.unroute("**/v1/org");
      // The played organisation was remembered; the real API answers it is the personal one.
      await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear());
    }
    await page.goto(`${stack.apiUrl}/monitors/${monitorId}`);
    await page.getByRole("button", { name: "Check now" }).waitFor();
  });

  it("stays signed in across a reload and past the access token's lifetime", async () => {
    await page.reload();
    await page.getByRole("heading", { name: "Shop" }).waitFor();
    await page.waitForTimeout((ACCESS_TOKEN_TTL_SEC + 1) * 1000);
    await page.getByRole("link", { name: "Monitors" }).click();
    await row().waitFor();
    expect(await page.getByRole("heading", { name: "Log in" }).count()).toBe(0);
    // The access token lives in memory only.
    const stored = await page.evaluate(() => {
      const g = globalThis as unknown as { localStorage: object; sessionStorage: object };
      return JSON.stringify({ ...g.localStorage }) + JSON.stringify({ ...g.sessionStorage });
    });
    expect(stored).not.toMatch(/eyJ/);
  });

  it("deletes a monitor after confirmation", async () => {
    await row().getByRole("link", { name: "Shop" }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Cancel" }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("button", { name: "Yes, delete" }).click();
    await page.getByText("No monitors yet").waitFor();
  });

  it("serves the API docs from this origin", async () => {
    await page.goto(`${stack.apiUrl}/docs`);
    await page.locator(".swagger-ui .info").waitFor();
    expect(external).toEqual([]);
  });

  it("lists 1,000 monitors, filtered and searched", async () => {
    const many = await createUser(stack);
    const me = await many.call("GET", "/v1/me");
    const items = Array.from({ length: 1000 }, (_, i) =>
      monitorItem({ intervalSec: 300, ownerId: me.body.id, name: `Site ${String(i).padStart(4, "0")}`, state: i % 10 === 0 ? "down" : "up" }),
    );
    await MonitorEntity.put(items).go({ concurrent: 4 });
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const p = await other.newPage();
      await p.goto(`${stack.apiUrl}/login`);
      await p.getByLabel("Email").fill(many.email);
      await p.getByLabel("Password").fill(password);
      await p.getByRole("button", { name: "Log in" }).click();
      await p.getByText("Showing 100 of 1,000").waitFor();
      expect(await p.locator("tbody tr").count()).toBe(100);
      await p.getByRole("button", { name: "Show 100 more" }).click();
      expect(await p.locator("tbody tr").count()).toBe(200);
      await p.getByLabel("Search").fill("site 0999");
      expect(await p.locator("tbody tr").count()).toBe(1);
      await p.getByLabel("Search").fill("");
      await p.getByLabel("Status").selectOption("down");
      expect(await p.locator("tbody tr").count()).toBe(100);
      expect(await p.getByText(/^Showing/).count()).toBe(0);
      await p.getByLabel("Search").fill("site 0990");
      expect(await p.locator("tbody tr").count()).toBe(1);
    } finally {
      await other.close();
    }
  });

  it("logs out and back in", async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await checkScreen("login");
    await page.reload();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Monitors" }).waitFor();
  });
});
