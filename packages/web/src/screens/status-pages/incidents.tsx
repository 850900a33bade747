import { useState } from "preact/hooks";
import { api, authed, type FieldErrors, type Incident } from "../../api/client";
import { navigate } from "../../router";
import { can, useSession } from "../../session";
import { Field } from "../field";
import { Failed, Loading } from "../status";
import {
  COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, PageTabs, Select, fromLocalInput, must, pagePath, problemOf, useLoad, when,
  type Component, type ComponentStatus, type Impact, type IncidentStatus, type Layout,
} from "./shared";

export const componentsOf = (layout: Layout): Component[] => [...layout.groups.flatMap((g) => g.components), ...layout.ungrouped];

/** Checkboxes for the affected components, each with the status it has at this update when `statuses` is given. */
export function AffectedComponents({ components, chosen, onChosen, statuses, onStatuses, error, idPrefix }: {
  components: Component[]; chosen: string[]; onChosen?: (ids: string[]) => void; error?: string; idPrefix: string;
  statuses?: Record<string, ComponentStatus>; onStatuses?: (s: Record<string, ComponentStatus>) => void;
}) {
  if (components.length === 0) return <p class="muted">This page has no components yet.</p>;
  return (
    <fieldset class="plain affected">
      <legend>Affected components</legend>
      {components.map((c) => {
        const on = chosen.includes(c.id);
        return (
          <div key={c.id} class="affected-row">
            {onChosen ? (
              <span class="field checkbox">
                <input type="checkbox" id={`${idPrefix}-${c.id}`} checked={on} onChange={(e) => onChosen((e.target as HTMLInputElement).checked ? [...chosen, c.id] : chosen.filter((x) => x !== c.id))} />
                <label for={`${idPrefix}-${c.id}`}>{c.name}</label>
              </span>
            ) : (
              <span>{c.name}</span>
            )}
            {statuses && onStatuses && (on || !onChosen) && (
              <Select id={`${idPrefix}-status-${c.id}`} label={`Status of ${c.name}`} value={statuses[c.id] ?? "operational"} options={COMPONENT_STATUSES} onChange={(v) => onStatuses({ ...statuses, [c.id]: v })} />
            )}
          </div>
        );
      })}
      {error && <small class="error">{error}</small>}
    </fieldset>
  );
}

