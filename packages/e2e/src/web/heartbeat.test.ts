import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage } from "../kit/browser-checks";
import { createUser, TEST_PASSWORD, type TestUser } from "../kit/test-users";
import { inOrg } from "../kit/orgs";
import { MembershipEntity } from "@uptime/core/orgs/entity";

/* The heartbeat screens as a user meets them: create one in the form, copy its URL, ping it, see the ping. */

describe.runIf(existsSync(CHROMIUM))("heartbeat monitors in the web app", { timeout: 90_000 }, () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let user: TestUser;

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
    await page.context().addInitScript(() => ((globalThis as { __UPTIME_POLL_MS__?: number }).__UPTIME_POLL_MS__ = 1000));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("creates a cron heartbeat, shows its ping URL, snippets and schedule in words, and its pings with logs", async () => {
    await page.goto(`${stack.apiUrl}/monitors/new`);
    await page.getByRole("link", { name: "Create a heartbeat instead" }).click();
    await page.getByRole("heading", { name: "New heartbeat" }).waitFor();
    await checkScreen(page, "heartbeat-form", { docs: true });
    await page.getByLabel("Name").fill("Nightly backup");
    await page.getByLabel("Cron expression").fill("0 3 * * *");
    await page.getByLabel("Time zone").fill("Europe/Berlin");
    await page.getByLabel("Grace time (minutes)").fill("15");
    await page.getByRole("button", { name: "Create heartbeat" }).click();

    await page.getByRole("heading", { name: "Heartbeat" }).waitFor();
    expect(await page.locator("[data-schedule]").textContent()).toBe("at 03:00 every day, Europe/Berlin");
    const url = await page.getByLabel(/Ping URL/).inputValue();
    expect(url).toMatch(new RegExp(`^${stack.apiUrl}/ping/[A-Za-z0-9_-]{24}$`));
    await page.locator("[data-no-pings]").waitFor();
    await page.getByText("Copy-paste snippets").click();
    for (const name of ["curl in crontab", "PowerShell", "Node.js", "Python"]) await page.getByText(name, { exact: true }).waitFor();
    expect(await page.locator("pre code").first().textContent()).toContain(`curl -fsS -m 10 --retry 5 -o /dev/null ${url}`);

    // The job reports in from outside the browser: the screen shows it without a reload.
    expect((await fetch(`${url}/start`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(`${url}/0`, { method: "POST", body: "42 GB copied" })).status).toBe(200);
    await page.getByRole("cell", { name: /success · POST/ }).waitFor();
    await page.getByText("42 GB copied").first().waitFor();
    // The run's duration, from its /start.
    await page.getByRole("cell", { name: /^1(\.\d+)? ?s/ }).first().waitFor();
    await checkScreen(page, "monitor-heartbeat", { docs: true });

    // A heartbeat has no probe: no response times or phases, its results in its own words.
    expect(await page.getByRole("heading", { name: /Response time/ }).count()).toBe(0);
    expect(await page.getByRole("heading", { name: "Recent results" }).count()).toBe(1);
    expect(await page.getByText(/Next ping expected by .*\b(UTC|GMT[+-]?\d*|[A-Z]{3,5})\.$/).count()).toBe(1);
    expect((await fetch(`${url}/3`)).status).toBe(200);
    await page.getByRole("region", { name: "Recent results" }).getByRole("cell", { name: /^the job reported a failure/ }).waitFor();
    // "Check now" shows the last ping, and a failed one as a failure, not as a success notice.
    await page.getByRole("button", { name: "Check now" }).click();
    await page.getByRole("alert").filter({ hasText: /^Last ping .*: the job reported a failure/ }).waitFor();

    // Edit keeps to the heartbeat form.
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit Nightly backup" }).waitFor();
    expect(await page.getByLabel("Cron expression").inputValue()).toBe("0 3 * * *");
    await page.getByLabel("Time zone").fill("Mars/Base");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("must be an IANA time zone").waitFor();
  });

  it("shows a viewer the schedule and the last pings, and says who sees the ping URL instead of showing it", async () => {
    const orgId = (await user.call("POST", "/v1/orgs", { name: "Backups team" })).body.id as string;
    const viewer = await createUser(stack);
    const viewerId = (await viewer.call("GET", "/v1/me")).body.id as string;
    await MembershipEntity.put({ orgId, userId: viewerId, email: viewer.email, role: "viewer", joinedAt: Date.now() }).go();
    const m = (await inOrg(stack, user, orgId)("POST", "/v1/monitors", { type: "heartbeat", name: "Team backup", periodSec: 3600 })).body;
    expect((await fetch(m.heartbeat.pingUrl)).status).toBe(200);

    const seen = await loggedInPage(browser, stack.apiUrl, viewer.email, TEST_PASSWORD);
    await seen.evaluate((id) => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem("uptime.org", id), orgId);
    await seen.goto(`${stack.apiUrl}/monitors/${m.id}`);
    await seen.getByRole("heading", { name: "Heartbeat" }).waitFor();
    expect(await seen.locator("[data-schedule]").textContent()).toBe("every hour");
    await seen.locator("[data-no-ping-url]").waitFor();
    expect(await seen.getByLabel(/Ping URL/).count()).toBe(0);
    expect(await seen.getByText("Copy-paste snippets").count()).toBe(0);
    await seen.getByRole("cell", { name: /success · GET/ }).waitFor();
    await seen.context().close();
  });
});
