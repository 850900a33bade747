import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { Components } from "@uptime/core/status-pages/components";
import { Maintenance } from "@uptime/core/status-pages/maintenance";
import { StatusPage } from "@uptime/core/status-pages/page";
import { Subscribers } from "@uptime/core/status-pages/subscriber";
import { DAY, HOUR } from "@uptime/core/platform/time";
import { createUser, type TestUser } from "../kit/test-users";
import { createStatusPageFixture, type StatusPageFixture } from "../kit/status-page-fixture";
import { writeIncident } from "../kit/test-history";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { RenderCache } from "@uptime/core/status-pages/render-cache";

/** What a visitor and a subscriber see first: titles, history, icons, mails, in the page's words and time zone. */

let stack: TestStack;
let ada: TestUser;
let f: StatusPageFixture;

beforeAll(async () => {
  stack = await startTestStack();
  ada = await createUser(stack);
  f = await createStatusPageFixture(stack, ada, { title: "Acme status", timeZone: "Europe/Berlin" });
}, 60_000);
afterAll(() => stack?.stop());

const form = (fields: Record<string, string>) => ({ method: "POST", body: new URLSearchParams(fields) });
const mailsTo = async (to: string) => (await stack.emails()).filter((m) => m.destination.to.includes(to));
const thisMonth = () => new Date().toISOString().slice(0, 7);

describe("the page's head", () => {
  it("names the page once, describes it, and shows its status as the favicon", async () => {
    const html: string = (await stack.api(`/status/${f.page.slug}`)).body;
    expect(html).toContain("<title>Acme status</title>");
    expect(html).toMatch(/<meta name="description" content="Partial System Outage\. Everything Acme runs\.">/);
    const icon = /<link rel="icon" href="data:image\/svg\+xml,([^"]+)">/.exec(html);
    expect(decodeURIComponent(icon![1]!)).toContain('fill="#c4320a"'); // major: the banner's colour
  });
});

describe("history", () => {
  it("lists this month's incidents, open ones too, with links to the months before", async () => {
    const html: string = (await stack.api(`/status/${f.page.slug}`)).body;
    const history = html.slice(html.indexOf('id="history"'));
    expect(history).toContain("Website errors"); // still open
    expect(history).not.toContain("No incidents or maintenance");
    // the fixture's page is ten days old: its first month is linked when it is not this one
    const first = new Date(f.page.createdAt).toISOString().slice(0, 7);
    expect(history).toContain('aria-label="Months of history"');
    if (first !== thisMonth()) expect(history).toContain(`?month=${first}#history`);
  });

  it("answers a month before the page existed with a page that says so", async () => {
    const res = await stack.api(`/status/${f.page.slug}?month=2001-01`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/This status page started in \w+ \d{4}: there is no history before that/);
    expect((await stack.api(`/status/${f.page.slug}?month=2001-13`)).status).toBe(400);
  });
});

describe("subscribing", () => {
  it("names the page once in the confirmation mail and on the confirm page", async () => {
    const email = `sub-${Date.now()}@example.com`;
    expect((await stack.api(`/status/${f.page.slug}/subscribe`, form({ email }))).status).toBe(200);
    await stack.drainQueues({ includeDelayed: false });
    const [mail] = await mailsTo(email);
    expect(mail!.subject).toBe("Confirm your subscription to “Acme status”");
    expect(mail!.body.text).toContain("from the “Acme status” page");
    expect(mail!.body.text).not.toMatch(/status status/i);
    const link = new URL(mail!.body.text!.match(/https?:\/\/\S*\/subscription\/confirm\?\S+/)![0]);
    const page: string = (await stack.api(link.pathname + link.search)).body;
    expect(page).toContain("<title>Subscribe to Acme status</title>");
    expect(page).not.toMatch(/status status/i);
  });

  it("dates maintenance in subscriber mails in the page's time zone, readably", async () => {
    const email = `tz-${Date.now()}@example.com`;
    await stack.api(`/status/${f.page.slug}/subscribe`, form({ email }));
    await stack.drainQueues({ includeDelayed: false });
    const [confirm] = await mailsTo(email);
    const link = new URL(confirm!.body.text!.match(/https?:\/\/\S*\/subscription\/confirm\?\S+/)![0]);
    await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)));
    const starts = Date.UTC(2030, 0, 15, 13, 0); // 14:00 in Berlin (CET)
    await Maintenance.create(f.access, f.page.pageId, { title: "Network work", message: "Switches.", startsAt: new Date(starts).toISOString(), endsAt: new Date(starts + 2 * HOUR).toISOString(), componentIds: [f.components.db] });
    await stack.drainQueues({ includeDelayed: false });
    const mail = (await mailsTo(email)).find((m) => m.subject.includes("Network work"));
    expect(mail!.body.text).toContain("Scheduled: 15 Jan 2030, 14:00 CET to 15 Jan 2030, 16:00 CET");
    expect(mail!.body.text).not.toMatch(/\d{4}-\d\d-\d\dT/);
  });

  it("lists components on the manage page in the page's layout order", async () => {
    const page = await StatusPage.create(f.access, { slug: `order-${Date.now().toString(36)}`, title: "Order" }, Date.now() - DAY);
    const second = await Components.createGroup(f.access, page.pageId, { name: "Second" });
    const first = await Components.createGroup(f.access, page.pageId, { name: "First" });
    const b = await Components.createComponent(f.access, page.pageId, { name: "Bravo", groupId: second.groupId });
    const a = await Components.createComponent(f.access, page.pageId, { name: "Alpha", groupId: first.groupId });
    const z = await Components.createComponent(f.access, page.pageId, { name: "Zulu" });
    await Components.setLayout(f.access, page.pageId, { groups: [{ groupId: first.groupId, componentIds: [a.componentId] }, { groupId: second.groupId, componentIds: [b.componentId] }], ungrouped: [z.componentId] });
    const email = `order-${Date.now()}@example.com`;
    await stack.api(`/status/${page.slug}/subscribe`, form({ email }));
    await stack.drainQueues({ includeDelayed: false });
    const [mail] = await mailsTo(email);
    const link = new URL(mail!.body.text!.match(/https?:\/\/\S*\/subscription\/confirm\?\S+/)![0]);
    await stack.api(link.pathname, form(Object.fromEntries(link.searchParams)));
    const s = link.searchParams.get("s")!;
    const manage: string = (await stack.api(`/status/${page.slug}/subscription?s=${s}&t=${await Subscribers.manageToken(s)}`)).body;
    const names = [...manage.matchAll(/name="components" value="[^"]+"> (\w+)/g)].map((m) => m[1]);
    expect(names).toEqual(["Alpha", "Bravo", "Zulu"]);
  });
});