/** The posted incidents of a page, a form to post one, and automatic monitor incidents to promote. */
export function PageIncidents({ pageId }: { pageId: string }) {
  const me = useSession();
  const mayEdit = can("statusPages.write", me);
  const path = { path: { pageId } };
  const { data, failure, reload } = useLoad(async () => {
    const [page, layout, incidents, monitorIncidents, openMonitorIncidents] = await Promise.all([
      authed(() => api.GET("/v1/status-pages/{pageId}", { params: path })),
      authed(() => api.GET("/v1/status-pages/{pageId}/layout", { params: path })),
      authed(() => api.GET("/v1/status-pages/{pageId}/incidents", { params: { ...path, query: { limit: 50 } } })),
      authed(() => api.GET("/v1/incidents", { params: { query: { limit: 20 } } })),
      // However old: an open one shows on the page until its monitor recovers.
      authed(() => api.GET("/v1/incidents", { params: { query: { status: "open", days: 365, limit: 100 } } })),
    ]);
    return {
      page: must(page, "the status page"), components: componentsOf(must(layout, "the layout")),
      incidents: must(incidents, "the incidents").data, monitorIncidents: monitorIncidents.data?.data ?? [],
      openMonitorIncidents: openMonitorIncidents.data?.data ?? [],
    };
  }, [pageId, me.orgId]);
  if (!data) return failure ? <Failed message={failure} /> : <Loading />;
  const { page, components, incidents } = data;
  const name = new Map(components.map((c) => [c.id, c.name]));
  const posted = new Set(incidents.map((i) => i.sourceMonitorIncidentId).filter(Boolean));
  const promotable = data.monitorIncidents.filter((i) => !posted.has(i.id));
  // What the public page shows on its own (core/status-pages/snapshot.ts): a linked monitor's open incident, until promoted.
  const automatic = page.autoPublishIncidents
    ? data.openMonitorIncidents.filter((i) => !posted.has(i.id) && components.some((c) => c.monitorId === i.monitorId))
    : [];
  const open = incidents.filter((i) => i.status !== "resolved");
  const resolved = incidents.filter((i) => i.status === "resolved");

  const list = (items: typeof incidents) => (
    <ul class="posted">
      {items.map((i) => (
        <li key={i.id} class={`impact-${i.impact}`}>
          <a href={pagePath(pageId, `/incidents/${encodeURIComponent(i.id)}`)}>{i.title}</a>{" "}
          <span class="tag">{INCIDENT_STATUSES[i.status]}</span> <span class="muted">impact {IMPACTS[i.impact].toLowerCase()} · started {when(i.startedAt)}
          {i.componentIds.length ? ` · ${i.componentIds.map((c) => name.get(c) ?? "deleted component").join(", ")}` : ""}</span>
        </li>
      ))}
    </ul>
  );

  return (
    <>
      <PageTabs page={page} current="incidents" />
      <h1>Incidents</h1>
      <section aria-labelledby="open-h">
        <h2 id="open-h">Unresolved</h2>
        {open.length > 0 && list(open)}
        {automatic.length > 0 && (
          <>
            <p>Shown automatically while the linked monitor is down (promote one to write its updates yourself):</p>
            <ul class="posted automatic">
              {automatic.map((i) => (
                <li key={i.id} class="impact-major">
                  <a href={`/monitors/${encodeURIComponent(i.monitorId)}`}>{`${components.filter((c) => c.monitorId === i.monitorId).map((c) => c.name).join(", ")} unavailable`}</a>{" "}
                  <span class="tag">Automatic</span> <span class="muted">monitor {i.monitorName} · started {when(i.startedAt)}</span>
                </li>
              ))}
            </ul>
          </>
        )}
        {open.length === 0 && automatic.length === 0 && <p class="muted">None: the page shows no incident.</p>}
      </section>
      {mayEdit && (
        <div class="two-up">
          <section class="card" aria-labelledby="post-h">
            <h2 id="post-h">Post an incident</h2>
            <NewIncident pageId={pageId} components={components} />
          </section>
          <section class="card" aria-labelledby="promote-h">
            <h2 id="promote-h">Promote a monitor incident</h2>
            <Promote pageId={pageId} components={components} incidents={promotable} onDone={reload} />
          </section>
        </div>
      )}
      <section aria-labelledby="resolved-h">
        <h2 id="resolved-h">Resolved</h2>
        {resolved.length ? list(resolved) : <p class="muted">None yet.</p>}
      </section>
    </>
  );
}

