import { describe, expect, it } from "vitest";
import { monitorViewFixture } from "../public/view-fixture";
import { MonitorPage } from "./monitor-page";
import { BARS_SCRIPT } from "./render-shell";

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
    // its only script is the bars' tooltip (no refresh: nothing to subscribe to)
    expect(html.match(/<script>[\s\S]*?<\/script>/g)).toEqual([`<script>${BARS_SCRIPT}</script>`]);
  });

  it("escapes everything that comes from users", () => {
    const html = MonitorPage.html(view({ name: `<img src=x onerror="alert(1)">&'`, incidents: [{ ...view().incidents[1]!, reason: "<script>x</script>" }] }), "shop");
    expect(html).not.toContain("<img");
    expect(html.replace(`<script>${BARS_SCRIPT}</script>`, "")).not.toContain("<script");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
  });

  it("shows the outage, 90 labelled bars coloured by uptime, incidents in words and the last check", () => {
    const html = MonitorPage.html(view({ status: "down" }), "shop");
    expect(html).toContain('class="banner critical"');
    expect(html).toContain("Major System Outage");
    const bars = [...html.matchAll(/<i class="(\w*)" title="([^"]+)"><\/i>/g)];
    expect(bars).toHaveLength(90);
    expect(bars[0]![1]).toBe("");
    expect(bars[0]![2]).toBe("3 Nov 2024: no data");
    expect(bars[50]![1]).toBe("down");
    expect(bars[50]![2]).toBe("23 Dec 2024: 90% uptime");
    expect(bars[60]![1]).toBe("minor");
    expect(bars[88]![1]).toBe("up");
    // a day with an outage is red whatever its uptime, and its tooltip names the outage
    expect(bars[68]![1]).toBe("down");
    expect(bars[68]![2]).toBe("10 Jan 2025: 100% uptime. Major outage: Shop unavailable (no answer in time)");
    expect(bars[89]![1]).toBe("down");
    expect(bars[89]![2]).toBe("Today, 31 Jan 2025: 100% uptime. Major outage: Shop unavailable (an unexpected HTTP status)");
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
