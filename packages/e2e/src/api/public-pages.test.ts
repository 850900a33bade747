import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { RenderCache } from "@uptime/core/status-pages/render-cache";
import { StatusPage } from "@uptime/core/status-pages/page";
import { createUser, type TestUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";

let stack: TestStack;
let ada: TestUser;
let f: StatusPageFixture;
let base: string;

beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
  f = await createStatusPageFixture(stack, ada);
  base = `/status/${f.page.slug}`;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

// Field lists from Statuspage's public API documentation (https://metastatuspage.com/api/v2).
const PAGE_FIELDS = ["id", "name", "url", "time_zone", "updated_at"];
const COMPONENT_FIELDS = ["id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "group_id", "page_id", "group", "only_show_if_degraded"];
const INCIDENT_FIELDS = ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"];
const UPDATE_FIELDS = ["id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components"];
const MAINTENANCE_FIELDS = [...INCIDENT_FIELDS, "scheduled_for", "scheduled_until"];

describe("Statuspage v2 JSON", () => {
  it("summary.json has Statuspage's documented fields and our page's content", async () => {
    const res = await stack.api(`${base}/api/v2/summary.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cache-control")).toBe("public, max-age=30, stale-while-revalidate=30");
    const s = res.body;
    expect(Object.keys(s).sort()).toEqual(["components", "incidents", "page", "scheduled_maintenances", "status"]);
    expect(Object.keys(s.page).sort()).toEqual([...PAGE_FIELDS].sort());
    expect(s.page).toMatchObject({ id: f.page.pageId, name: f.page.title, time_zone: "UTC" });
    expect(s.page.url).toMatch(new RegExp(`/status/${f.page.slug}$`));
    expect(s.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    for (const c of s.components) for (const k of COMPONENT_FIELDS) expect(c, k).toHaveProperty(k);
    const byName = Object.fromEntries(s.components.map((c: any) => [c.name, c]));
    expect(byName.Services).toMatchObject({ group: true, components: [f.components.api, f.components.web], status: "partial_outage" });
    expect(byName.Website).toMatchObject({ status: "partial_outage", group_id: f.groups.services, group: false });
    expect(byName.API).toMatchObject({ status: "operational", description: "Public REST API" });
    expect(byName["Docs <site>"]).toMatchObject({ group_id: null });
    expect(s.incidents).toHaveLength(1);
    const incident = s.incidents[0];
    for (const k of INCIDENT_FIELDS) expect(incident, k).toHaveProperty(k);
    expect(incident).toMatchObject({ id: f.activeIncidentId, status: "identified", impact: "major", resolved_at: null, monitoring_at: null });
    expect(incident.incident_updates.map((u: any) => u.status)).toEqual(["identified", "investigating"]);
    for (const u of incident.incident_updates) for (const k of UPDATE_FIELDS) expect(u, k).toHaveProperty(k);
    expect(incident.incident_updates[1].affected_components).toEqual([{ code: f.components.web, name: "Website", old_status: "operational", new_status: "partial_outage" }]);
    expect(s.scheduled_maintenances).toHaveLength(1);
    for (const k of MAINTENANCE_FIELDS) expect(s.scheduled_maintenances[0], k).toHaveProperty(k);
    expect(s.scheduled_maintenances[0]).toMatchObject({ id: f.maintenanceId, status: "scheduled" });
  });

  it("serves every document with its list", async () => {
    const lists: Record<string, [string, number]> = {
      "status.json": ["status", -1],
      "components.json": ["components", 6],
      "incidents.json": ["incidents", 2],
      "incidents/unresolved.json": ["incidents", 1],
      "scheduled-maintenances.json": ["scheduled_maintenances", 1],
      "scheduled-maintenances/upcoming.json": ["scheduled_maintenances", 1],
      "scheduled-maintenances/active.json": ["scheduled_maintenances", 0],
    };
    for (const [doc, [key, n]] of Object.entries(lists)) {
      const res = await stack.api(`${base}/api/v2/${doc}`);
      expect(res.status, doc).toBe(200);
      expect(Object.keys(res.body.page).sort(), doc).toEqual([...PAGE_FIELDS].sort());
      if (n >= 0) expect(res.body[key], doc).toHaveLength(n);
      else expect(res.body.status).toHaveProperty("indicator");
    }
    const all = (await stack.api(`${base}/api/v2/incidents.json`)).body.incidents;
    expect(all.find((i: any) => i.id === f.resolvedIncidentId)).toMatchObject({ status: "resolved", impact: "minor" });
    expect(all.find((i: any) => i.id === f.resolvedIncidentId).resolved_at).not.toBeNull();
  });

  it("answers 404 JSON for a slug without a page", async () => {
    const res = await stack.api(`/status/no-such-page/api/v2/summary.json`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});

describe("HTML page", () => {
  it("renders banner, groups, bars with a tooltip per day, incidents, maintenance and the subscribe form, escaped", async () => {
    const res = await stack.api(base, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30, stale-while-revalidate=30");
    expect(res.headers.get("content-security-policy")).toMatch(/script-src 'sha256-/);
    const html: string = res.body;
    expect(html).toContain('data-theme="auto"');
    expect(html).toContain("Partial System Outage");
    expect(html).toContain("Acme &lt;Cloud&gt; &quot;status&quot;");
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("Website errors &lt;script&gt;");
    expect(html).toMatch(/<details class="card" open><summary>Services/);
    expect(html).toMatch(/<details class="card"><summary>Data/); // collapsed, nothing wrong in it
    expect(html.match(/<div class="bars" role="slider"/g)).toHaveLength(4);
    expect(html.match(/<i class="[a-z]*" title="(Today, )?\d{1,2} [A-Z][a-z]{2,3} \d{4}: /g)!.length).toBe(4 * 90);
    expect(html).toContain("Cause found: a bad deploy.");
    expect(html).toContain("Upcoming maintenance");
    expect(html).toContain(`action="${base}/subscribe"`);
    expect(html).toContain(`data-summary="${base}/api/v2/summary.json"`);
  });

  it("pages history by month and refuses a malformed month with a 400", async () => {
    const thisMonth = new Date().toISOString().slice(0, 7);
    const ok = await stack.api(`${base}?month=${thisMonth}`);
    expect(ok.status).toBe(200);
    const bad = await stack.api(`${base}?month=2020-13`);
    expect(bad.status).toBe(400);
    const future = await stack.api(`${base}?month=2999-01`);
    expect(future.status).toBe(400);
  });

  it("still serves a monitor's page at /status/{slug}", async () => {
    const m = await ada.call("POST", "/v1/monitors", { name: "Legacy", url: "http://127.0.0.1:9/", slug: `legacy-${Date.now().toString(36)}` });
    expect(m.status).toBe(201);
    const res = await stack.api(`/status/${m.body.slug}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("Legacy");
    expect((await stack.api("/status/nothing-here-at-all")).status).toBe(404);
  });
});

describe("feeds and badges", () => {
  it("serves Atom and RSS with incidents and maintenance, escaped", async () => {
    const atom = await stack.api(`${base}/feed.atom`);
    expect(atom.status).toBe(200);
    expect(atom.headers.get("content-type")).toMatch(/application\/atom\+xml/);
    expect(atom.body).toMatch(/^<\?xml/);
    expect(atom.body.match(/<entry>/g)).toHaveLength(3);
    expect(atom.body).not.toContain("<script>");
    const rss = await stack.api(`${base}/feed.rss`);
    expect(rss.headers.get("content-type")).toMatch(/application\/rss\+xml/);
    expect(rss.body.match(/<item>/g)).toHaveLength(3);
  });

  it("serves SVG badges for the page and a component, and shields.io JSON", async () => {
    const page = await stack.api(`${base}/badge.svg`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/image\/svg\+xml/);
    expect(page.body).toContain("partial system outage");
    const web = await stack.api(`${base}/components/${f.components.web}/badge.svg`);
    expect(web.body).toContain("partial outage");
    expect((await stack.api(`${base}/components/nope/badge.svg`)).status).toBe(404);
    const shields = await stack.api(`${base}/shields.json`);
    expect(shields.body).toEqual({ schemaVersion: 1, label: "status", message: "partial system outage", color: "orange" });
  });
});

describe("protected page", () => {
  it("shows the password form and refuses JSON until the password sets a signed HttpOnly cookie", async () => {
    const p = await createStatusPageFixture(stack, ada, { visibility: "protected", password: "open sesame 123" });
    const pbase = `/status/${p.page.slug}`;
    const form = await stack.api(pbase);
    expect(form.status).toBe(401);
    expect(form.body).toContain('type="password"');
    expect(form.body).not.toContain("Website errors");
    expect(form.headers.get("cache-control")).toBe("private, no-store");
    const json = await stack.api(`${pbase}/api/v2/summary.json`);
    expect(json.status).toBe(401);
    expect(json.body.error.code).toBe("password_required");
    expect((await stack.api(`${pbase}/feed.atom`)).status).toBe(401);

    const wrong = await stack.api(`${pbase}/access`, { method: "POST", body: new URLSearchParams({ password: "nope" }), redirect: "manual" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const right = await stack.api(`${pbase}/access`, { method: "POST", body: new URLSearchParams({ password: "open sesame 123" }), redirect: "manual" });
    expect(right.status).toBe(303);
    const setCookie = right.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toContain(`Path=${pbase}`);
    const cookie = setCookie.split(";")[0]!;

    const page = await stack.api(pbase, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain("Website errors");
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    const data = await stack.api(`${pbase}/api/v2/summary.json`, { headers: { cookie } });
    expect(data.status).toBe(200);
    expect(data.body.page.id).toBe(p.page.pageId);

    const forged = cookie.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
    expect((await stack.api(`${pbase}/api/v2/summary.json`, { headers: { cookie: forged } })).status).toBe(401);
    // Another page's cookie opens nothing here.
    expect((await stack.api(`${base}/api/v2/summary.json`, { headers: { cookie } })).status).toBe(200);

    // A new password voids the cookies handed out before.
    await StatusPage.update(p.access, p.page.pageId, { password: "another secret 456" });
    RenderCache.clear();
    expect((await stack.api(`${pbase}/api/v2/summary.json`, { headers: { cookie } })).status).toBe(401);
  });
});

describe("render cache", () => {
  it("serves many requests for one page from one snapshot, and re-reads when the page changes", async () => {
    RenderCache.clear();
    await Promise.all(Array.from({ length: 50 }, () => stack.api(base)));
    for (let i = 0; i < 20; i++) await stack.api(`${base}/api/v2/summary.json`);
    expect(RenderCache.stats.snapshots).toBeLessThanOrEqual(2); // at most one more when a minute turns mid-test
    await StatusPage.update(f.access, f.page.pageId, { title: "Acme renamed" });
    const t = Date.now() + 11_000; // past VERSION_CHECK_MS
    const e = await RenderCache.get(f.page.slug, t);
    expect(e!.snapshot.page.title).toBe("Acme renamed");
  });
});
