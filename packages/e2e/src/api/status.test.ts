import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import type { Result } from "@uptime/core/check/result";
import { Monitor, MonitorEntity } from "@uptime/core/monitors/monitor";
import { DAY, HOUR, floorTo } from "@uptime/core/platform/time";
import { Stats } from "@uptime/core/history/stats";
import { BARS_SCRIPT } from "@uptime/core/status-pages/render-shell";
import { createUser, type TestUser } from "../kit/test-users";
import { rollUpSince, writeIncident, writeResults } from "../kit/test-history";


let stack: TestStack;
let ada: TestUser;
let up: Target;
let failing: Target;
let hanging: Target;
let shop: Monitor.MonitorItem;
let history: Result[] = [];

const NAME = `Shop <b>"&'</b>`;
const SECRETS = ["127.0.0.1", "s3cr3t-token", "hunter2-secret", "secret-body-123", "oncall-secret@example.com", "secret-host.internal"];

beforeAll(async () => {
  up = await startTarget({ status: 200 });
  failing = await startTarget({ status: 503 });
  hanging = await startTarget({ hang: true });
  stack = await startTestStack({
    pollers: false,
    env: { DEMO_SITES: `${up.url}/a, ${failing.url}/b,${hanging.url}/c`, DEMO_TIMEOUT_MS: "300" },
  });
  ada = await createUser(stack);

  const created = await ada.call("POST", "/v1/monitors", {
    name: NAME,
    url: "http://127.0.0.1:9/health?token=s3cr3t-token",
    method: "POST",
    headers: { authorization: "Bearer hunter2-secret" },
    body: "secret-body-123",
    alertEmails: ["oncall-secret@example.com"],
    slug: "acme-shop",
  });
  expect(created.status).toBe(201);
  await MonitorEntity.patch({ monitorId: created.body.id }).set({ state: "up" }).go();
  shop = (await Monitor.get(created.body.id))!;

  const now = Date.now();
  const today = floorTo(now, DAY);
  const day = async (start: number, ok: (i: number) => boolean) =>
    history.push(...(await writeResults(shop.monitorId, { from: start, to: start + DAY, everySec: 3600, ok, latencyMs: (i) => 100 + i })));
  await day(today - 40 * DAY, (i) => i % 2 === 0); // 50%, only in the 90-day figure
  await day(today - 10 * DAY, () => true);
  await day(today - 3 * DAY, (i) => i % 4 !== 0); // 75%
  history.push(...(await writeResults(shop.monitorId, { from: now - 3 * HOUR, to: now, everySec: 600 })));
  history.sort((a, b) => a.at - b.at);
  await writeIncident(shop, { startedAt: today - 3 * DAY + HOUR, resolvedAt: today - 3 * DAY + 2 * HOUR, reason: "dns", message: "could not resolve secret-host.internal" });
  await writeIncident(shop, { startedAt: today - 100 * DAY, resolvedAt: today - 100 * DAY + HOUR }); // too old to list
  await rollUpSince(today - 41 * DAY);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([up, failing, hanging].map((t) => t?.stop()));
});

const uptimeOf = (results: Result[]) => Stats.uptimePercent(results.length, results.filter((r) => !r.ok).length);
const dateOf = (t: number) => new Date(t).toISOString().slice(0, 10);
const dayLabel = (t: number) => new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", dateStyle: "medium" }).format(t);

function leaksNothing(text: string) {
  for (const secret of [...SECRETS, ada.email, shop.ownerId, shop.monitorId]) expect(text, secret).not.toContain(secret);
  for (const field of ['"url"', '"headers"', '"body"', '"alertEmails"', '"ownerId"', '"monitorId"', '"id"', '"message"']) {
    expect(text, field).not.toContain(field);
  }
}

