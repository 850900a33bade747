import { CheckResult } from "../check/result";
import { LiveStatus } from "../history/live-status";
import { IncidentEntity } from "../incident/incident";
import { MonitorRead } from "../monitors/read";
import { VisibleError } from "../platform/errors";
import { assertCursorFor } from "../platform/table";
import { metered, type Meter } from "../platform/metering";
import { DAY } from "../platform/time";
import { EffectiveStatus } from "./effective-status";
import { SlugClaimEntity } from "../monitors/entity";
import { ComponentEntity, ComponentGroupEntity, MaintenanceEntity, PostedIncidentEntity, StatusPageEntity, type ComponentGroupItem, type ComponentItem, type MaintenanceItem, type PostedIncidentItem, type StatusPageItem } from "./entity";
import type { ComponentStatus } from "./shape";
import { Uptime } from "./uptime";

/**
 * Everything the public side needs to render one status page, read once: the page, its layout,
 * each component's effective status and 90 daily uptime figures, unresolved and recent incidents,
 * active and upcoming maintenance, and the page indicator. Reads: the slug claim and page, the
 * groups and components, two incident and two maintenance queries (the window, and older ones still
 * open), the rollup watermark, and per linked monitor its item, its checks per day
 * (LiveStatus.daily: day rollups, hour rollups and the raw results since the last rollup, at most
 * three queries), and its automatic incident while one is open. Renders are cached per page
 * version (and clock minute) by the caller.
 */
export interface Snapshot {
  page: StatusPageItem;
  /** Each group with the status the HTML page and the JSON both show for it. */
  groups: (ComponentGroupItem & { status: ComponentStatus })[];
  /** `changedAt`: the last change of the component or of anything that sets its status. */
  components: (ComponentItem & { status: ComponentStatus; changedAt: number; days: Uptime.Day[]; uptime: number | null })[];
  indicator: EffectiveStatus.Indicator;
  description: string;
  /** The newest change anywhere on the page: its settings, layout, components' statuses, incidents or maintenance. */
  updatedAt: number;
  /** Unresolved first, then the rest started within the last 90 days, newest first. Older history: incidentsInMonth. */
  incidents: PostedIncidentItem[];
  /** Not completed (in progress and upcoming), plus the rest that started within the last 90 days; newest start first. */
  maintenance: MaintenanceItem[];
  firstDay: number;
  generatedAt: number;
}

/**
 * `between` on the leading part of a sort key [a, b) in effect: an item at exactly b has more key
 * after it and sorts above the bound. Epoch ms keep 13 digits until 2286, so keys sort by time.
 */
const LAST_INSTANT = 9_999_999_999_999;

