import { existsSync } from "node:fs";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { RenderCache } from "@uptime/core/status-pages/render-cache";
import { createUser, TEST_PASSWORD, type TestUser } from "../kit/test-users";
import { checkScreen as checkScreenOf, loggedInPage } from "../kit/browser-checks";

/*
 * The status-page management screens in headless Chromium against a real local stack: a page with
 * two groups and a monitor-linked component, an incident with updates that the public page shows,
 * maintenance started by hand, and what a viewer is (not) offered.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const DOCS_SCREENS = ["status-page-editor", "status-page-incident"];

it.runIf(!haveChromium && !!process.env.CI)("needs Chromium on CI", () => {
  expect(haveChromium, `${CHROMIUM} is missing (apt-get install -y chromium)`).toBe(true);
});

describe.runIf(haveChromium)("status-page management in a browser", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let user: TestUser;
  let monitorId = "";
  let pageId = "";
  const slug = `acme-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, pollers: false, log: () => {} }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    user = await createUser(stack);
    const monitor = await user.call("POST", "/v1/monitors", { name: "API health", url: "http://127.0.0.1:9/health" });
    monitorId = monitor.body.id;
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD, (p) =>
      p.on("console", (m) => m.type() === "error" && !m.text().includes("401") && !m.text().includes("400") && console.error("[browser]", m.text())),
    );
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  const checkScreen = (name: string) => checkScreenOf(page, name, { docs: DOCS_SCREENS.includes(name) });
  const region = (name: string) => page.getByRole("region", { name, exact: true });
  const choose = (select: Locator, label: string) => select.selectOption({ label });

  it("creates a page, with the API's validation message beside the slug", async () => {
    await page.getByRole("link", { name: "Status pages" }).click();
    await page.getByText("No status pages yet").waitFor();
    await page.getByRole("link", { name: "New status page" }).click();
    await page.getByLabel("Title").fill("Acme status");
    await page.getByLabel("Slug").fill("Not A Slug");
    await page.getByRole("button", { name: "Create status page" }).click();
    await page.locator("#f-slug-error").waitFor();
    expect(await page.getByLabel("Slug").getAttribute("aria-invalid")).toBe("true");
    await checkScreen("status-page-form");
    await page.getByLabel("Slug").fill(slug);
    // monitor incidents publish themselves unless the page says otherwise: the switch is in the form
    expect(await page.getByLabel("Monitor incidents").inputValue()).toBe("yes");
    await page.getByLabel("Monitor incidents").selectOption("no");
    await page.getByRole("button", { name: "Create status page" }).click();
    await page.getByRole("heading", { name: "Acme status", level: 1 }).waitFor();
    pageId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    expect(pageId).not.toBe("new");
    expect((await user.call("GET", `/v1/status-pages/${pageId}`)).body.autoPublishIncidents).toBe(false);
  });

  it("adds two groups, a monitor-linked and a static component, and reorders the groups", async () => {
    for (const name of ["Services", "Data"]) {
      await page.getByLabel("Group name").fill(name);
      await page.getByRole("button", { name: "Add group" }).click();
      await page.getByRole("heading", { name, level: 2 }).waitFor();
    }
    const add = region("Add a component");
    await add.getByLabel("Component name").fill("API");
    await choose(add.getByLabel("Group", { exact: true }), "Services");
    await add.getByLabel("A monitor").check();
    await choose(add.getByLabel("Monitor", { exact: true }), "API health");
    await add.getByLabel("Degraded above (ms)").fill("800");
    await add.getByRole("button", { name: "Add component" }).click();
    await region("Services").getByText("follows").waitFor();

    await add.getByLabel("Component name").fill("Database");
    await choose(add.getByLabel("Group", { exact: true }), "Data");
    await add.getByLabel("Set by hand").check();
    await choose(add.getByLabel("Status", { exact: true }), "Degraded performance");
    await add.getByRole("button", { name: "Add component" }).click();
    await region("Data").getByText("Degraded performance").waitFor();

    await page.getByRole("button", { name: "Move group Data up" }).click();
    await expect.poll(() => page.locator("section.group h2").first().textContent()).toContain("Data");
    const layout = (await user.call("GET", `/v1/status-pages/${pageId}/layout`)).body;
    expect(layout.groups.map((g: { name: string }) => g.name)).toEqual(["Data", "Services"]);
    expect(layout.groups[1].components[0]).toMatchObject({ name: "API", monitorId, degradedAboveMs: 800 });
    expect(layout.groups[0].components[0]).toMatchObject({ name: "Database", monitorId: null, manualStatus: "degraded_performance" });
    await page.getByText("0 subscribers").waitFor();
    await checkScreen("status-page-editor");
  });

  it("posts an incident, adds an update, edits an update's text, and the public page shows it", async () => {
    await page.getByRole("link", { name: "Incidents", exact: true }).last().click();
    await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
    const post = region("Post an incident");
    await post.getByLabel("Title").fill("Slow API");
    await choose(post.getByLabel("Impact"), "Major");
    await post.getByLabel("API", { exact: true }).check();
    await choose(post.getByLabel("Status of API"), "Partial outage");
    await post.getByLabel("First update").fill("We are looking into slow responses.");
    await post.getByRole("button", { name: "Post incident" }).click();
    await page.getByRole("heading", { name: "Slow API", level: 1 }).waitFor();

    const next = region("Post an update or resolve");
    await choose(next.getByLabel("Status", { exact: true }), "Identified");
    await next.getByLabel("Message").fill("Cause found: a slow query.");
    await next.getByRole("button", { name: "Post update" }).click();
    await page.locator(".timeline li").nth(1).waitFor();
    expect(await page.locator(".timeline li").first().textContent()).toContain("Cause found");

    await page.locator(".timeline li").last().getByRole("button", { name: "Edit text" }).click();
    await page.getByLabel("Update text").fill("We are investigating slow responses.");
    await page.getByRole("button", { name: "Save text" }).click();
    await page.getByText(/edited/).waitFor();
    await checkScreen("status-page-incident");

    const pub = await browser.newPage();
    try {
      await pub.goto(`${stack.apiUrl}/status/${slug}`);
      await pub.getByText("Slow API").first().waitFor();
      await pub.getByText("Cause found: a slow query.").first().waitFor();
      expect(await pub.getByText("We are investigating slow responses.").count()).toBeGreaterThan(0);
    } finally {
      await pub.close();
    }

    await page.getByRole("link", { name: "Incidents", exact: true }).last().click();
    await region("Unresolved").getByRole("link", { name: "Slow API" }).waitFor();
    await checkScreen("status-page-incidents");
  });

  it("resolves and deletes an incident after confirmation", async () => {
    await region("Unresolved").getByRole("link", { name: "Slow API" }).click();
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.locator(".title-row .tag", { hasText: "Resolved" }).waitFor();
    const incidents = (await user.call("GET", `/v1/status-pages/${pageId}/incidents`)).body.data;
    expect(incidents[0]).toMatchObject({ status: "resolved" });
    await page.getByRole("button", { name: "Delete incident" }).click();
    await page.getByRole("button", { name: "Yes, delete incident" }).click();
    await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
    await region("Resolved").getByText("None yet.").waitFor();
  });

  it("promotes an automatic monitor incident to a posted one", async () => {
    await user.call("PATCH", `/v1/monitors/${monitorId}`, { failureThreshold: 1 });
    expect((await user.call("POST", `/v1/monitors/${monitorId}/check`)).status).toBe(200);
    const open = (await user.call("GET", "/v1/incidents?status=open")).body.data;
    expect(open.map((i: { monitorId: string }) => i.monitorId)).toContain(monitorId);
    // This page publishes monitor incidents only once promoted (the form said so): none shows yet.
    await page.reload();
    const unresolved = region("Unresolved");
    await unresolved.getByText("None: the page shows no incident.").waitFor();
    // Published automatically, the public page shows it on its own: so does the list of what the page shows.
    expect((await user.call("PATCH", `/v1/status-pages/${pageId}`, { autoPublishIncidents: true })).status).toBe(200);
    await page.reload();
    const automatic = unresolved.locator(".automatic li", { hasText: "unavailable" });
    await automatic.waitFor();
    expect(await unresolved.getByText("None: the page shows no incident.").count()).toBe(0);
    RenderCache.clear();
    expect((await stack.api(`/status/${slug}`)).body).toContain(await automatic.locator("a").innerText());
    await checkScreen("status-page-incidents-automatic");
    const form = region("Promote a monitor incident");
    await form.getByLabel("Title").fill("API health is down");
    await form.getByRole("button", { name: "Promote" }).click();
    await page.getByRole("heading", { name: "API health is down", level: 1 }).waitFor();
    await page.getByText("promoted from a monitor incident").waitFor();
    await page.getByRole("link", { name: "Incidents", exact: true }).last().click();
    await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
    await region("Unresolved").getByRole("link", { name: "API health is down" }).waitFor();
    expect(await region("Unresolved").locator(".automatic").count()).toBe(0);
    await page.getByRole("link", { name: "API health is down" }).click();
    const posted = (await user.call("GET", `/v1/status-pages/${pageId}/incidents`)).body.data[0];
    const api = (await user.call("GET", `/v1/status-pages/${pageId}/layout`)).body.groups[1].components[0].id;
    expect(posted).toMatchObject({ title: "API health is down", sourceMonitorIncidentId: open[0].id, componentIds: [api] });
    await page.getByRole("button", { name: "Resolve" }).click();
    await page.locator(".title-row .tag", { hasText: "Resolved" }).waitFor();
  });

  it("schedules maintenance, starts it by hand and posts an update", async () => {
    await page.getByRole("link", { name: "Maintenance", exact: true }).click();
    const form = region("Schedule maintenance");
    await form.getByLabel("Title").fill("Database upgrade");
    await form.getByLabel("Message").fill("The database is read-only for up to an hour.");
    await form.getByLabel("Database").check();
    await form.getByRole("button", { name: "Schedule" }).click();
    await page.getByRole("heading", { name: "Database upgrade", level: 1 }).waitFor();
    await page.locator(".title-row .tag", { hasText: "Scheduled" }).waitFor();
    await page.getByRole("button", { name: "Start now" }).click();
    await page.locator(".title-row .tag", { hasText: "In progress" }).waitFor();
    // Started by hand before its planned start: from now, until the end still planned.
    await page.getByText(/ – .* \(planned end\)/).waitFor();
    await page.getByLabel("Post an update").fill("Half way there.");
    await page.getByRole("button", { name: "Post update" }).click();
    await page.locator(".timeline").getByText("Half way there.").waitFor();
    await checkScreen("status-page-maintenance");

    await page.getByRole("link", { name: "Maintenance", exact: true }).click();
    await region("In progress").getByRole("link", { name: "Database upgrade" }).waitFor();
    await checkScreen("status-page-maintenance-list");
    const layout = (await user.call("GET", `/v1/status-pages/${pageId}/layout`)).body;
    const db = layout.groups[0].components[0].id;
    const m = (await user.call("GET", `/v1/status-pages/${pageId}/maintenance`)).body.data[0];
    expect(m).toMatchObject({ title: "Database upgrade", status: "in_progress", componentIds: [db] });
  });

  it("lists the page and offers a viewer no edit controls", async () => {
    await page.getByRole("link", { name: "Status pages", exact: true }).first().click();
    await page.locator(`tr[data-page="${slug}"]`).waitFor();
    await checkScreen("status-pages");

    const me = (await user.call("GET", "/v1/me")).body.id as string;
    const viewer = { orgId: me, name: "Acme", role: "viewer", permissions: ["org.read", "members.read", "monitors.read", "statusPages.read"] };
    await page.route("**/v1/org", (route) => route.fulfill({ json: viewer }));
    try {
      await page.goto(`${stack.apiUrl}/status-pages/${encodeURIComponent(pageId)}`);
      await page.getByRole("heading", { name: "Services", level: 2 }).waitFor();
      expect(await page.getByRole("heading", { name: "Add a component" }).count()).toBe(0);
      expect(await page.getByRole("button", { name: /Edit|Delete|Rename|Move/ }).count()).toBe(0);
      await page.getByRole("link", { name: "Incidents", exact: true }).last().click();
      await page.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
      expect(await page.getByRole("heading", { name: "Post an incident" }).count()).toBe(0);
      await page.getByRole("link", { name: "Maintenance", exact: true }).click();
      await region("In progress").getByRole("link", { name: "Database upgrade" }).click();
      await page.getByRole("heading", { name: "Database upgrade", level: 1 }).waitFor();
      for (const name of ["Complete now", "Change", "Cancel maintenance", "Post update"]) expect(await page.getByRole("button", { name }).count(), name).toBe(0);
      await page.goto(`${stack.apiUrl}/status-pages/new`);
      await page.getByText("may not create status pages").waitFor();
    } finally {
      await page.unroute("**/v1/org");
    }
  });
});
