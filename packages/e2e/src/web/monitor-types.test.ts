import { existsSync } from "node:fs";
import net from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { ensureWebBuild } from "@uptime/local/web";
import { startDnsServer, type TestDnsServer } from "@uptime/core/check/dns-test-server";
import { CHROMIUM, checkScreen, loggedInPage } from "../kit/browser-checks";
import { createUser, TEST_PASSWORD, type TestUser } from "../kit/test-users";

/* Creating, showing and editing TCP and DNS monitors in the web app, as a user clicks it. */

describe.runIf(existsSync(CHROMIUM))("TCP and DNS monitors in the web app", { timeout: 60_000 }, () => {
  let stack: TestStack;
  let dns: TestDnsServer;
  let port: net.Server;
  let portNumber = 0;
  let browser: Browser;
  let user: TestUser;
  let page: Page;

  beforeAll(async () => {
    const web = await ensureWebBuild();
    [stack, dns, browser] = await Promise.all([
      startTestStack({ webDir: web.dir, log: () => {} }),
      startDnsServer(),
      chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] }),
    ]);
    port = net.createServer((s) => s.on("data", () => s.end("+PONG\r\n")));
    await new Promise<void>((resolve) => port.listen(0, "127.0.0.1", resolve));
    portNumber = (port.address() as net.AddressInfo).port;
    dns.set("shop.example.test", "A", [{ address: "192.0.2.10" }]);
    user = await createUser(stack);
    page = await loggedInPage(browser, stack.apiUrl, user.email, TEST_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => port?.close(resolve));
    await dns?.close();
    await stack?.stop();
  });

  async function newMonitor(type: string, name: string) {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole("link", { name: "New monitor" }).click();
    await page.getByRole("heading", { name: "New monitor" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Type", { exact: true }).selectOption(type);
    // the HTTP fields give way to the type's own
    expect(await page.getByLabel("URL").isVisible()).toBe(false);
  }

  it("creates a TCP monitor: the type's fields, then its screen names host:port and shows it up", async () => {
    await newMonitor("tcp", "Cache");
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill(String(portNumber));
    await page.getByLabel("Send").fill("PING");
    await page.getByLabel("Expect in reply").fill("PONG");
    await checkScreen(page, "monitor-form-tcp");
    await page.getByRole("button", { name: "Create monitor" }).click();
    await page.getByRole("heading", { name: "Cache" }).waitFor();
    await page.getByText(`TCP 127.0.0.1:${portNumber} · every 1 minute`).waitFor();
    await page.getByRole("button", { name: "Check now" }).click();
    await page.locator(".title-row .badge.up").waitFor();
    await checkScreen(page, "monitor-details-tcp", { docs: true });
  });

  it("shows a refused TCP field beside it", async () => {
    await newMonitor("tcp", "Bad port");
    await page.getByLabel("Host").fill("127.0.0.1");
    await page.getByLabel("Port").fill("70000");
    await page.getByRole("button", { name: "Create monitor" }).click();
    await page.locator("#f-port-error").waitFor();
    expect(await page.getByLabel("Port").getAttribute("aria-invalid")).toBe("true");
  });

  it("creates a DNS monitor against a resolver, then edits it with the type fixed", async () => {
    await newMonitor("dns", "Shop DNS");
    await page.getByLabel("Record name").fill("shop.example.test");
    await page.getByLabel("Resolver").fill(dns.address);
    await page.getByLabel("Expected values").fill("192.0.2.10");
    await checkScreen(page, "monitor-form-dns", { docs: true });
    await page.getByRole("button", { name: "Create monitor" }).click();
    await page.getByRole("heading", { name: "Shop DNS" }).waitFor();
    await page.getByText(`DNS shop.example.test A via ${dns.address} · every 1 minute`).waitFor();
    await page.getByRole("button", { name: "Check now" }).click();
    await page.locator(".title-row .badge.up").waitFor();
    await checkScreen(page, "monitor-details-dns");

    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByRole("heading", { name: "Edit Shop DNS" }).waitFor();
    expect(await page.getByLabel("Type", { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByLabel("Record name").inputValue()).toBe("shop.example.test");
    await page.getByLabel("Record type").selectOption("TXT");
    await page.getByLabel("Expected values").fill("v=spf1 -all");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText(`DNS shop.example.test TXT via ${dns.address}`).waitFor();
  });

  it("lists every type on the dashboard with what it checks", async () => {
    await page.goto(`${stack.apiUrl}/`);
    await page.getByRole("heading", { name: "Monitors" }).waitFor();
    await page.getByText(`127.0.0.1:${portNumber}`).first().waitFor();
    await page.getByText(`shop.example.test TXT via ${dns.address}`).waitFor();
  });
});
