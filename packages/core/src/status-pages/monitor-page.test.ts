import { describe, expect, it } from "vitest";
import { monitorViewFixture } from "../public/view-fixture";
import { MonitorPage } from "./monitor-page";

const view = monitorViewFixture;

describe("a monitor's public page", () => {
  it("is a status page: the same template, banner, bars, dark mode and favicon", () => {
    const html = MonitorPage.html(view({ incidents: [] }), "shop");
    expect(html).toContain('<html lang="en" data-theme="auto">');
    expect(html).toContain('<div id="banner" class="banner none" role="status"');
    expect(html).toContain("All Systems Operational");
    expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
    expect(html).toContain('<span class="status s-operational"');
    // no subscriptions or feeds: a monitor's page has neither
    expect(html).not.toContain("/subscribe");
    expect(html).not.toContain("feed.atom");
    expect(html).not.toContain("<script>");
  });

  it("escapes everything that comes from users", () => {
    const html = MonitorPage.html(view({ name: `<img src=x onerror="alert(1)">&'`, incidents: [{ ...view().incidents[1]!, reason: "<script>x</script>" }] }), "shop");
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
  });

  it("shows the outage, 90 labelled bars coloured by uptime, incidents in words and the last check", () => {
    const html = MonitorPage.html(view({ status: "down" }), "shop");
    expect(html).toContain('class="banner critical"');
    expect(html).toContain("Major System Outage");
    const bars = [...html.matchAll(/<li class="(\w*)" title="([^"]+)"><span class="sr">([^<]+)<\/span><\/li>/g)];
    expect(bars).toHaveLength(90);
    expect(bars[0]![1]).toBe("");
    expect(bars[0]![2]).toBe("2024-11-03: no data");
    expect(bars[50]![1]).toBe("down");
    expect(bars[50]![3]).toBe("2024-12-23: 90% uptime");
    expect(bars[60]![1]).toBe("minor");
    expect(bars[89]![1]).toBe("up");
    expect(html).toContain("Shop unavailable (an unexpected HTTP status)");
    expect(html).toContain("Available again after 1 h 30 min.");
    expect(html).toContain("no answer in time");
    expect(html).toContain('Last checked <time datetime="2025-01-31T11:59:00.000Z">31 Jan 2025, 11:59 UTC</time>');
    expect(html).toContain("<dt>Last 7d</dt><dd>99.95%</dd>");
  });

  it("says when there is nothing to show", () => {
    const html = MonitorPage.html(view({ status: "paused", lastCheckedAt: null, incidents: [] }), "shop");
    expect(html).toContain("Paused: not being checked");
    expect(html).toContain("Not checked yet.");
    expect(html).toContain("No incidents in the last 90 days.");
  });
});
