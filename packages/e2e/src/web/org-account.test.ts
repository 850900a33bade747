import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiKeyEntity } from "@uptime/core/orgs/api-key";
import { InvitationEntity } from "@uptime/core/orgs/invitation";
import { MembershipEntity } from "@uptime/core/orgs/entity";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { CHROMIUM, checkScreen, loggedInPage, tabTo, typeInto } from "../kit/browser-checks";
import { createUser, type TestUser } from "../kit/test-users";

/*
 * Organisations and account screens in headless Chromium against a real local stack: a real
 * viewer (invited by mail, accepted through the link) sees no edit buttons, and the API refuses
 * what those buttons would do. Without Chromium, app.test.ts says so loudly (and fails on CI).
 */

const password = "correct horse battery";
const viewerEmail = `viewer-${Date.now()}@example.com`;
const ORG = "Acme Web";

describe.runIf(existsSync(CHROMIUM))("organisation and account screens", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let target: Target;
  let browser: Browser;
  let owner: TestUser;
  let ownerPage: Page;
  let viewerPage: Page;
  let orgId = "";

  const open = async (page: Page, path: string) => page.goto(`${stack.apiUrl}${path}`);
  /** The newest link of a kind mailed to an address (mails go out through the alerts queue). */
  async function mailedLink(to: string, path: string) {
    await stack.drainQueues();
    const mails = (await stack.emails()).filter((e) => e.destination.to.includes(to) && e.body.text?.includes(path));
    const link = new RegExp(`https?://\\S+${path.replace("?", "\\?")}\\S+`).exec(mails.at(-1)?.body.text ?? "")?.[0];
    expect(link, `a ${path} link mailed to ${to}`).toBeTruthy();
    return link!;
  }
  async function logIn(page: Page, email: string, pw = password) {
    await open(page, "/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(pw);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Monitors" }).waitFor();
  }

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, target, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startTarget({ status: 200, body: "ok" }),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    owner = await createUser(stack);
    const contexts = await Promise.all([0, 1].map(() => browser.newContext({ viewport: { width: 1280, height: 900 } })));
    for (const c of contexts) c.setDefaultTimeout(10_000);
    [ownerPage, viewerPage] = await Promise.all(contexts.map((c) => c.newPage()));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await target?.stop();
    await stack?.stop();
  });

  it("creates an organisation, switches to it and shows it with its members", async () => {
    await logIn(ownerPage, owner.email);
    await ownerPage.getByRole("link", { name: "Organisation" }).click();
    await ownerPage.getByRole("link", { name: "New organisation" }).click();
    await ownerPage.getByRole("heading", { name: "New organisation" }).waitFor();
    await checkScreen(ownerPage, "org-new", { docs: true });
    await ownerPage.getByLabel("Organisation name").fill(ORG);
    await ownerPage.getByRole("button", { name: "Create organisation" }).click();
    await ownerPage.getByRole("heading", { name: ORG }).waitFor();
    const orgs = (await owner.call("GET", "/v1/orgs")).body.data as Array<{ id: string; name: string }>;
    orgId = orgs.find((o) => o.name === ORG)!.id;
    expect(await ownerPage.getByLabel("Organisation", { exact: true }).inputValue()).toBe(orgId);
    const created = await stack.api("/v1/monitors", { method: "POST", token: owner.token, headers: { "x-org-id": orgId }, json: { name: "Acme shop", url: target.url } });
    expect(created.status).toBe(201);
  });

  it("invites a viewer by email with the keyboard alone", async () => {
    await typeInto(ownerPage, ownerPage.getByLabel("Email to invite"), viewerEmail);
    await tabTo(ownerPage, ownerPage.getByLabel("Role", { exact: true }));
    await ownerPage.keyboard.press("ArrowDown");
    expect(await ownerPage.getByLabel("Role", { exact: true }).inputValue()).toBe("viewer");
    await tabTo(ownerPage, ownerPage.getByRole("button", { name: "Send invitation" }));
    await ownerPage.keyboard.press("Enter");
    await ownerPage.locator(`[data-invitation="${viewerEmail}"]`).waitFor();
    await checkScreen(ownerPage, "org", { docs: true });
  });

  it("lets the invited person register from the mailed link and accept, keyboard only", async () => {
    const link = await mailedLink(viewerEmail, "/invitations/accept?token=");
    expect(link.startsWith(`${stack.apiUrl}/invitations/accept?token=`)).toBe(true);
    await viewerPage.goto(link);
    await viewerPage.getByRole("heading", { name: "Create an account" }).waitFor();
    await viewerPage.getByText("with the invited email address").waitFor();
    await typeInto(viewerPage, viewerPage.getByLabel("Email"), viewerEmail);
    await typeInto(viewerPage, viewerPage.getByLabel("Password"), password);
    await viewerPage.keyboard.press("Enter");
    await viewerPage.getByRole("heading", { name: "Accept the invitation" }).waitFor();
    // what accepting does is said before the click: which organisation, which role
    await viewerPage.locator("[data-invitation-preview]", { hasText: `invited you to join ${ORG} as viewer` }).waitFor();
    await checkScreen(viewerPage, "org-accept", { docs: true });
    await tabTo(viewerPage, viewerPage.getByRole("button", { name: "Accept invitation" }));
    await viewerPage.keyboard.press("Enter");
    await viewerPage.getByRole("heading", { name: `You joined ${ORG}` }).waitFor();
    // The same link again: the API's clear error, shown as it is (before any click).
    await viewerPage.goto(link);
    await viewerPage.getByRole("alert").waitFor();
    expect(await viewerPage.getByRole("button", { name: "Accept invitation" }).count()).toBe(0);
    expect(await viewerPage.getByRole("alert").textContent()).toMatch(/\w/);
  });

  it("opens the organisation the viewer joined last on a new device, not the empty personal one", async () => {
    const elsewhere = await loggedInPage(browser, stack.apiUrl, viewerEmail, password);
    try {
      await elsewhere.locator("tr", { has: elsewhere.getByRole("link", { name: "Acme shop" }) }).waitFor();
      expect(await elsewhere.getByLabel("Organisation", { exact: true }).inputValue()).toBe(orgId);
    } finally {
      await elsewhere.context().close();
    }
  });

  it("switches the viewer between organisations, where no edit button shows and the API refuses writes", async () => {
    await open(viewerPage, "/");
    const row = viewerPage.locator("tr", { has: viewerPage.getByRole("link", { name: "Acme shop" }) });
    // joined after this browser last acted in an organisation: it opens
    await row.waitFor();
    const personal = await viewerPage.getByLabel("Organisation", { exact: true }).locator("option", { hasText: "(personal)" }).getAttribute("value");
    await viewerPage.getByLabel("Organisation", { exact: true }).selectOption(personal!);
    await viewerPage.getByText("No monitors yet").waitFor();
    await viewerPage.getByLabel("Organisation", { exact: true }).selectOption(orgId);
    await row.waitFor();
    expect(await viewerPage.getByRole("link", { name: "New monitor" }).count()).toBe(0);
    // Remembered across a reload.
    await viewerPage.reload();
    await row.getByRole("link", { name: "Acme shop" }).click();
    await viewerPage.getByRole("heading", { name: "Recent checks" }).waitFor();
    for (const name of ["Check now", "Pause", "Delete"]) expect(await viewerPage.getByRole("button", { name }).count(), name).toBe(0);
    expect(await viewerPage.getByRole("link", { name: "Edit" }).count()).toBe(0);
    await viewerPage.getByRole("link", { name: "Organisation" }).click();
    await viewerPage.getByRole("heading", { name: ORG }).waitFor();
    await viewerPage.getByText("Your role: viewer").waitFor();
    await viewerPage.locator(`[data-member="${viewerEmail}"]`).waitFor();
    expect(await viewerPage.getByRole("button", { name: /Rename|Send invitation|Remove|Make owner|Delete organisation/ }).count()).toBe(0);
    expect(await viewerPage.getByRole("combobox", { name: /Role of/ }).count()).toBe(0);
    expect(await viewerPage.getByRole("link", { name: /API keys|Audit log/ }).count()).toBe(0);
    await viewerPage.getByRole("button", { name: "Leave organisation" }).waitFor();

    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email: viewerEmail, password } });
    const write = await stack.api("/v1/monitors", { method: "POST", token: login.body.accessToken, headers: { "x-org-id": orgId }, json: { name: "Nope", url: target.url } });
    expect(write.status).toBe(403);
  });

  it("creates an API key shown once, which works, and revokes it after confirmation", async () => {
    await ownerPage.getByRole("link", { name: "API keys" }).click();
    await ownerPage.getByRole("heading", { name: "API keys" }).waitFor();
    await ownerPage.getByLabel("Key name").fill("Deploy bot");
    await ownerPage.getByLabel("Scope").selectOption("write");
    await ownerPage.getByRole("button", { name: "Create key" }).click();
    const token = (await ownerPage.locator("[data-token]").textContent())!;
    expect(token).toMatch(/^upk_/);
    await ownerPage.locator('[data-key="Deploy bot"]').waitFor();
    await checkScreen(ownerPage, "org-api-keys", { docs: true });
    const listed = await stack.api("/v1/monitors", { token });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((m: { name: string }) => m.name)).toEqual(["Acme shop"]);
    await ownerPage.reload();
    await ownerPage.locator('[data-key="Deploy bot"]').waitFor();
    expect(await ownerPage.locator("[data-token]").count()).toBe(0);
    expect(await ownerPage.content()).not.toContain(token);
    const row = ownerPage.locator('[data-key="Deploy bot"]');
    await row.getByRole("button", { name: "Revoke" }).click();
    await row.getByRole("button", { name: "Yes, revoke" }).click();
    await row.getByText(/^revoked/).waitFor();
    expect((await stack.api("/v1/monitors", { token })).status).toBe(401);
  });

  it("shows the audit log, newest first", async () => {
    await open(ownerPage, "/org/audit");
    await ownerPage.getByRole("heading", { name: "Audit log" }).waitFor();
    const actions = await ownerPage.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(actions[0]).toMatch(/apiKey|api_key|key/i);
    expect(actions.some((a) => /invitation/i.test(a))).toBe(true);
    const actors = await ownerPage.locator("tbody tr td:nth-child(4)").allTextContents();
    expect(actors).toEqual(expect.arrayContaining([owner.email, viewerEmail]));
    await checkScreen(ownerPage, "org-audit", { docs: true });
  });

  it("offers no Remove or role change on your own row, and pages members, invitations and keys beyond the first 100", async () => {
    const now = Date.now();
    const n = (i: number) => String(i).padStart(3, "0");
    // Ids that sort after the real (UUID) members, so the real ones are on the first page.
    await MembershipEntity.put(Array.from({ length: 100 }, (_, i) => ({ orgId, userId: `zz-${n(i)}`, email: `m${n(i)}@example.com`, role: "member" as const, joinedAt: now }))).go();
    await InvitationEntity.put(
      Array.from({ length: 101 }, (_, i) => ({ orgId, invitationId: `inv-${n(i)}`, email: `i${n(i)}@example.com`, role: "member" as const, invitedBy: orgId, createdAt: now, validUntil: now + 86_400_000, expiresAt: Math.ceil(now / 1000) + 86_400 })),
    ).go();
    await ApiKeyEntity.put(Array.from({ length: 100 }, (_, i) => ({ keyId: `k${n(i)}`, orgId, name: `Key ${n(i)}`, scope: "read" as const, secretHash: "x", createdBy: orgId, createdAt: now - i }))).go();

    await open(ownerPage, "/org");
    const mine = ownerPage.locator(`[data-member="${owner.email}"]`);
    await mine.waitFor();
    expect(await mine.getByRole("combobox").count()).toBe(0);
    expect(await mine.getByRole("button", { name: "Remove" }).count()).toBe(0);
    await ownerPage.locator(`[data-member="${viewerEmail}"]`).getByRole("button", { name: "Remove" }).waitFor();
    expect(await ownerPage.locator("[data-member]").count()).toBe(100);
    await ownerPage.getByRole("button", { name: "Show more members" }).click();
    await ownerPage.locator('[data-member="m099@example.com"]').waitFor();
    expect(await ownerPage.locator("[data-member]").count()).toBe(102);
    expect(await ownerPage.locator("[data-invitation]").count()).toBe(100);
    await ownerPage.getByRole("button", { name: "Show more invitations" }).click();
    await ownerPage.locator('[data-invitation="i100@example.com"]').waitFor();

    await open(ownerPage, "/org/api-keys");
    await ownerPage.locator('[data-key="Key 000"]').waitFor();
    expect(await ownerPage.locator("[data-key]").count()).toBe(100);
    await ownerPage.getByRole("button", { name: "Show more keys" }).click();
    await ownerPage.locator('[data-key="Deploy bot"]').waitFor();
    expect(await ownerPage.locator("[data-key]").count()).toBe(101);
  });

  it("changes the password, and refuses to delete the sole owner's account with a clear message", async () => {
    await ownerPage.getByRole("link", { name: "Account" }).click();
    await ownerPage.getByRole("heading", { name: "Change password" }).waitFor();
    await ownerPage.getByLabel("Current password").fill("not my password");
    await ownerPage.getByLabel("New password").fill("a brand new passphrase");
    await ownerPage.getByRole("button", { name: "Change password" }).click();
    await ownerPage.locator("#f-currentPassword-error").waitFor();
    await ownerPage.getByLabel("Current password").fill(password);
    await ownerPage.getByRole("button", { name: "Change password" }).click();
    await ownerPage.getByText("Password changed.").waitFor();
    expect((await stack.api("/v1/auth/login", { method: "POST", json: { email: owner.email, password: "a brand new passphrase" } })).status).toBe(200);

    await ownerPage.getByLabel("Password", { exact: true }).fill("a brand new passphrase");
    await ownerPage.getByLabel("Type DELETE to confirm").fill("DELETE");
    await ownerPage.getByRole("button", { name: "Delete my account" }).click();
    await ownerPage.getByText("only owner of an organisation").waitFor();
    await checkScreen(ownerPage, "account", { docs: true });
  });

  it("resets a forgotten password through the mailed link", async () => {
    await viewerPage.getByRole("button", { name: "Log out" }).click();
    await viewerPage.getByRole("link", { name: "Forgot your password?" }).click();
    await viewerPage.getByRole("heading", { name: "Forgot your password?" }).waitFor();
    await viewerPage.getByLabel("Email").fill(viewerEmail);
    await viewerPage.getByRole("button", { name: "Send reset link" }).click();
    await viewerPage.getByRole("status").waitFor();
    await checkScreen(viewerPage, "forgot-password", { docs: true });

    const link = await mailedLink(viewerEmail, "/reset-password?token=");
    expect(link.startsWith(`${stack.apiUrl}/reset-password?token=`)).toBe(true);
    await viewerPage.goto(link);
    await viewerPage.getByRole("heading", { name: "Set a new password" }).waitFor();
    await checkScreen(viewerPage, "reset-password", { docs: true });
    await viewerPage.getByLabel("New password").fill("reset and remembered");
    await viewerPage.getByRole("button", { name: "Set password" }).click();
    await viewerPage.getByRole("heading", { name: "Password set" }).waitFor();
    await viewerPage.getByRole("link", { name: "Log in" }).click();
    await viewerPage.getByLabel("Email").fill(viewerEmail);
    await viewerPage.getByLabel("Password").fill("reset and remembered");
    await viewerPage.getByRole("button", { name: "Log in" }).click();
    await viewerPage.getByRole("heading", { name: "Monitors" }).waitFor();
  });
});
