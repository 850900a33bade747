import { describe, expect, it } from "vitest";
import { EffectiveStatus, type ComponentFacts, type IncidentFacts, type MaintenanceFacts, type MonitorFacts } from "./effective-status";
import type { ComponentStatus, Impact } from "./fields";

const staticC = (manualStatus: ComponentStatus = "operational"): ComponentFacts => ({ componentId: "c1", manualStatus });
const linked = (extra: Partial<ComponentFacts> = {}): ComponentFacts => ({ componentId: "c1", monitorId: "m1", manualStatus: "operational", ...extra });
const up: MonitorFacts = { state: "up", paused: false, lastLatencyMs: 120 };
const down: MonitorFacts = { state: "down", paused: false, lastLatencyMs: 0 };
const incident = (impact: Impact, extra: Partial<IncidentFacts> = {}): IncidentFacts => ({
  status: "investigating",
  impact,
  componentIds: ["c1"],
  updates: [{ componentStatuses: {} }],
  ...extra,
});
const maintenance = (status: MaintenanceFacts["status"], componentIds = ["c1"]): MaintenanceFacts => ({ status, componentIds });

describe("baseline", () => {
  it.each<[string, ComponentFacts, MonitorFacts | undefined, ComponentStatus]>([
    ["static shows its manual status", staticC("partial_outage"), undefined, "partial_outage"],
    ["linked, monitor up", linked(), up, "operational"],
    ["linked, monitor down", linked(), down, "major_outage"],
    ["linked, monitor pending", linked(), { state: "pending", paused: false }, "operational"],
    ["linked, monitor paused while down", linked(), { ...down, paused: true }, "operational"],
    ["linked, monitor deleted", linked({ manualStatus: "degraded_performance" }), undefined, "degraded_performance"],
    ["override wins over the monitor", linked({ override: { status: "operational", setAt: 1 } }), down, "operational"],
    ["override can mark a healthy monitor down", linked({ override: { status: "major_outage", setAt: 1 } }), up, "major_outage"],
    ["slower than the threshold is degraded", linked({ degradedAboveMs: 100 }), up, "degraded_performance"],
    ["at the threshold is operational", linked({ degradedAboveMs: 120 }), up, "operational"],
    ["down beats the latency threshold", linked({ degradedAboveMs: 1 }), { ...down, lastLatencyMs: 5000 }, "major_outage"],
    ["a degraded monitor is degraded performance", linked(), { ...up, state: "degraded" }, "degraded_performance"],
    ["a paused degraded monitor shows the manual status", linked(), { ...up, state: "degraded", paused: true }, "operational"],
    ["an override wins over a degraded monitor", linked({ override: { status: "operational", setAt: 1 } }), { ...up, state: "degraded" }, "operational"],
  ])("%s", (_name, c, monitor, expected) => {
    expect(EffectiveStatus.baseline(c, monitor)).toBe(expected);
  });
});

describe("componentStatus", () => {
  it.each<[string, ComponentFacts, MonitorFacts | undefined, IncidentFacts[], MaintenanceFacts[], ComponentStatus]>([
    ["no incidents, no maintenance", linked(), up, [], [], "operational"],
    ["maintenance in progress replaces the baseline", linked(), down, [], [maintenance("in_progress")], "under_maintenance"],
    ["scheduled maintenance changes nothing yet", linked(), up, [], [maintenance("scheduled")], "operational"],
    ["completed maintenance changes nothing", linked(), up, [], [maintenance("completed")], "operational"],
    ["maintenance of another component", linked(), up, [], [maintenance("in_progress", ["c2"])], "operational"],
    ["incident impact applies when updates do not say", staticC(), undefined, [incident("major")], [], "partial_outage"],
    ["critical impact is a major outage", staticC(), undefined, [incident("critical")], [], "major_outage"],
    ["impact none leaves it operational", staticC(), undefined, [incident("none")], [], "operational"],
    [
      "the latest update naming the component wins over impact",
      staticC(),
      undefined,
      [incident("critical", { updates: [{ componentStatuses: { c1: "major_outage" } }, { componentStatuses: { c1: "degraded_performance" } }, { componentStatuses: {} }] })],
      [],
      "degraded_performance",
    ],
    ["an incident applies on top of maintenance", linked(), up, [incident("minor")], [maintenance("in_progress")], "degraded_performance"],
    ["an incident never improves a worse baseline", linked(), down, [incident("minor")], [], "major_outage"],
    ["the worst of two incidents", staticC(), undefined, [incident("minor"), incident("critical")], [], "major_outage"],
    ["resolved incidents do not count", staticC(), undefined, [incident("critical", { status: "resolved" })], [], "operational"],
    ["incidents of other components do not count", staticC(), undefined, [incident("critical", { componentIds: ["c2"] })], [], "operational"],
  ])("%s", (_name, c, monitor, incidents, maint, expected) => {
    expect(EffectiveStatus.componentStatus(c, { monitor, incidents, maintenance: maint })).toBe(expected);
  });
});

describe("pageIndicator", () => {
  it.each<[string, ComponentStatus[], Pick<IncidentFacts, "status" | "impact">[], Impact]>([
    ["all operational", ["operational", "operational"], [], "none"],
    ["maintenance alone is not an outage", ["operational", "under_maintenance"], [], "none"],
    ["degraded is minor", ["operational", "degraded_performance"], [], "minor"],
    ["partial is major", ["degraded_performance", "partial_outage"], [], "major"],
    ["major outage is critical", ["major_outage", "partial_outage"], [], "critical"],
    ["an unresolved incident of impact none is never all-green", ["operational"], [{ status: "investigating", impact: "none" }], "minor"],
    ["an unresolved incident without components raises to its impact", ["operational"], [{ status: "monitoring", impact: "major" }], "major"],
    ["a resolved incident does not", ["operational"], [{ status: "resolved", impact: "critical" }], "none"],
    ["no components at all", [], [], "none"],
  ])("%s", (_name, statuses, incidents, expected) => {
    expect(EffectiveStatus.pageIndicator(statuses, incidents)).toBe(expected);
  });

  it("says maintenance when only maintenance is going on", () => {
    expect(EffectiveStatus.describe("none", ["operational", "under_maintenance"])).toBe("Service Under Maintenance");
    expect(EffectiveStatus.describe("none", ["operational"])).toBe("All Systems Operational");
    expect(EffectiveStatus.describe("critical", ["major_outage"])).toBe("Major System Outage");
  });
});
