import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage } from "../kit/browser-checks";
import { checkNow } from "../kit/monitor-api";
import { createUser, TEST_PASSWORD, type TestUser } from "../kit/test-users";

/* The monitor form's assertions / slowness / certificate section and the degraded state, as a user sees them. */

describe.runIf(existsSync(CHROMIUM))("assertions and the degraded state in the web app", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let site: Target;
  let browser: Browser;
  let user: TestUser;
  let page: Page;
  let monitorId = "";

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, site, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startTarget({ status: 200, body: JSON.stringify({ status: "ok" }) }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    monitorId = (await user.call("POST", "/v1/monitors", { name: "Api", url: site.url })).body.id;
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await stack?.stop();
  });

  it("points at the line and character of a bad assertion, then saves good ones and thresholds", async () => {
    await page.goto(`${stack.apiUrl}/monitors/${monitorId}/edit`);
    const assertions = page.getByLabel("Assertions (one per line)");
    await assertions.waitFor();
    expect(await page.getByLabel("Certificate warnings (days before expiry)").inputValue()).toBe("30, 14, 7, 1");
    await assertions.fill('$.status == "ok"\nresponseTime <');
    await page.getByRole("button", { name: "Update assertions and thresholds" }).click();
    const problem = page.locator(".monitor-assertions [role=alert]");
    await expect.poll(() => problem.textContent()).toContain("Assertion on line 2: at character 15: expected a value");
    expect(await assertions.getAttribute("aria-invalid")).toBe("true");

    await assertions.fill('$.status == "ok"\nresponseTime < 5000');
    await page.getByLabel("Degraded above (ms, empty: never)").fill("100");
    await page.getByLabel("Slow checks before degraded").fill("1");
    await page.getByRole("button", { name: "Update assertions and thresholds" }).click();
    await expect.poll(() => page.locator(".monitor-assertions [role=status]").textContent()).toBe("Assertions and thresholds updated.");
    expect(await problem.count()).toBe(0);
    await checkScreen(page, "monitor-assertions");
    const saved = (await user.call("GET", `/v1/monitors/${monitorId}`)).body;
    expect(saved).toMatchObject({ assertions: ['$.status == "ok"', "responseTime < 5000"], degradedAboveMs: 100, degradedAfterChecks: 1 });
  });

  it("shows a slow monitor as degraded on the dashboard and its screen", async () => {
    site.set({ status: 200, body: JSON.stringify({ status: "ok" }), delayMs: 250 });
    expect((await checkNow(user, monitorId)).monitor.status).toBe("degraded");
    await page.goto(`${stack.apiUrl}/`);
    const row = page.locator('[data-monitor="Api"]');
    await expect.poll(() => row.locator(".badge").textContent()).toBe("Degraded");
    await page.goto(`${stack.apiUrl}/monitors/${monitorId}`);
    await expect.poll(() => page.locator(".title-row .badge").textContent()).toBe("Degraded");
  });
});