export async function snapshot(slug: string, now = Date.now(), opts: { meter?: Meter } = {}): Promise<Snapshot | undefined> {
  const reads = metered(opts.meter);
  const { data: claim } = await SlugClaimEntity.get({ slug: slug.toLowerCase() }).go(reads);
  if (!claim?.pageId) return undefined;
  const { data: page } = await StatusPageEntity.get({ pageId: claim.pageId }).go(reads);
  if (!page || page.slug !== claim.slug) return undefined;
  const pageId = page.pageId;
  const since = now - Uptime.DAYS * DAY;
  const firstDay = Uptime.firstDayOf(now);

  // Reads stay bounded whatever the page's history: what started in the window, plus the few
  // older ones still open (sparse indexes), never the whole partition. Both ends are given because
  // other entities share these index partitions: an open-ended range would read through theirs.
  const [groupRows, componentRows, recentIncidents, olderUnresolved, recentMaintenance, olderOpen] = await Promise.all([
    ComponentGroupEntity.query.byPage({ pageId }).go({ pages: "all", ...reads }),
    ComponentEntity.query.byPage({ pageId }).go({ pages: "all", ...reads }),
    PostedIncidentEntity.query.byStart({ pageId }).between({ startedAt: since }, { startedAt: LAST_INSTANT }).go({ pages: "all", ...reads }),
    PostedIncidentEntity.query.unresolved({ pageId }).between({ startedAt: 0 }, { startedAt: since }).go({ pages: "all", ...reads }),
    MaintenanceEntity.query.byStart({ pageId }).between({ startsAt: since }, { startsAt: LAST_INSTANT }).go({ pages: "all", ...reads }),
    MaintenanceEntity.query.open({ pageId }).between({ startsAt: 0 }, { startsAt: since }).go({ pages: "all", ...reads }),
  ]);
  const byOrder = <T extends { order: number; createdAt: number }>(a: T, b: T) => a.order - b.order || a.createdAt - b.createdAt;
  const groupItems = groupRows.data.sort(byOrder);
  const components = componentRows.data.sort(byOrder);
  const incidents = [...olderUnresolved.data, ...recentIncidents.data] as PostedIncidentItem[];
  incidents.sort((a, b) => Number(a.status === "resolved") - Number(b.status === "resolved") || b.startedAt - a.startedAt);
  const maintenance = [...olderOpen.data, ...recentMaintenance.data].sort((a, b) => b.startsAt - a.startsAt) as MaintenanceItem[];

  const monitorIds = [...new Set(components.flatMap((c) => (c.monitorId ? [c.monitorId] : [])))];
  const found = await Promise.all(
    monitorIds.map(async (monitorId) => {
      const slow = components.some((c) => c.monitorId === monitorId && c.degradedAboveMs !== undefined);
      const m = await MonitorRead.get(monitorId, { consistent: false });
      const monitor = m && m.ownerId === page.orgId ? m : undefined;
      const last = slow && monitor ? await CheckResult.lastOf(monitor) : undefined;
      const open = monitor?.openIncidentId ? (await IncidentEntity.get({ incidentId: monitor.openIncidentId }).go(reads)).data : undefined;
      return { monitorId, monitor, lastLatencyMs: last?.latencyMs, openIncident: open?.status === "open" ? open : undefined };
    }),
  );
  const perDay = await LiveStatus.daily(
    found.flatMap((f) => (f.monitor ? [f.monitor] : [])),
    { days: Uptime.DAYS, now, meter: opts.meter },
  );
  const monitors = new Map(found.map((f) => [f.monitorId, { ...f, daily: perDay.get(f.monitorId) ?? [] }]));

  // a page set to review first shows a monitor's incident only once someone promotes it
  if (page.autoPublishIncidents !== false) incidents.unshift(...automaticIncidents(page, components, monitors, incidents));

  const withStatus = components.map((c) => {
    const linked = c.monitorId ? monitors.get(c.monitorId) : undefined;
    const status = EffectiveStatus.componentStatus(c, {
      monitor: linked?.monitor && { state: linked.monitor.state, paused: linked.monitor.paused, lastLatencyMs: linked.lastLatencyMs },
      incidents,
      maintenance,
    });
    const uptimeDays = c.monitorId
      ? Uptime.monitorDays(linked?.daily.map((a, i) => ({ ...a, start: firstDay + i * DAY })) ?? [], firstDay)
      : Uptime.staticDays(c.componentId, incidents, { firstDay, now, since: c.createdAt });
    const days = Uptime.dayBars(c.componentId, uptimeDays, incidents, maintenance, { firstDay, now });
    const changedAt = lastChangeOf(c, linked?.monitor, incidents, maintenance, now);
    return { ...c, status, changedAt, days, uptime: Uptime.overall(uptimeDays) };
  });
  const statuses = withStatus.map((c) => c.status);
  const groups = groupItems.map((g) => ({ ...g, status: EffectiveStatus.groupStatus(withStatus.filter((c) => c.groupId === g.groupId).map((c) => c.status)) }));
  const updatedAt = Math.max(
    page.updatedAt,
    ...groups.map((g) => g.updatedAt),
    ...withStatus.map((c) => c.changedAt),
    ...incidents.map((i) => i.updatedAt),
    ...maintenance.map((m) => Math.max(m.updatedAt, ...[m.startedAt ?? 0, m.completedAt ?? 0].filter((t) => t <= now))),
  );
  return {
    page,
    groups,
    components: withStatus,
    ...EffectiveStatus.pageStatus(statuses, incidents),
    updatedAt,
    incidents,
    maintenance,
    firstDay,
    generatedAt: now,
  };
}