function NewIncident({ pageId, components }: { pageId: string; components: Component[] }) {
  const [title, setTitle] = useState("");
  const [impact, setImpact] = useState<Impact>("minor");
  const [chosen, setChosen] = useState<string[]>([]);
  const [statuses, setStatuses] = useState<Record<string, ComponentStatus>>({});
  const [status, setStatus] = useState<IncidentStatus>("investigating");
  const [message, setMessage] = useState("");
  const [startedAt, setStartedAt] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    const at = fromLocalInput(startedAt);
    const componentStatuses = Object.fromEntries(chosen.map((id) => [id, statuses[id] ?? "operational"]));
    const body = { title, impact, componentIds: chosen, ...(at ? { startedAt: at } : {}), update: { message, status, componentStatuses, ...(at ? { at } : {}) } };
    const { data, error } = await authed(() => api.POST("/v1/status-pages/{pageId}/incidents", { params: { path: { pageId } }, body }));
    if (data) return navigate(pagePath(pageId, `/incidents/${encodeURIComponent(data.id)}`));
    const p = problemOf(error, ["title", "impact", "componentIds", "startedAt", "update"], "Could not post the incident");
    setErrors(p.byField);
    setProblem(p.message);
  }

  return (
    <form onSubmit={submit} noValidate>
      <Field label="Title" name="incident-title" value={title} onInput={setTitle} error={errors.title} />
      <div class="grid">
        <Field label="Impact" name="incident-impact" value={impact} onInput={() => {}} error={errors.impact}>
          <Select id="f-incident-impact" value={impact} options={IMPACTS} onChange={setImpact} />
        </Field>
        <Field label="Status" name="incident-status" value={status} onInput={() => {}}>
          <Select id="f-incident-status" value={status} options={INCIDENT_STATUSES} onChange={setStatus} />
        </Field>
      </div>
      <AffectedComponents idPrefix="new-incident" components={components} chosen={chosen} onChosen={setChosen} statuses={statuses} onStatuses={setStatuses} error={errors.componentIds} />
      <Field label="First update" name="incident-message" value={message} onInput={setMessage} error={errors.update} multiline hint="What visitors read, e.g. We are investigating errors on the website." />
      <Field label="Started at (optional)" name="incident-startedAt" value={startedAt} onInput={setStartedAt} error={errors.startedAt} hint="Your local time; empty: now">
        <input id="f-incident-startedAt" type="datetime-local" value={startedAt} onInput={(e) => setStartedAt((e.target as HTMLInputElement).value)} aria-describedby="f-incident-startedAt-hint" />
      </Field>
      {problem && <p class="error" role="alert">{problem}</p>}
      <div class="actions"><button type="submit">Post incident</button></div>
    </form>
  );
}

function Promote({ pageId, components, incidents, onDone }: { pageId: string; components: Component[]; incidents: Incident[]; onDone: () => void }) {
  const [source, setSource] = useState(incidents[0]?.id ?? "");
  const [title, setTitle] = useState("");
  const [impact, setImpact] = useState<Impact>("major");
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState("");
  if (incidents.length === 0) return <p class="muted">No monitor incident in the last 30 days that is not posted already.</p>;
  const picked = incidents.find((i) => i.id === source) ?? incidents[0]!;

  async function submit(e: Event) {
    e.preventDefault();
    const ids = chosen.length ? chosen : components.filter((c) => c.monitorId === picked.monitorId).map((c) => c.id);
    const body = { monitorIncidentId: picked.id, impact, ...(title ? { title } : {}), ...(ids.length ? { componentIds: ids } : {}) };
    const { data, error } = await authed(() => api.POST("/v1/status-pages/{pageId}/incidents/promote", { params: { path: { pageId } }, body }));
    if (data) return navigate(pagePath(pageId, `/incidents/${encodeURIComponent(data.id)}`));
    setProblem(problemOf(error, [], "Could not promote the incident").message);
    onDone();
  }

  return (
    <form onSubmit={submit} noValidate>
      <Field label="Monitor incident" name="promote-source" value={source} onInput={() => {}}>
        <select id="f-promote-source" value={picked.id} onChange={(e) => setSource((e.target as HTMLSelectElement).value)}>
          {incidents.map((i) => (
            <option key={i.id} value={i.id}>{`${i.monitorName}: ${i.reason} (${i.status}, ${when(i.startedAt)})`}</option>
          ))}
        </select>
      </Field>
      <Field label="Title" name="promote-title" value={title} onInput={setTitle} hint="Empty: named after the monitor" />
      <Field label="Impact" name="promote-impact" value={impact} onInput={() => {}}>
        <Select id="f-promote-impact" value={impact} options={IMPACTS} onChange={setImpact} />
      </Field>
      <AffectedComponents idPrefix="promote" components={components} chosen={chosen} onChosen={setChosen} />
      <p class="muted small">No component chosen: the components that follow this monitor.</p>
      {problem && <p class="error" role="alert">{problem}</p>}
      <div class="actions"><button type="submit">Promote</button></div>
    </form>
  );
}
