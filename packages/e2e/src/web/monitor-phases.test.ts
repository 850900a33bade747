import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage, tabTo } from "../kit/browser-checks";
import { TEST_PASSWORD, createUser, type TestUser } from "../kit/test-users";

/*
 * Issue 22: where a check's time went (DNS, connect, TLS, first byte, download), shown on the
 * monitor screen for the latest check, and for any recent check pointed at or focused.
 */

const SLOW_MS = 300;

describe.runIf(existsSync(CHROMIUM))("a check's phases on the monitor screen", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let target: Target;
  let browser: Browser;
  let user: TestUser;
  let page: Page;
  let monitorId = "";

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, target, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startTarget({ status: 200, body: "ok", delayMs: SLOW_MS }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    const created = await user.call("POST", "/v1/monitors", { name: "Slow then quick", url: `${target.url}/health` });
    expect(created.status).toBe(201);
    monitorId = created.body.id;
    // the first check (queued at creation) waits SLOW_MS for the first byte; the latest answers at once
    await stack.drainQueues();
    target.set({ status: 200, body: "ok" });
    expect((await user.call("POST", `/v1/monitors/${monitorId}/check`)).status).toBe(200);
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
    await stack?.stop();
  });

  const legend = (phase: string) => page.locator(`.phase-legend [data-phase="${phase}"]`);
  const msOf = async (phase: string) => {
    const text = (await legend(phase).locator("dd").textContent()) ?? "";
    expect(text).toMatch(/^\d+ ms$/);
    return Number.parseInt(text, 10);
  };

  it("shows the latest check's phases with their numbers, and another check's while it is pointed at or focused", async () => {
    await page.goto(`${stack.apiUrl}/monitors/${monitorId}`);
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
    // the text a screen reader reads for the picture
    expect(await oldest.getAttribute("aria-label")).toMatch(/first byte (\d+)/);
    expect(Number(/first byte (\d+)/.exec((await oldest.getAttribute("aria-label"))!)![1])).toBeGreaterThanOrEqual(SLOW_MS - 10);

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
  });
});
