import { describe, expect, it } from "vitest";
import { DAY, HOUR } from "../platform/time";
import { Uptime, type IncidentTimeline } from "./uptime";

const day0 = Date.UTC(2024, 0, 1);
const at = (day: number, hours = 0) => day0 + day * DAY + hours * HOUR;

describe("monitorDays", () => {
  it.each<[string, Uptime.DailyRollup[], (number | null)[]]>([
    ["no rollups: no data", [], [null, null, null]],
    ["all up", [{ start: at(0), count: 1440, failures: 0 }], [100, null, null]],
    ["some down", [{ start: at(1), count: 1000, failures: 10 }], [null, 99, null]],
    ["maintenance failures count as up", [{ start: at(2), count: 1000, failures: 30, maintenanceFailures: 20 }], [null, null, 99]],
    ["everything failed in maintenance", [{ start: at(0), count: 60, failures: 60, maintenanceFailures: 60 }], [100, null, null]],
    ["rollups outside the window are ignored", [{ start: at(-1), count: 10, failures: 10 }, { start: at(3), count: 10, failures: 10 }], [null, null, null]],
    ["two rollups of one day add up", [{ start: at(0), count: 50, failures: 5 }, { start: at(0), count: 50, failures: 0 }], [95, null, null]],
  ])("%s", (_name, rollups, expected) => {
    expect(Uptime.monitorDays(rollups, day0, 3)).toEqual(expected);
  });
});

const incident = (extra: Partial<IncidentTimeline>): IncidentTimeline => ({
  impact: "critical",
  componentIds: ["c1"],
  startedAt: at(0, 6),
  resolvedAt: at(0, 12),
  updates: [],
  ...extra,
});

describe("staticDays", () => {
  const opts = { firstDay: day0, now: at(3), since: at(-10), days: 3 };
  it.each<[string, IncidentTimeline[], Partial<typeof opts>, (number | null)[]]>([
    ["no incidents: all up", [], {}, [100, 100, 100]],
    ["6 hours of major outage", [incident({})], {}, [75, 100, 100]],
    ["6 hours of partial outage weigh 0.3", [incident({ impact: "major" })], {}, [92.5, 100, 100]],
    ["degraded counts as up", [incident({ impact: "minor" })], {}, [100, 100, 100]],
    ["impact none counts as up", [incident({ impact: "none" })], {}, [100, 100, 100]],
    ["another component's incident", [incident({ componentIds: ["c2"] })], {}, [100, 100, 100]],
    [
      "updates change the status over time: 3 h major then 3 h partial",
      [incident({ updates: [{ at: at(0, 9), componentStatuses: { c1: "partial_outage" } }] })],
      {},
      [Math.round((1 - (3 + 0.9) / 24) * 100_000) / 1000, 100, 100],
    ],
    [
      "an incident across midnight splits between days",
      [incident({ startedAt: at(0, 18), resolvedAt: at(1, 6) })],
      {},
      [75, 75, 100],
    ],
    [
      "overlapping incidents count the worst once",
      [incident({}), incident({ impact: "major", startedAt: at(0, 0), resolvedAt: at(0, 12) })],
      {},
      [Math.round((1 - (6 * 0.3 + 6) / 24) * 100_000) / 1000, 100, 100],
    ],
    ["an unresolved incident lasts until now", [incident({ startedAt: at(2, 18), resolvedAt: undefined })], { now: at(2, 24) }, [100, 100, 75]],
    ["today counts only its elapsed part", [incident({ startedAt: at(2, 0), resolvedAt: at(2, 6) })], { now: at(2, 12) }, [100, 100, 50]],
    ["days before the component existed have no data", [], { since: at(1, 5) }, [null, 100, 100]],
    ["days not begun have no data", [], { now: at(1, 12) }, [100, 100, null]],
  ])("%s", (_name, incidents, override, expected) => {
    expect(Uptime.staticDays("c1", incidents, { ...opts, ...override })).toEqual(expected);
  });
});

describe("overall", () => {
  it.each<[(number | null)[], number | null]>([
    [[], null],
    [[null, null], null],
    [[100, null, 99], 99.5],
    [[100, 100, 97], 99],
  ])("%j → %s", (days, expected) => {
    expect(Uptime.overall(days)).toBe(expected);
  });
});

