export * as Components from "./components";

import { randomUUID } from "node:crypto";
import { MonitorRead } from "../monitors/read";
import type { OrgAccess } from "../orgs/access";
import { Audit } from "../orgs/audit";
import { VisibleError, notFound } from "../platform/errors";
import { ComponentEntity, ComponentGroupEntity, type ComponentGroupItem, type ComponentItem } from "./entity";
import { CreateComponentInput, CreateGroupInput, LayoutInput, UpdateComponentInput, UpdateGroupInput } from "./fields";
import { StatusPage } from "./page";
import { Claim } from "../platform/claim";

const invalid = (path: string, message: string) => new VisibleError("invalid", "validation_error", "Request is invalid", [{ path, message, code: "custom" }]);

// a page's groups and components, in display order
export async function read(pageId: string, opts: { consistent?: boolean } = {}) {
  const [groups, components] = await Promise.all([
    ComponentGroupEntity.query.byPage({ pageId }).go({ pages: "all", consistent: opts.consistent ?? true }),
    ComponentEntity.query.byPage({ pageId }).go({ pages: "all", consistent: opts.consistent ?? true }),
  ]);
  const byOrder = <T extends { order: number; createdAt: number }>(a: T, b: T) => a.order - b.order || a.createdAt - b.createdAt;
  return { groups: groups.data.sort(byOrder), components: components.data.sort(byOrder) };
}

/** Groups in order with their components; ungrouped components (and any whose group is gone) last. */
export function layoutOf(groups: ComponentGroupItem[], components: ComponentItem[]) {
  const ids = new Set(groups.map((g) => g.groupId));
  return {
    groups: groups.map((g) => ({ group: g, components: components.filter((c) => c.groupId === g.groupId) })),
    ungrouped: components.filter((c) => !c.groupId || !ids.has(c.groupId)),
  };
}

const nextOrder = (items: { order: number }[]) => items.reduce((max, i) => Math.max(max, i.order + 1), 0);

async function getGroup(pageId: string, groupId: string) {
  const { data } = await ComponentGroupEntity.get({ pageId, groupId }).go({ consistent: true });
  if (!data) throw notFound("Component group");
  return data;
}

export async function getComponent(pageId: string, componentId: string) {
  const { data } = await ComponentEntity.get({ pageId, componentId }).go({ consistent: true });
  if (!data) throw notFound("Component");
  return data;
}

/** A monitor can be linked only by its own organisation; another's is "not found". */
async function assertMonitorOf(orgId: string, monitorId: string) {
  const m = await MonitorRead.get(monitorId);
  if (!m || m.ownerId !== orgId) throw new VisibleError("not_found", "monitor_not_found", "Monitor not found");
}

/** Ids that must all be components of the page (incidents and maintenance name them). */
export async function assertComponentsOf(pageId: string, componentIds: string[]) {
  if (!componentIds.length) return;
  const { components } = await read(pageId);
  const known = new Set(components.map((c) => c.componentId));
  const unknown = componentIds.filter((id) => !known.has(id));
  if (unknown.length) throw invalid("componentIds", `not components of this page: ${unknown.join(", ")}`);
  return components;
}

export async function createGroup(access: OrgAccess, pageId: string, input: CreateGroupInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const g = CreateGroupInput.parse(input);
  const { groups } = await read(pageId);
  const item = { pageId, groupId: randomUUID(), orgId: access.orgId, name: g.name, collapsed: g.collapsed, order: nextOrder(groups), createdAt: now, updatedAt: now };
  await Claim.createFresh(() => ComponentGroupEntity.create(item).go());
  await StatusPage.touch(pageId, now);
  return item as ComponentGroupItem;
}

export async function updateGroup(access: OrgAccess, pageId: string, groupId: string, input: UpdateGroupInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const u = UpdateGroupInput.parse(input);
  await getGroup(pageId, groupId);
  await ComponentGroupEntity.patch({ pageId, groupId }).set({ ...u, updatedAt: now }).go();
  await StatusPage.touch(pageId, now);
  return getGroup(pageId, groupId);
}

/** Its components stay on the page, ungrouped. */
export async function removeGroup(access: OrgAccess, pageId: string, groupId: string, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  await getGroup(pageId, groupId);
  const { components } = await read(pageId);
  for (const c of components.filter((c) => c.groupId === groupId)) {
    await ComponentEntity.patch({ pageId, componentId: c.componentId }).remove(["groupId"]).set({ updatedAt: now }).go();
  }
  await ComponentGroupEntity.delete({ pageId, groupId }).go();
  await StatusPage.touch(pageId, now);
}

