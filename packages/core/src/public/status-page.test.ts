import { describe, expect, it } from "vitest";
import { Stats } from "../history/stats";
import { StatusPage } from "./status-page";
import { monitorViewFixture } from "./view-fixture";

const DAY = 86_400_000;
const today = Date.UTC(2025, 0, 31);
const view = monitorViewFixture;

describe("public view", () => {
  it("has only allow-listed fields", () => {
    expect(Object.keys(StatusPage.View.shape).sort()).toEqual(["days", "generatedAt", "incidents", "lastCheckedAt", "name", "status", "uptime"]);
    expect(Object.keys(StatusPage.PublicIncident.shape).sort()).toEqual(["durationMs", "reason", "resolvedAt", "startedAt", "status"]);
  });
});

describe("uptime", () => {
  it("counts failed checks during scheduled maintenance as up, in the days and in every window", () => {
    const firstDay = today - 89 * DAY;
    const agg = (count: number, failures: number, maintenanceFailures?: number): Stats.Agg => ({ ...Stats.emptyAgg(), count, failures, ...(maintenanceFailures && { maintenanceFailures }) });
    const days = StatusPage.dailyAggs([{ start: today, agg: agg(100, 30, 20) }, { start: today - DAY, agg: agg(60, 60, 60) }, { start: today - 2 * DAY, agg: agg(100, 10) }], firstDay);
    expect(days.slice(87).map((a, i) => StatusPage.dayOf(a, firstDay + (87 + i) * DAY))).toEqual([
      { date: "2025-01-29", uptimePercent: 90, checks: 100, failed: 10 },
      { date: "2025-01-30", uptimePercent: 100, checks: 60, failed: 0 },
      { date: "2025-01-31", uptimePercent: 90, checks: 100, failed: 10 },
    ]);
    expect(StatusPage.uptimeOf(Stats.mergeAll(days))).toBe(92.308);
  });
});

describe("badge", () => {
  it("shows status or uptime with a colour for it", () => {
    expect(StatusPage.badgeFor(view(), { type: "status", range: "30d" })).toEqual({ label: "status", message: "up", color: "#4c1" });
    expect(StatusPage.badgeFor(view({ status: "down" }), { type: "status", range: "30d" }).color).toBe("#e05d44");
    expect(StatusPage.badgeFor(view(), { type: "uptime", range: "90d" })).toEqual({ label: "uptime 90d", message: "97.00%", color: "#dfb317" });
    expect(StatusPage.badgeFor(view(), { type: "uptime", range: "24h" }).message).toBe("100%");
    expect(StatusPage.badgeFor(view({ uptime: { "24h": null, "7d": null, "30d": null, "90d": null } }), { type: "uptime", range: "7d" }).message).toBe("no data");
  });

  it("is a well-formed SVG sized to its text, with escaped text", () => {
    const short = StatusPage.badgeSvg({ label: "status", message: "up", color: "#4c1" });
    const long = StatusPage.badgeSvg({ label: "status", message: "a much longer message", color: "#4c1" });
    const width = (svg: string) => Number(/^<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    expect(width(long)).toBeGreaterThan(width(short) + 80);
    expect(short).toContain('aria-label="status: up"');
    expect(short).toContain("<title>status: up</title>");
    const hostile = StatusPage.badgeSvg({ label: "<x>", message: `"&`, color: `"/><script>` });
    expect(hostile).not.toContain("<x>");
    expect(hostile).not.toContain("<script>");
    expect(hostile).toContain("&lt;x&gt;: &quot;&amp;");
  });
});
