import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage } from "../kit/browser-checks";
import { startReceiver, type Receiver } from "../kit/receiver";
import { createUser, TEST_PASSWORD, type TestUser } from "../kit/test-users";

/* The Channels screen, the monitor form's alerting part and acknowledging, as a user clicks them. */

describe.runIf(existsSync(CHROMIUM))("alert channels in the web app", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let site: Target;
  let hook: Receiver;
  let browser: Browser;
  let user: TestUser;
  let page: Page;
  let monitorId = "";

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, site, hook, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startTarget({ status: 200, body: "ok" }),
      startReceiver({ status: 200, body: "thanks" }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    monitorId = (await user.call("POST", "/v1/monitors", { name: "Shop", url: site.url, failureThreshold: 1 })).body.id;
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await hook?.stop();
    await site?.stop();
    await stack?.stop();
  });

  it("creates a webhook channel, shows its signing secret once, sends a test and shows the answer and the log", async () => {
    await page.getByRole("link", { name: "Channels" }).click();
    await page.getByRole("heading", { name: "Alert channels" }).waitFor();
    await page.getByLabel("Type").selectOption("webhook");
    await page.getByLabel("Name").fill("Ops hook");
    await page.getByLabel("Endpoint URL").fill(`${hook.url}/in`);
    await page.getByRole("button", { name: "Create channel" }).click();
    const secret = await page.locator("[data-signing-secret]").textContent();
    expect(secret).toMatch(/^whsec_/);
    const row = page.locator('[data-channel="Ops hook"]');
    await row.waitFor();
    // The URL is shown masked only.
    expect(await row.textContent()).not.toContain(hook.url);
    await checkScreen(page, "channels");

    await row.getByRole("button", { name: "Send test" }).click();
    await expect.poll(() => row.locator("[data-test-result]").textContent()).toContain("HTTP 200");
    expect(await row.locator("[data-test-result]").textContent()).toContain("thanks");
    expect(hook.received.at(-1)!.json().type).toBe("channel.test");
    await row.getByRole("button", { name: "Delivery log" }).click();
    await row.getByRole("cell", { name: "channel.test" }).waitFor();
    await checkScreen(page, "channels-log");
  });

  it("chooses the channel and reminders in the monitor form, and acknowledges the incident from the incidents screen", async () => {
    await page.goto(`${stack.apiUrl}/monitors/${monitorId}/edit`);
    await page.getByRole("heading", { name: "Alert channels" }).waitFor();
    await page.getByLabel("Ops hook (webhook)").check();
    await page.getByLabel("Remind every (minutes, 0: never)").fill("15");
    await page.getByRole("button", { name: "Update alerting" }).click();
    await page.getByText("Alerting updated.").waitFor();
    const saved = (await user.call("GET", `/v1/monitors/${monitorId}`)).body;
    expect(saved.channelIds).toHaveLength(1);
    expect(saved.remindEveryMin).toBe(15);
    await checkScreen(page, "monitor-alerting");

    site.set({ status: 500 });
    expect((await user.call("POST", `/v1/monitors/${monitorId}/check`)).status).toBe(200);
    await stack.drainQueues();
    expect(hook.received.at(-1)!.json().type).toBe("monitor.down");

    await page.getByRole("link", { name: "Incidents" }).click();
    await page.getByRole("button", { name: "Acknowledge" }).click();
    await page.getByText(`acknowledged by ${user.email}`).waitFor();
    await checkScreen(page, "incidents-acknowledged");
    await stack.drainQueues();
    expect(hook.received.at(-1)!.json().type).toBe("incident.acknowledged");
  });
});
