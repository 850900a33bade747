import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { createUser } from "../kit/test-users";

/*
 * A status page as a new user sees it a minute after making it: set up through the admin API,
 * one component following a monitor that was checked three times ("check now"), one static
 * component with a major incident posted today. No rollup has run, yet today's bars already
 * show both: green from the checks, red from the incident. A day's text is reached by keyboard
 * and by tap, and the bars read as one control, not 90 items.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const shots = fileURLToPath(new URL("../../../web/screenshots/out/", import.meta.url));

describe.runIf(haveChromium)("a status page created a minute ago, in a browser", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let target: Target;
  let browser: Browser;
  let slug: string;

  beforeAll(async () => {
    [stack, target, browser] = await Promise.all([
      startTestStack({ pollers: false, log: () => {}, env: { MANUAL_CHECK_MONITOR_SEC: "1" } }),
      startTarget(),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    const ada = await createUser(stack);
    const monitor = await ada.call("POST", "/v1/monitors", { name: "API health", url: target.url });
    expect(monitor.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      if (i) await new Promise((r) => setTimeout(r, 1100));
      const check = await ada.call("POST", `/v1/monitors/${monitor.body.id}/check`);
      expect(check.status, JSON.stringify(check.body)).toBe(200);
    }
    slug = `today-${Date.now().toString(36)}`;
    const page = await ada.call("POST", "/v1/status-pages", { slug, title: "Acme" });
    expect(page.status).toBe(201);
    const pageId = page.body.id as string;
    const api = await ada.call("POST", `/v1/status-pages/${pageId}/components`, { name: "API", monitorId: monitor.body.id });
    const web = await ada.call("POST", `/v1/status-pages/${pageId}/components`, { name: "Website" });
    expect([api.status, web.status]).toEqual([201, 201]);
    const incident = await ada.call("POST", `/v1/status-pages/${pageId}/incidents`, {
      title: "Website down",
      impact: "critical",
      componentIds: [web.body.id],
      update: { message: "The website does not answer.", status: "investigating" },
    });
    expect(incident.status, JSON.stringify(incident.body)).toBe(201);
    mkdirSync(shots, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
    await stack?.stop();
  });

  const consoleErrors: string[] = [];
  async function open(width: number, touch = false): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height: 900 }, hasTouch: touch, isMobile: touch });
    const page = await context.newPage();
    // a script the CSP refused, or one that failed, shows here
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
    page.on("pageerror", (e) => consoleErrors.push(String(e)));
    const res = await page.goto(`${stack.apiUrl}/status/${slug}`);
    expect(res?.status()).toBe(200);
    // what Lighthouse assumes of the server (npm run lighthouse): the page arrives compressed
    expect((await res!.allHeaders())["content-encoding"]).toBe("gzip");
    return page;
  }
  const strip = (page: Page, name: string) => page.getByRole("slider", { name: `${name}: uptime per day` });
  const today = (page: Page, name: string) => strip(page, name).locator("i").last();

  for (const width of [390, 1280]) {
    it(`shows today's checks and today's incident in the bars at ${width} px`, async () => {
      const page = await open(width);
      expect(await today(page, "API").getAttribute("class")).toBe("up");
      expect(await today(page, "API").getAttribute("title")).toMatch(/^Today, \d{1,2} \w+ \d{4}: 100% uptime$/);
      expect(await today(page, "Website").getAttribute("class")).toBe("down");
      expect(await today(page, "Website").getAttribute("title")).toMatch(/: [\d.]+% uptime\. Major outage: Website down$/);
      // the days before the page and its monitor existed have nothing to show
      expect(await strip(page, "API").locator("i").first().getAttribute("class")).toBe("");
      const { violations } = await new AxeBuilder({ page }).analyze();
      expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
      await page.screenshot({ path: path.join(shots, `status-page-today-${width}.png`), fullPage: true });
      expect(consoleErrors).toEqual([]);
      await page.context().close();
    });
  }

  it("reads one day at a time by keyboard, with a summary instead of 90 items", async () => {
    const page = await open(1280);
    const api = strip(page, "API");
    await page.keyboard.press("Tab"); // the first focusable thing on the page is the first strip
    await expect.poll(() => api.evaluate((el) => el === (el.ownerDocument as any).activeElement)).toBe(true);
    const tip = api.locator("xpath=following-sibling::p[1]");
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/^Today, .*: 100% uptime$/);
    await page.keyboard.press("ArrowLeft");
    expect(await api.getAttribute("aria-valuenow")).toBe("89");
    expect(await api.getAttribute("aria-valuetext")).toMatch(/^\d{1,2} \w+ \d{4}: no data$/);
    expect(await tip.textContent()).toBe(await api.getAttribute("aria-valuetext"));
    await page.keyboard.press("Home");
    expect(await api.getAttribute("aria-valuenow")).toBe("1");
    await page.keyboard.press("End");
    expect(await tip.textContent()).toMatch(/^Today, /);
    // a screen reader hears the strip's summary, not each bar
    const summary = await page.locator(`#${await api.getAttribute("aria-describedby")}`).textContent();
    expect(summary).toMatch(/^Last 90 days: 100% uptime\. No incidents, maintenance or failed checks\.$/);
    const web = await page.locator(`#${await strip(page, "Website").getAttribute("aria-describedby")}`).textContent();
    expect(web).toMatch(/Days with incidents, maintenance or failed checks: \d{1,2} \w+ \d{4}: [\d.]+% uptime, Major outage: Website down\.$/);
    await page.keyboard.press("Tab");
    expect(await tip.isHidden()).toBe(true);
    await page.context().close();
  });

  it("shows a day's text when its bar is tapped", async () => {
    const page = await open(390, true);
    const web = strip(page, "Website");
    await today(page, "Website").tap();
    const tip = web.locator("xpath=following-sibling::p[1]");
    expect(await tip.isVisible()).toBe(true);
    expect(await tip.textContent()).toMatch(/^Today, .*Major outage: Website down$/);
    await web.locator("i").nth(80).tap();
    expect(await tip.textContent()).toMatch(/^\d{1,2} \w+ \d{4}: no data$/);
    expect(consoleErrors).toEqual([]);
    await page.context().close();
  });
});