describe("maintenance on the page", () => {
  const iso = (t: number) => new Date(t).toISOString();
  const card = (html: string, id: string) => html.slice(html.indexOf(`id="maintenance-${id}"`), html.indexOf("</article>", html.indexOf(`id="maintenance-${id}"`)));
  const pageHtml = async () => {
    RenderCache.clear();
    return (await stack.api(`/status/${f.page.slug}`)).body as string;
  };

  it("shows the planned window until it starts, then when it really started, and ended when finished early by hand", async () => {
    // Whole seconds: the page's <time datetime> carries milliseconds, which these then match exactly.
    const now = Math.floor(Date.now() / 1000) * 1000;
    const planned = { startsAt: now + HOUR, endsAt: now + 3 * HOUR };
    const m = await Maintenance.create(f.access, f.page.pageId, { title: "Early work", message: "Disks.", startsAt: iso(planned.startsAt), endsAt: iso(planned.endsAt), componentIds: [f.components.db] }, now);
    let shown = card(await pageHtml(), m.maintenanceId);
    expect(shown).toContain(`datetime="${iso(planned.startsAt)}"`);
    expect(shown).toContain(`datetime="${iso(planned.endsAt)}"`);

    await Maintenance.setStatus(f.access, f.page.pageId, m.maintenanceId, { status: "in_progress" }, now + 1000);
    shown = card(await pageHtml(), m.maintenanceId);
    expect(shown).toContain(`datetime="${iso(now + 1000)}"`);
    expect(shown).toMatch(new RegExp(`datetime="${iso(planned.endsAt)}">[^<]*</time> \\(planned end\\)`));

    await Maintenance.setStatus(f.access, f.page.pageId, m.maintenanceId, { status: "completed" }, now + 2000);
    shown = card(await pageHtml(), m.maintenanceId);
    expect(shown).toContain("Completed");
    expect(shown).toContain(`datetime="${iso(now + 1000)}"`);
    expect(shown).toContain(`datetime="${iso(now + 2000)}"`);
    expect(shown).not.toContain(iso(planned.endsAt));
  });

  it("keeps the planned window of a maintenance cancelled before it started", async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const planned = { startsAt: now + 2 * HOUR, endsAt: now + 4 * HOUR };
    const m = await Maintenance.create(f.access, f.page.pageId, { title: "Called off", message: "Later.", startsAt: iso(planned.startsAt), endsAt: iso(planned.endsAt), componentIds: [f.components.db] }, now);
    await Maintenance.cancel(f.access, f.page.pageId, m.maintenanceId, now + 1000);
    const shown = card(await pageHtml(), m.maintenanceId);
    expect(shown).toContain("(cancelled)");
    expect(shown).toContain(`datetime="${iso(planned.startsAt)}"`);
    expect(shown).toContain(`datetime="${iso(planned.endsAt)}"`);
  });
});

describe("automatic incidents", () => {
  it("publish by default, marked as automatic; a page set to review first shows them only once promoted", async () => {
    expect((await ada.call("GET", `/v1/status-pages/${f.page.pageId}`)).body.autoPublishIncidents).toBe(true);
    const monitor = (await MonitorEntity.get({ monitorId: f.monitorId }).go()).data!;
    await writeIncident(monitor, { startedAt: Date.now() - 60_000 });
    try {
      RenderCache.clear();
      const html: string = (await stack.api(`/status/${f.page.slug}`)).body;
      expect(html).toContain("API unavailable");
      expect(html).toContain("Posted automatically by our monitoring");
      const off = await ada.call("PATCH", `/v1/status-pages/${f.page.pageId}`, { autoPublishIncidents: false });
      expect(off.body.autoPublishIncidents).toBe(false);
      RenderCache.clear();
      const summary = (await stack.api(`/status/${f.page.slug}/api/v2/summary.json`)).body;
      expect(summary.incidents.map((i: { name: string }) => i.name)).not.toContain("API unavailable");
      expect((await stack.api(`/status/${f.page.slug}`)).body).not.toContain("Posted automatically");
    } finally {
      await MonitorEntity.patch({ monitorId: f.monitorId }).set({ state: "up" }).remove(["openIncidentId"]).go();
      await ada.call("PATCH", `/v1/status-pages/${f.page.pageId}`, { autoPublishIncidents: true });
    }
  });
});
