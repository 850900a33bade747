import { existsSync, readFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { StatuspageJson } from "@uptime/core/status-pages/statuspage-json";
import { createUser, type TestUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";

/**
 * A status page on its own host: it claims a hostname, and the public routes answer at that
 * host's root (locally the Host header stands in for DNS), so tools that only know a host, like
 * Atlassian's <statuspage-widget>, read it.
 */

let stack: TestStack;
let ada: TestUser;
let f: StatusPageFixture;
let claimed: Awaited<ReturnType<TestUser["call"]>>;
const host = `status-${Date.now().toString(36)}.acme.test`;

/** A request to the local stack as if `hostname` resolved to it. */
function viaHost(hostname: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const { port } = new URL(stack.apiUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host: `${hostname}:${port}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d) => (body += d)).on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject).end();
  });
}

beforeAll(async () => {
  stack = await startTestStack({ pollers: false, log: () => {} });
  ada = await createUser(stack);
  f = await createStatusPageFixture(stack, ada);
  claimed = await ada.call("PATCH", `/v1/status-pages/${f.page.pageId}`, { customDomain: host.toUpperCase() });
}, 60_000);
afterAll(() => stack?.stop());

describe("custom domains", () => {
  it("a page claims a hostname once; another page is told it is taken", async () => {
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(claimed.body.customDomain).toBe(host);
    const other = await ada.call("POST", "/v1/status-pages", { slug: `other-${Date.now().toString(36)}`, title: "Other", customDomain: host });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({ code: "domain_taken", message: `${host} is already the custom domain of another status page` });
    const bad = await ada.call("PATCH", `/v1/status-pages/${f.page.pageId}`, { customDomain: "not a host" });
    expect(bad.status).toBe(400);
  });

  it("serves the page, its v2 JSON, feeds and badges at the host's root", async () => {
    const html = await viaHost(host, "/");
    expect(html.status).toBe(200);
    expect(html.body).toContain("Partial System Outage");
    expect(html.body).toContain('data-summary="/api/v2/summary.json"');
    expect(html.body).toContain('href="/feed.atom"');
    expect(html.body).toContain('action="/subscribe"');
    const summary = await viaHost(host, "/api/v2/summary.json");
    expect(summary.status).toBe(200);
    expect(summary.headers["access-control-allow-origin"]).toBe("*");
    const doc = JSON.parse(summary.body);
    expect(StatuspageJson.DOCUMENT_SCHEMAS.summary.safeParse(doc).success).toBe(true);
    expect(doc.page).toMatchObject({ id: f.page.pageId, url: `https://${host}` });
    expect((await viaHost(host, "/feed.atom")).status).toBe(200);
    expect((await viaHost(host, "/badge.svg")).status).toBe(200);
    expect((await viaHost("nobody.acme.test", "/api/v2/summary.json")).status).toBe(404);
    // the deployment's own host still serves the web app and API as before
    expect((await stack.api(`/status/${f.page.slug}/api/v2/status.json`)).status).toBe(200);
  });

  const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  it.runIf(existsSync(CHROMIUM))("Atlassian's <statuspage-widget> shows the page's status from its host", { timeout: 60_000 }, async () => {
    const { port } = new URL(stack.apiUrl);
    const widget = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve("@statuspage/status-widget/package.json")), "dist/index.js"), "utf8");
    // a site embedding the widget, served from loopback like the stack (so no private-network rule intervenes)
    const embedder = createServer((req, res) =>
      req.url === "/widget.js"
        ? res.setHeader("content-type", "text/javascript").end(widget)
        : res.setHeader("content-type", "text/html").end(`<!doctype html><title>Embedder</title><statuspage-widget src="http://${host}:${port}"></statuspage-widget><script src="/widget.js"></script>`),
    );
    await new Promise<void>((resolve) => embedder.listen(0, "127.0.0.1", resolve));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", `--host-resolver-rules=MAP ${host} 127.0.0.1`] });
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${(embedder.address() as AddressInfo).port}/`);
      const shown = () => page.locator("statuspage-widget").evaluate((el) => (el as unknown as { shadowRoot?: { textContent: string } }).shadowRoot?.textContent ?? "");
      await expect.poll(shown, { timeout: 15_000 }).toContain("Partial System Outage");
    } finally {
      await browser.close();
      embedder.close();
    }
  });
});