export async function createComponent(access: OrgAccess, pageId: string, input: CreateComponentInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const c = CreateComponentInput.parse(input);
  if (c.groupId) await getGroup(pageId, c.groupId).catch(() => Promise.reject(invalid("groupId", "not a group of this page")));
  if (c.monitorId) await assertMonitorOf(access.orgId, c.monitorId);
  const { components } = await read(pageId);
  const item = {
    pageId,
    componentId: randomUUID(),
    orgId: access.orgId,
    name: c.name,
    description: c.description || undefined,
    groupId: c.groupId,
    order: nextOrder(components.filter((x) => x.groupId === c.groupId)),
    monitorId: c.monitorId,
    manualStatus: c.manualStatus,
    override: c.override ? { status: c.override, setAt: now } : undefined,
    degradedAboveMs: c.degradedAboveMs,
    createdAt: now,
    updatedAt: now,
  };
  await Claim.createFresh(() => ComponentEntity.create(item).go());
  await StatusPage.touch(pageId, now);
  return getComponent(pageId, item.componentId);
}

export async function updateComponent(access: OrgAccess, pageId: string, componentId: string, input: UpdateComponentInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const u = UpdateComponentInput.parse(input);
  const current = await getComponent(pageId, componentId);
  if (u.groupId) await getGroup(pageId, u.groupId).catch(() => Promise.reject(invalid("groupId", "not a group of this page")));
  if (u.monitorId) await assertMonitorOf(access.orgId, u.monitorId);
  const linked = u.monitorId === undefined ? !!current.monitorId : !!u.monitorId;
  if (!linked && u.override) throw invalid("override", "only a monitor-linked component has an override; set manualStatus");
  const remove = [
    ...(u.description === null || u.description === "" ? ["description" as const] : []),
    ...(u.groupId === null ? ["groupId" as const] : []),
    ...(u.monitorId === null ? ["monitorId" as const] : []),
    ...(u.override === null || (!linked && current.override) ? ["override" as const] : []),
    ...(u.degradedAboveMs === null || (!linked && current.degradedAboveMs !== undefined) ? ["degradedAboveMs" as const] : []),
  ];
  let op = ComponentEntity.patch({ pageId, componentId }).set({
    ...(u.name !== undefined && { name: u.name }),
    ...(u.description && { description: u.description }),
    ...(u.groupId && { groupId: u.groupId }),
    ...(u.monitorId && { monitorId: u.monitorId }),
    ...(u.manualStatus && { manualStatus: u.manualStatus }),
    ...(u.override && { override: { status: u.override, setAt: now } }),
    ...(linked && u.degradedAboveMs && { degradedAboveMs: u.degradedAboveMs }),
    updatedAt: now,
  });
  if (remove.length) op = op.remove(remove);
  await op.go();
  if (u.override !== undefined || u.manualStatus) {
    await Audit.record(access, "statusPage.component.status", { type: "component", id: componentId }, { manualStatus: u.manualStatus, override: u.override });
  }
  await StatusPage.touch(pageId, now);
  return getComponent(pageId, componentId);
}

export async function removeComponent(access: OrgAccess, pageId: string, componentId: string, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  await getComponent(pageId, componentId);
  await ComponentEntity.delete({ pageId, componentId }).go();
  await StatusPage.touch(pageId, now);
}

/** Reorders the whole page at once: every group and every component must appear exactly once. */
export async function setLayout(access: OrgAccess, pageId: string, input: LayoutInput, now = Date.now()) {
  await StatusPage.getOwned(access.orgId, pageId);
  const l = LayoutInput.parse(input);
  const { groups, components } = await read(pageId);
  const sameSet = (given: string[], actual: string[]) => given.length === actual.length && new Set(given).size === given.length && actual.every((id) => given.includes(id));
  if (!sameSet(l.groups.map((g) => g.groupId), groups.map((g) => g.groupId))) throw invalid("groups", "must list every group of the page exactly once");
  const placed = [...l.groups.flatMap((g) => g.componentIds), ...l.ungrouped];
  if (!sameSet(placed, components.map((c) => c.componentId))) throw invalid("groups", "must place every component of the page exactly once");
  await Promise.all([
    ...l.groups.map((g, order) => ComponentGroupEntity.patch({ pageId, groupId: g.groupId }).set({ order, updatedAt: now }).go()),
    ...l.groups.flatMap((g) =>
      g.componentIds.map((componentId, order) => ComponentEntity.patch({ pageId, componentId }).set({ groupId: g.groupId, order, updatedAt: now }).go()),
    ),
    ...l.ungrouped.map((componentId, order) => ComponentEntity.patch({ pageId, componentId }).remove(["groupId"]).set({ order, updatedAt: now }).go()),
  ]);
  await StatusPage.touch(pageId, now);
  return read(pageId);
}
