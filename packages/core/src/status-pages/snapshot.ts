import { CheckResult } from "../check/result";
import { RollupEntity } from "../history/rollup";
import { MonitorRead } from "../monitors/read";
import { DAY } from "../platform/time";
import { EffectiveStatus } from "./effective-status";
import { SlugClaimEntity } from "../monitors/entity";
import { ComponentEntity, ComponentGroupEntity, MaintenanceEntity, PostedIncidentEntity, StatusPageEntity, type ComponentGroupItem, type ComponentItem, type MaintenanceItem, type PostedIncidentItem, type StatusPageItem } from "./entity";
import type { ComponentStatus, Impact } from "./fields";
import { Uptime } from "./uptime";

/**
 * Everything the public side needs to render one status page, read once: the page, its layout,
 * each component's effective status and 90 daily uptime figures, unresolved and recent incidents,
 * active and upcoming maintenance, and the page indicator. Reads: the slug claim and page, the
 * groups and components, one incident and one maintenance query, and per linked monitor its item
 * and up to 90 day rollups (one query). Renders are cached per page version by the caller.
 */
export interface Snapshot {
  page: StatusPageItem;
  groups: ComponentGroupItem[];
  components: (ComponentItem & { status: ComponentStatus; uptimeDays: (number | null)[]; uptime: number | null })[];
  indicator: Impact;
  description: string;
  /** Unresolved first, then the rest started within the last 90 days, newest first. */
  incidents: PostedIncidentItem[];
  /** Not completed (in progress and upcoming), plus those completed within the last 90 days. */
  maintenance: MaintenanceItem[];
  firstDay: number;
  generatedAt: number;
}

export async function snapshot(slug: string, now = Date.now()): Promise<Snapshot | undefined> {
  const { data: claim } = await SlugClaimEntity.get({ slug: slug.toLowerCase() }).go();
  if (!claim?.pageId) return undefined;
  const { data: page } = await StatusPageEntity.get({ pageId: claim.pageId }).go();
  if (!page || page.slug !== claim.slug) return undefined;
  const pageId = page.pageId;
  const since = now - Uptime.DAYS * DAY;
  const firstDay = Uptime.firstDayOf(now);

  const [groupRows, componentRows, incidentRows, maintenanceRows] = await Promise.all([
    ComponentGroupEntity.query.byPage({ pageId }).go({ pages: "all" }),
    ComponentEntity.query.byPage({ pageId }).go({ pages: "all" }),
    PostedIncidentEntity.query.byStart({ pageId }).go({ pages: "all", order: "desc" }),
    MaintenanceEntity.query.byStart({ pageId }).go({ pages: "all", order: "desc" }),
  ]);
  const byOrder = <T extends { order: number; createdAt: number }>(a: T, b: T) => a.order - b.order || a.createdAt - b.createdAt;
  const groups = groupRows.data.sort(byOrder);
  const components = componentRows.data.sort(byOrder);
  const incidents = (incidentRows.data as PostedIncidentItem[]).filter((i) => i.status !== "resolved" || (i.resolvedAt ?? i.startedAt) >= since);
  incidents.sort((a, b) => Number(a.status === "resolved") - Number(b.status === "resolved") || b.startedAt - a.startedAt);
  const maintenance = (maintenanceRows.data as MaintenanceItem[]).filter((m) => m.status !== "completed" || (m.completedAt ?? m.endsAt) >= since);

  const monitorIds = [...new Set(components.flatMap((c) => (c.monitorId ? [c.monitorId] : [])))];
  const monitors = new Map(
    await Promise.all(
      monitorIds.map(async (monitorId) => {
        const slow = components.some((c) => c.monitorId === monitorId && c.degradedAboveMs !== undefined);
        const [m, last, rollups] = await Promise.all([
          MonitorRead.get(monitorId, { consistent: false }),
          slow ? CheckResult.lastOf(monitorId) : undefined,
          RollupEntity.query.byMonitor({ monitorId, grain: "day" }).between({ start: firstDay }, { start: now }).go({ pages: "all" }),
        ]);
        return [monitorId, { monitor: m && m.ownerId === page.orgId ? m : undefined, lastLatencyMs: last?.latencyMs, rollups: rollups.data }] as const;
      }),
    ),
  );

  const withStatus = components.map((c) => {
    const linked = c.monitorId ? monitors.get(c.monitorId) : undefined;
    const status = EffectiveStatus.componentStatus(c, {
      monitor: linked?.monitor && { state: linked.monitor.state, paused: linked.monitor.paused, lastLatencyMs: linked.lastLatencyMs },
      incidents,
      maintenance,
    });
    const uptimeDays = c.monitorId
      ? Uptime.monitorDays(linked?.rollups ?? [], firstDay)
      : Uptime.staticDays(c.componentId, incidents, { firstDay, now, since: c.createdAt });
    return { ...c, status, uptimeDays, uptime: Uptime.overall(uptimeDays) };
  });
  const statuses = withStatus.map((c) => c.status);
  const indicator = EffectiveStatus.pageIndicator(statuses, incidents);
  return {
    page,
    groups,
    components: withStatus,
    indicator,
    description: EffectiveStatus.describe(indicator, statuses),
    incidents,
    maintenance,
    firstDay,
    generatedAt: now,
  };
}