describe("dayBars", () => {
  const opts = { firstDay: day0, now: at(2, 12) };
  const titled = (title: string, extra: Partial<IncidentTimeline>) => ({ ...incident(extra), title });
  const maintenance = (extra: Partial<Uptime.MaintenanceWindow>): Uptime.MaintenanceWindow => ({
    title: "Upgrade",
    componentIds: ["c1"],
    startsAt: at(1, 2),
    endsAt: at(1, 4),
    status: "completed",
    startedAt: at(1, 2),
    completedAt: at(1, 3),
    ...extra,
  });
  const levels = (bars: Uptime.Day[]) => bars.map((d) => d.level);

  it("colours a day by its uptime when nothing was posted on it", () => {
    const bars = Uptime.dayBars("c1", [null, 99.95, 98.2], [], [], opts);
    expect(levels(bars)).toEqual(["none", "up", "major"]);
    expect(bars.map((d) => d.start)).toEqual([at(0), at(1), at(2)]);
    expect(bars.every((d) => d.events.length === 0)).toBe(true);
  });

  it("makes a day with a major outage red even at 100% uptime, and names it", () => {
    const bars = Uptime.dayBars("c1", [100, 100, 100], [titled("API down", { startedAt: at(2, 1), resolvedAt: undefined })], [], opts);
    expect(levels(bars)).toEqual(["up", "up", "down"]);
    expect(bars[2]!.events).toEqual([{ kind: "incident", title: "API down", status: "major_outage" }]);
  });

  it("gives a day the worst status an incident held within it, and spreads incidents across midnight", () => {
    const lowered = titled("Slow", { impact: "critical", startedAt: at(0, 22), resolvedAt: at(1, 6), updates: [{ at: at(1, 0), componentStatuses: { c1: "degraded_performance" } }] });
    const bars = Uptime.dayBars("c1", [100, 100, 100], [lowered], [], opts);
    expect(levels(bars)).toEqual(["down", "minor", "up"]);
    expect(bars[1]!.events).toEqual([{ kind: "incident", title: "Slow", status: "degraded_performance" }]);
  });

  it("shows maintenance in its own colour, under any real trouble, and only once it started", () => {
    const future = maintenance({ title: "Later", status: "scheduled", startsAt: at(2, 20), endsAt: at(2, 22), startedAt: undefined, completedAt: undefined });
    const running = maintenance({ title: "Now", status: "in_progress", startsAt: at(2, 10), startedAt: at(2, 10), completedAt: undefined });
    const bars = Uptime.dayBars("c1", [100, 100, 100], [titled("Partial", { impact: "major", startedAt: at(2, 1), resolvedAt: at(2, 2) })], [maintenance({}), future, running], opts);
    expect(levels(bars)).toEqual(["up", "maintenance", "major"]);
    expect(bars[1]!.events).toEqual([{ kind: "maintenance", title: "Upgrade", status: "under_maintenance" }]);
    expect(bars[2]!.events.map((e) => e.title)).toEqual(["Partial", "Now"]);
  });

  it("ignores other components' incidents and maintenance, and lists an incident of no impact without colouring the day", () => {
    const bars = Uptime.dayBars(
      "c1",
      [100, 100, 100],
      [titled("Elsewhere", { componentIds: ["c2"] }), titled("Heads-up", { impact: "none", startedAt: at(1, 1), resolvedAt: at(1, 1) })],
      [maintenance({ componentIds: ["c2"] })],
      opts,
    );
    expect(levels(bars)).toEqual(["up", "up", "up"]);
    expect(bars[1]!.events).toEqual([{ kind: "incident", title: "Heads-up", status: "operational" }]);
  });

  it("keeps the worse of what the checks and what the incidents say", () => {
    expect(Uptime.levelOf(90, [{ kind: "incident", title: "x", status: "degraded_performance" }])).toBe("down");
    expect(Uptime.levelOf(null, [{ kind: "maintenance", title: "x", status: "under_maintenance" }])).toBe("maintenance");
    expect(Uptime.levelOf(99.5, [])).toBe("minor");
  });
});