/**
 * When anything that sets a component's status last happened: the component's own edits and
 * override, its monitor's last state change, an update of an incident on it, maintenance on it
 * starting or ending. Statuspage moves `updated_at` when the status changes; this does too.
 */
function lastChangeOf(
  c: ComponentItem,
  monitor: { stateChangedAt?: number } | undefined,
  incidents: PostedIncidentItem[],
  maintenance: MaintenanceItem[],
  now: number,
): number {
  const times = [c.updatedAt, c.override?.setAt ?? 0, (c.monitorId && monitor?.stateChangedAt) || 0];
  for (const i of incidents) if (i.componentIds.includes(c.componentId)) times.push(...i.updates.map((u) => u.at), i.resolvedAt ?? 0);
  for (const m of maintenance) if (m.componentIds.includes(c.componentId)) times.push(m.startedAt ?? 0, m.completedAt ?? 0);
  return Math.max(...times.filter((t) => t <= now));
}

/** Incidents the page published from its monitors by itself (not posted or promoted by a person). */
export const isAutomatic = (i: { incidentId: string }) => i.incidentId.startsWith(AUTOMATIC_PREFIX);
const AUTOMATIC_PREFIX = "monitor.";

/**
 * A linked monitor's open automatic incident, shown as the page's own incident on the components
 * following that monitor, until it recovers or someone promotes it (then the posted one shows).
 */
function automaticIncidents(
  page: StatusPageItem,
  components: ComponentItem[],
  monitors: Map<string, { openIncident?: { incidentId: string; startedAt: number } }>,
  posted: PostedIncidentItem[],
): PostedIncidentItem[] {
  const promoted = new Set(posted.map((i) => i.sourceMonitorIncidentId).filter(Boolean));
  const out: PostedIncidentItem[] = [];
  for (const [monitorId, { openIncident }] of monitors) {
    if (!openIncident || promoted.has(openIncident.incidentId)) continue;
    const linked = components.filter((c) => c.monitorId === monitorId);
    const names = linked.map((c) => c.name).join(", ");
    const at = openIncident.startedAt;
    out.push({
      pageId: page.pageId,
      incidentId: `${AUTOMATIC_PREFIX}${openIncident.incidentId}`,
      orgId: page.orgId,
      title: `${names} unavailable`,
      status: "investigating",
      impact: "major",
      componentIds: linked.map((c) => c.componentId),
      startedAt: at,
      sourceMonitorIncidentId: openIncident.incidentId,
      updates: [
        {
          updateId: `monitor.${openIncident.incidentId}.opened`,
          message: `Our automatic checks find ${names} unavailable. We are looking into it.`,
          status: "investigating",
          // what the monitor being down does to them, listed as Statuspage lists an update's affected components
          componentStatuses: Object.fromEntries(linked.map((c) => [c.componentId, "major_outage" as const])),
          at,
        },
      ],
      revision: 0,
      createdAt: at,
      updatedAt: at,
    });
  }
  return out.sort((a, b) => b.startedAt - a.startedAt);
}

/** The page's components in the order the page shows them: each group's in turn, then the ungrouped ones. */
export function inLayoutOrder(s: Pick<Snapshot, "groups" | "components">): Snapshot["components"] {
  const groupIds = new Set(s.groups.map((g) => g.groupId));
  return [...s.groups.flatMap((g) => s.components.filter((c) => c.groupId === g.groupId)), ...s.components.filter((c) => !c.groupId || !groupIds.has(c.groupId))];
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

// a page's incidents started in one UTC month ("YYYY-MM"), newest first, a page at a time: the public history
export async function incidentsInMonth(pageId: string, month: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const m = MONTH.exec(month);
  if (!m) throw new VisibleError("invalid", "invalid_month", "The month must look like 2025-01");
  const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  const to = Date.UTC(Number(m[1]), Number(m[2]), 1);
  const query = PostedIncidentEntity.query.byStart({ pageId }).between({ startedAt: from }, { startedAt: to });
  assertCursorFor(opts.cursor, PostedIncidentEntity, "byStart", query.params());
  const res = await query.go({ order: "desc", limit: opts.limit ?? 25, cursor: opts.cursor ?? null });
  return { data: res.data as PostedIncidentItem[], cursor: res.cursor };
}
