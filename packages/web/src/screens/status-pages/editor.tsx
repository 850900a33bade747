import { useState } from "preact/hooks";
import { api, authed, errorOf, type FieldErrors, type Monitor } from "../../api/client";
import { can, useSession } from "../../session";
import { Field } from "../field";
import { Failed, Loading } from "../status";
import { COMPONENT_STATUSES, ConfirmButton, PageTabs, Select, StatusTag, must, problemOf, useLoad, type Component, type ComponentStatus, type Layout } from "./shared";

const COMPONENT_FIELDS = ["name", "description", "groupId", "monitorId", "manualStatus", "override", "degradedAboveMs"];

/** Every monitor of the organisation, for the component's monitor picker (pages of 100). */
async function allMonitors() {
  const out: Monitor[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = must(await authed(() => api.GET("/v1/monitors", { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), "the monitors");
    out.push(...page.data);
    if (!page.cursor) break;
    cursor = page.cursor;
  }
  return out;
}

/** The page's groups and components: add, rename, reorder, delete; link components to monitors. */
export function StatusPageEditor({ pageId }: { pageId: string }) {
  const me = useSession();
  const mayEdit = can("statusPages.write", me);
  const path = { path: { pageId } };
  const { data, failure, reload } = useLoad(async () => {
    const [page, layout, count, monitors] = await Promise.all([
      authed(() => api.GET("/v1/status-pages/{pageId}", { params: path })),
      authed(() => api.GET("/v1/status-pages/{pageId}/layout", { params: path })),
      authed(() => api.GET("/v1/status-pages/{pageId}/subscribers/count", { params: path })),
      allMonitors(),
    ]);
    return { page: must(page, "the status page"), layout: must(layout, "the layout"), subscribers: count.data?.count ?? null, monitors };
  }, [pageId, me.orgId]);
  const [message, setMessage] = useState("");
  const [editing, setEditing] = useState<string | null>(null);

  if (!data) return failure ? <Failed message={failure} /> : <Loading />;
  const { page, layout, monitors } = data;
  const monitorName = new Map(monitors.map((m) => [m.id, m.name]));

  async function run(call: () => Promise<{ error?: unknown }>, what: string) {
    const { error } = await call();
    setMessage(error ? (errorOf(error)?.message ?? `Could not ${what}`) : "");
    reload();
  }

  function putLayout(next: Layout) {
    const body = { groups: next.groups.map((g) => ({ groupId: g.id, componentIds: g.components.map((c) => c.id) })), ungrouped: next.ungrouped.map((c) => c.id) };
    void run(() => authed(() => api.PUT("/v1/status-pages/{pageId}/layout", { params: path, body })), "reorder");
  }
  const swap = <T,>(list: T[], i: number, j: number) => {
    const copy = [...list];
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    return copy;
  };
  const moveGroup = (i: number, by: number) => putLayout({ ...layout, groups: swap(layout.groups, i, i + by) });
  const moveComponent = (groupIndex: number | null, i: number, by: number) =>
    putLayout(
      groupIndex === null
        ? { ...layout, ungrouped: swap(layout.ungrouped, i, i + by) }
        : { ...layout, groups: layout.groups.map((g, gi) => (gi === groupIndex ? { ...g, components: swap(g.components, i, i + by) } : g)) },
    );

  function componentRows(components: Component[], groupIndex: number | null) {
    if (components.length === 0) return <p class="muted">No components in this group.</p>;
    return (
      <ul class="components">
        {components.map((c, i) =>
          editing === c.id ? (
            <li key={c.id}>
              <ComponentForm pageId={pageId} layout={layout} monitors={monitors} component={c} onDone={() => (setEditing(null), reload())} />
            </li>
          ) : (
            <li key={c.id} data-component={c.name}>
              <div class="component-line">
                <strong>{c.name}</strong>
                {c.monitorId ? (
                  <span class="muted">
                    follows <a href={`/monitors/${encodeURIComponent(c.monitorId)}`}>{monitorName.get(c.monitorId) ?? "a deleted monitor"}</a>
                    {c.degradedAboveMs ? ` · degraded above ${c.degradedAboveMs} ms` : ""}
                  </span>
                ) : (
                  <StatusTag status={c.manualStatus} />
                )}
                {c.override && <span class="muted">overridden: <StatusTag status={c.override.status} /></span>}
              </div>
              {c.description && <div class="muted small">{c.description}</div>}
              {mayEdit && (
                <div class="actions compact">
                  <button type="button" class="secondary" disabled={i === 0} onClick={() => moveComponent(groupIndex, i, -1)} aria-label={`Move ${c.name} up`}>↑</button>
                  <button type="button" class="secondary" disabled={i === components.length - 1} onClick={() => moveComponent(groupIndex, i, 1)} aria-label={`Move ${c.name} down`}>↓</button>
                  <button type="button" class="secondary" onClick={() => setEditing(c.id)} aria-label={`Edit ${c.name}`}>Edit</button>
                  <ConfirmButton label="Delete" question={`Delete ${c.name}?`} onConfirm={() => void run(() => authed(() => api.DELETE("/v1/status-pages/{pageId}/components/{componentId}", { params: { path: { pageId, componentId: c.id } } })), "delete the component")} />
                </div>
              )}
            </li>
          ),
        )}
      </ul>
    );
  }

  return (
    <>
      <PageTabs page={page} current="components" />
      <div class="title-row">
        <h1>{page.title}</h1>
        <span class="muted">{data.subscribers ?? "–"} subscriber{data.subscribers === 1 ? "" : "s"}</span>
      </div>
      {message && <Failed message={message} />}
      {layout.groups.map((g, gi) => (
        <section key={g.id} class="card group" aria-labelledby={`group-${g.id}`} data-group={g.name}>
          {editing === g.id ? (
            <GroupForm pageId={pageId} groupId={g.id} name={g.name} collapsed={g.collapsed} onDone={() => (setEditing(null), reload())} />
          ) : (
            <div class="title-row">
              <h2 id={`group-${g.id}`}>{g.name}{g.collapsed && <span class="muted small"> (collapsed on the page)</span>}</h2>
              {mayEdit && (
                <div class="actions compact">
                  <button type="button" class="secondary" disabled={gi === 0} onClick={() => moveGroup(gi, -1)} aria-label={`Move group ${g.name} up`}>↑</button>
                  <button type="button" class="secondary" disabled={gi === layout.groups.length - 1} onClick={() => moveGroup(gi, 1)} aria-label={`Move group ${g.name} down`}>↓</button>
                  <button type="button" class="secondary" onClick={() => setEditing(g.id)} aria-label={`Rename group ${g.name}`}>Rename</button>
                  <ConfirmButton label="Delete group" question={`Delete ${g.name}? Its components stay, ungrouped.`} onConfirm={() => void run(() => authed(() => api.DELETE("/v1/status-pages/{pageId}/groups/{groupId}", { params: { path: { pageId, groupId: g.id } } })), "delete the group")} />
                </div>
              )}
            </div>
          )}
          {componentRows(g.components, gi)}
        </section>
      ))}
      {(layout.ungrouped.length > 0 || layout.groups.length === 0) && (
        <section class="card group" aria-labelledby="group-none">
          <h2 id="group-none">{layout.groups.length ? "Not in a group" : "Components"}</h2>
          {componentRows(layout.ungrouped, null)}
        </section>
      )}
      {mayEdit && (
        <div class="two-up">
          <section class="card" aria-labelledby="add-group-h">
            <h2 id="add-group-h">Add a group</h2>
            <GroupForm pageId={pageId} onDone={reload} />
          </section>
          <section class="card" aria-labelledby="add-component-h">
            <h2 id="add-component-h">Add a component</h2>
            <ComponentForm pageId={pageId} layout={layout} monitors={monitors} onDone={reload} />
          </section>
        </div>
      )}
    </>
  );
}

function GroupForm({ pageId, groupId, name = "", collapsed = false, onDone }: { pageId: string; groupId?: string; name?: string; collapsed?: boolean; onDone: () => void }) {
  const [text, setText] = useState(name);
  const [folded, setFolded] = useState(collapsed);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const key = groupId ?? "new";
  async function submit(e: Event) {
    e.preventDefault();
    const body = { name: text, collapsed: folded };
    const { error } = groupId
      ? await authed(() => api.PATCH("/v1/status-pages/{pageId}/groups/{groupId}", { params: { path: { pageId, groupId } }, body }))
      : await authed(() => api.POST("/v1/status-pages/{pageId}/groups", { params: { path: { pageId } }, body }));
    if (error) {
      const p = problemOf(error, ["name", "collapsed"], "Could not save the group");
      return (setErrors(p.byField), setMessage(p.message));
    }
    if (!groupId) (setText(""), setFolded(false));
    setErrors({});
    setMessage("");
    onDone();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Group name" name={`group-${key}`} value={text} onInput={setText} error={errors.name} />
      <div class="field checkbox">
        <input id={`f-collapsed-${key}`} type="checkbox" checked={folded} onChange={(e) => setFolded((e.target as HTMLInputElement).checked)} />
        <label for={`f-collapsed-${key}`}>Collapsed on the public page</label>
      </div>
      {message && <p class="error" role="alert">{message}</p>}
      <div class="actions">
        <button type="submit">{groupId ? "Save group" : "Add group"}</button>
        {groupId && <button type="button" class="secondary" onClick={onDone}>Cancel</button>}
      </div>
    </form>
  );
}

function ComponentForm({ pageId, layout, monitors, component, onDone }: { pageId: string; layout: Layout; monitors: Monitor[]; component?: Component; onDone: () => void }) {
  const key = component?.id ?? "new";
  const [name, setName] = useState(component?.name ?? "");
  const [description, setDescription] = useState(component?.description ?? "");
  const [groupId, setGroupId] = useState(component?.groupId ?? layout.groups[layout.groups.length - 1]?.id ?? "");
  const [linked, setLinked] = useState(component ? !!component.monitorId : monitors.length > 0);
  const [monitorId, setMonitorId] = useState(component?.monitorId ?? monitors[0]?.id ?? "");
  const [manualStatus, setManualStatus] = useState<ComponentStatus>(component?.manualStatus ?? "operational");
  const [override, setOverride] = useState<ComponentStatus | "">(component?.override?.status ?? "");
  const [degradedAboveMs, setDegradedAboveMs] = useState(component?.degradedAboveMs ? String(component.degradedAboveMs) : "");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const id = (f: string) => `f-${f}-${key}`;

  async function submit(e: Event) {
    e.preventDefault();
    const threshold = degradedAboveMs.trim() ? Number(degradedAboveMs) : null;
    let error: unknown;
    if (component) {
      const body = {
        name, description: description || null, groupId: groupId || null, monitorId: linked ? monitorId || null : null,
        manualStatus, override: linked && override ? override : null, degradedAboveMs: linked ? threshold : null,
      };
      ({ error } = await authed(() => api.PATCH("/v1/status-pages/{pageId}/components/{componentId}", { params: { path: { pageId, componentId: component.id } }, body })));
    } else {
      const body = {
        name, ...(description ? { description } : {}), ...(groupId ? { groupId } : {}),
        ...(linked ? { monitorId, ...(override ? { override } : {}), ...(threshold !== null ? { degradedAboveMs: threshold } : {}) } : { manualStatus }),
      };
      ({ error } = await authed(() => api.POST("/v1/status-pages/{pageId}/components", { params: { path: { pageId } }, body })));
    }
    if (error) {
      const p = problemOf(error, COMPONENT_FIELDS, "Could not save the component");
      return (setErrors(p.byField), setMessage(p.message));
    }
    if (!component) (setName(""), setDescription(""), setOverride(""), setDegradedAboveMs(""));
    setErrors({});
    setMessage("");
    onDone();
  }

  return (
    <form onSubmit={submit} noValidate class={component ? "card inset" : undefined}>
      <Field label="Component name" name={`name-${key}`} value={name} onInput={setName} error={errors.name} />
      <Field label="Description" name={`description-${key}`} value={description} onInput={setDescription} error={errors.description} hint="Optional" />
      <Field label="Group" name={`groupId-${key}`} value={groupId} onInput={setGroupId} error={errors.groupId}>
        <select id={id("groupId")} value={groupId} onChange={(e) => setGroupId((e.target as HTMLSelectElement).value)}>
          <option value="">No group</option>
          {layout.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
        </select>
      </Field>
      <fieldset class="plain">
        <legend>Status comes from</legend>
        <div class="field checkbox">
          <input type="radio" id={id("linked")} name={`kind-${key}`} checked={linked} disabled={monitors.length === 0} onChange={() => setLinked(true)} />
          <label for={id("linked")}>A monitor{monitors.length === 0 ? " (create a monitor first)" : ""}</label>
        </div>
        <div class="field checkbox">
          <input type="radio" id={id("static")} name={`kind-${key}`} checked={!linked} onChange={() => setLinked(false)} />
          <label for={id("static")}>Set by hand</label>
        </div>
      </fieldset>
      {linked ? (
        <>
          <Field label="Monitor" name={`monitorId-${key}`} value={monitorId} onInput={setMonitorId} error={errors.monitorId}>
            <select id={id("monitorId")} value={monitorId} onChange={(e) => setMonitorId((e.target as HTMLSelectElement).value)}>
              {monitors.map((m) => <option key={m.id} value={m.id}>{m.name}</option>)}
            </select>
          </Field>
          <div class="grid">
            <Field label="Override" name={`override-${key}`} value={override} onInput={() => {}} error={errors.override} hint="Shown instead of the monitor's status, marked as set by hand">
              <select id={id("override")} value={override} onChange={(e) => setOverride((e.target as HTMLSelectElement).value as ComponentStatus | "")}>
                <option value="">None: follow the monitor</option>
                {(Object.keys(COMPONENT_STATUSES) as ComponentStatus[]).map((s) => <option key={s} value={s}>{COMPONENT_STATUSES[s]}</option>)}
              </select>
            </Field>
            <Field label="Degraded above (ms)" name={`degradedAboveMs-${key}`} type="number" value={degradedAboveMs} onInput={setDegradedAboveMs} error={errors.degradedAboveMs} hint="Optional latency threshold" />
          </div>
        </>
      ) : (
        <Field label="Status" name={`manualStatus-${key}`} value={manualStatus} onInput={() => {}} error={errors.manualStatus}>
          <Select id={id("manualStatus")} value={manualStatus} options={COMPONENT_STATUSES} onChange={setManualStatus} />
        </Field>
      )}
      {message && <p class="error" role="alert">{message}</p>}
      <div class="actions">
        <button type="submit">{component ? "Save component" : "Add component"}</button>
        {component && <button type="button" class="secondary" onClick={onDone}>Cancel</button>}
      </div>
    </form>
  );
}