describe("public status JSON", () => {
  it("shows name, status, uptime windows, 90 daily bars and recent incidents", async () => {
    const before = Date.now();
    const res = await stack.api("/v1/status/acme-shop");
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(res.headers.get("vary")).toMatch(/accept/i);
    const v = res.body;
    expect(v).toMatchObject({ name: NAME, status: "up", lastCheckedAt: new Date(history[history.length - 1]!.at).toISOString() });

    const today = floorTo(Date.parse(v.generatedAt), DAY);
    expect(v.days).toHaveLength(90);
    expect(v.days[89].date).toBe(dateOf(today));
    expect(v.days[0].date).toBe(dateOf(today - 89 * DAY));
    for (const d of v.days) {
      const own = history.filter((r) => dateOf(r.at) === d.date);
      expect(d, d.date).toEqual({ date: d.date, uptimePercent: uptimeOf(own), checks: own.length, failed: own.filter((r) => !r.ok).length });
    }
    expect(v.days.find((d: any) => d.date === dateOf(today - 3 * DAY)).uptimePercent).toBe(75);

    const sinceDays = (n: number) => uptimeOf(history.filter((r) => r.at >= today - (n - 1) * DAY));
    expect(v.uptime["7d"]).toBe(sinceDays(7));
    expect(v.uptime["30d"]).toBe(sinceDays(30));
    expect(v.uptime["90d"]).toBe(sinceDays(90));
    expect(v.uptime["90d"]).toBeLessThan(v.uptime["30d"]); // the 50% day counts only here
    expect([before, after].map((now) => uptimeOf(history.filter((r) => r.at >= now - DAY)))).toContain(v.uptime["24h"]);

    expect(v.incidents).toEqual([
      {
        status: "resolved",
        startedAt: new Date(today - 3 * DAY + HOUR).toISOString(),
        resolvedAt: new Date(today - 3 * DAY + 2 * HOUR).toISOString(),
        durationMs: HOUR,
        reason: "dns",
      },
    ]);
  });

  it("leaks nothing private: no URL, headers, body, emails, owner or ids", async () => {
    const res = await stack.api("/v1/status/acme-shop");
    leaksNothing(JSON.stringify(res.body));
    expect(Object.keys(res.body).sort()).toEqual(["days", "generatedAt", "incidents", "lastCheckedAt", "name", "status", "uptime"]);
  });

  it("answers 404 JSON for an unknown slug", async () => {
    const res = await stack.api("/v1/status/no-such-page");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("public status page (HTML)", () => {
  it("renders the page for browsers, escaped and with no script but the bars' tooltip", async () => {
    const browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    const res = await stack.api("/v1/status/acme-shop", { headers: { accept: browser } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    // the bars' tooltip script, and nothing else, may run
    expect(res.headers.get("content-security-policy")).toContain(`'sha256-${createHash("sha256").update(BARS_SCRIPT).digest("base64")}'`);
    const html: string = res.body;
    expect(html).toContain('<html lang="en" data-theme="auto">'); // the status pages' template, dark mode included
    expect(html).toContain("Shop &lt;b&gt;&quot;&amp;&#39;&lt;/b&gt;");
    expect(html).not.toContain("<b>");
    expect(html.replace(`<script>${BARS_SCRIPT}</script>`, "")).not.toMatch(/<script/i);
    expect(html).toContain('role="status"');
    expect(html).toContain("Operational");
    expect(html.match(/<i class="(up|maint|minor|major|down|)" title=/g)).toHaveLength(90);
    expect(html).toContain(`${dayLabel(Date.now() - 3 * DAY)}: 75% uptime`);
    expect(html).toContain("Available again after 1 h.");
    expect(html).toContain("its name did not resolve"); // the dns reason, in words
    expect(html).toMatch(/Last checked <time datetime="[^"]+">/);
    leaksNothing(html);
  });

  it("is also served at /status/{slug}", async () => {
    const res = await stack.api("/status/acme-shop");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.body).toContain("Shop &lt;b&gt;");
  });

  it("answers 404 HTML for an unknown slug", async () => {
    for (const res of [await stack.api("/status/nope-nope"), await stack.api("/v1/status/nope-nope", { headers: { accept: "text/html" } })]) {
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(res.body).toContain("Status page not found");
    }
  });
});

describe("badge", () => {
  it("shows the status, or the uptime over a range, as a cacheable SVG", async () => {
    const res = await stack.api("/v1/status/acme-shop/badge.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    expect(res.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(res.body).toContain('aria-label="status: up"');
    leaksNothing(res.body);

    const json = (await stack.api("/v1/status/acme-shop")).body;
    const uptime = await stack.api("/v1/status/acme-shop/badge.svg?type=uptime&range=7d");
    expect(uptime.body).toContain(`aria-label="uptime 7d: ${json.uptime["7d"].toFixed(2)}%"`);
    expect((await stack.api("/v1/status/acme-shop/badge.svg?type=colour")).status).toBe(400);
    expect((await stack.api("/v1/status/nope-nope/badge.svg")).status).toBe(404);
  });
});

describe("paused monitors", () => {
  it("show as paused", async () => {
    const paused = await ada.call("POST", "/v1/monitors", { name: "Resting", url: "http://127.0.0.1:9/", slug: "resting-api", paused: true });
    expect(paused.status).toBe(201);
    expect((await stack.api("/v1/status/resting-api")).body).toMatchObject({ status: "paused", lastCheckedAt: null, uptime: { "24h": null } });
    expect((await stack.api("/status/resting-api")).body).toContain("Paused");
    expect((await stack.api("/v1/status/resting-api/badge.svg")).body).toContain('aria-label="status: paused"');
  });
});

describe("demo snapshot", () => {
  it("checks the configured sites concurrently with a short timeout, and caches the answer", async () => {
    const res = await stack.api("/v1/demo/snapshot");
    expect(res.status).toBe(200);
    expect(res.body.timeoutMs).toBe(300);
    expect(res.body.sites).toEqual([
      { url: `${up.url}/a`, host: new URL(up.url).host, status: "up", httpStatus: 200, latencyMs: expect.any(Number), reason: null },
      { url: `${failing.url}/b`, host: new URL(failing.url).host, status: "down", httpStatus: 503, latencyMs: expect.any(Number), reason: "status_mismatch" },
      { url: `${hanging.url}/c`, host: new URL(hanging.url).host, status: "down", httpStatus: null, latencyMs: expect.any(Number), reason: "timeout" },
    ]);
    expect(res.headers.get("cache-control")).toMatch(/^public, max-age=([1-9]|[1-5]\d|60)$/);

    const hits = up.hits.length;
    const again = await stack.api("/v1/demo/snapshot");
    expect(again.body).toEqual(res.body);
    expect(up.hits.length).toBe(hits);
  });
});
