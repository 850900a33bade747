import { useState } from "preact/hooks";
import { api, authed, errorOf, type FieldErrors } from "../../api/client";
import { navigate } from "../../router";
import { can, useSession } from "../../session";
import { Field } from "../field";
import { Failed, Loading } from "../status";
import { AffectedComponents, componentsOf } from "./incidents";
import {
  ConfirmButton, IMPACTS, INCIDENT_STATUSES, PageTabs, Select, StatusTag, fromLocalInput, must, pagePath, problemOf, useLoad, when,
  type Component, type ComponentStatus, type IncidentStatus, type PostedIncident,
} from "./shared";

/** One posted incident: its timeline, a form for the next update, edits of past updates' text, deletion. */
export function PageIncident({ pageId, incidentId }: { pageId: string; incidentId: string }) {
  const me = useSession();
  const mayEdit = can("statusPages.write", me);
  const params = { path: { pageId, incidentId } };
  const { data, failure, reload } = useLoad(async () => {
    const [page, layout, incident] = await Promise.all([
      authed(() => api.GET("/v1/status-pages/{pageId}", { params: { path: { pageId } } })),
      authed(() => api.GET("/v1/status-pages/{pageId}/layout", { params: { path: { pageId } } })),
      authed(() => api.GET("/v1/status-pages/{pageId}/incidents/{incidentId}", { params })),
    ]);
    return { page: must(page, "the status page"), components: componentsOf(must(layout, "the layout")), incident: must(incident, "the incident") };
  }, [pageId, incidentId, me.orgId]);
  const [message, setMessage] = useState("");
  const [editing, setEditing] = useState<string | null>(null);

  if (!data) return failure ? <Failed message={failure} /> : <Loading />;
  const { page, components, incident } = data;
  const name = new Map(components.map((c) => [c.id, c.name]));
  const affected = components.filter((c) => incident.componentIds.includes(c.id));

  async function remove() {
    const { error } = await authed(() => api.DELETE("/v1/status-pages/{pageId}/incidents/{incidentId}", { params }));
    if (error) return setMessage(errorOf(error)?.message ?? "Could not delete the incident");
    navigate(pagePath(pageId, "/incidents"));
  }

  return (
    <>
      <PageTabs page={page} current="incidents" />
      <div class="title-row">
        <h1>{incident.title}</h1>
        <span class="tag">{INCIDENT_STATUSES[incident.status]}</span>
      </div>
      <p class="muted">
        Impact {IMPACTS[incident.impact].toLowerCase()} · started {when(incident.startedAt)}
        {incident.resolvedAt ? ` · resolved ${when(incident.resolvedAt)}` : ""}
        {affected.length ? ` · ${affected.map((c) => c.name).join(", ")}` : ""}
        {incident.sourceMonitorIncidentId ? " · promoted from a monitor incident" : ""}
      </p>
      {message && <Failed message={message} />}
      <section aria-labelledby="timeline-h">
        <h2 id="timeline-h">Timeline</h2>
        <ol class="timeline" reversed>
          {[...incident.updates].reverse().map((u) => (
            <li key={u.id}>
              <div><strong>{INCIDENT_STATUSES[u.status]}</strong> <span class="muted">{when(u.at)}{u.editedAt ? ` · edited ${when(u.editedAt)}` : ""}</span></div>
              {editing === u.id ? (
                <EditUpdate pageId={pageId} incidentId={incidentId} updateId={u.id} text={u.message} onDone={() => (setEditing(null), reload())} />
              ) : (
                <p class="update-text">{u.message}</p>
              )}
              {Object.keys(u.componentStatuses).length > 0 && (
                <p class="small">
                  {Object.entries(u.componentStatuses).map(([id, s]) => (
                    <span key={id} class="component-status">{name.get(id) ?? "deleted component"} <StatusTag status={s} /> </span>
                  ))}
                </p>
              )}
              {mayEdit && editing !== u.id && <button type="button" class="secondary" onClick={() => setEditing(u.id)}>Edit text</button>}
            </li>
          ))}
        </ol>
      </section>
      {mayEdit && (
        <>
          <section class="card" aria-labelledby="update-h">
            <h2 id="update-h">{incident.status === "resolved" ? "Add an update" : "Post an update or resolve"}</h2>
            <NewUpdate pageId={pageId} incident={incident} components={affected} onDone={reload} />
          </section>
          <div class="actions">
            <ConfirmButton label="Delete incident" question="Delete this incident and its updates from the page?" onConfirm={() => void remove()} />
          </div>
        </>
      )}
    </>
  );
}

function NewUpdate({ pageId, incident, components, onDone }: { pageId: string; incident: PostedIncident; components: Component[]; onDone: () => void }) {
  const last = incident.updates[incident.updates.length - 1];
  const [status, setStatus] = useState<IncidentStatus>(incident.status);
  const [message, setMessage] = useState("");
  const [statuses, setStatuses] = useState<Record<string, ComponentStatus>>(() => ({ ...(last?.componentStatuses ?? {}) }));
  const [at, setAt] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState("");

  async function post(nextStatus: IncidentStatus, text: string, componentStatuses: Record<string, ComponentStatus>) {
    const when = fromLocalInput(at);
    const body = { status: nextStatus, message: text, componentStatuses, ...(when ? { at: when } : {}) };
    const { error } = await authed(() => api.POST("/v1/status-pages/{pageId}/incidents/{incidentId}/updates", { params: { path: { pageId, incidentId: incident.id } }, body }));
    if (error) {
      const p = problemOf(error, ["status", "message", "componentStatuses", "at"], "Could not post the update");
      return (setErrors(p.byField), setProblem(p.message));
    }
    setMessage("");
    setErrors({});
    setProblem("");
    onDone();
  }
  const submit = (e: Event) => (e.preventDefault(), void post(status, message, Object.fromEntries(components.map((c) => [c.id, statuses[c.id] ?? "operational"]))));
  const resolve = () => void post("resolved", message || "This incident has been resolved.", Object.fromEntries(components.map((c) => [c.id, "operational" as const])));

  return (
    <form onSubmit={submit} noValidate>
      <Field label="Status" name="update-status" value={status} onInput={() => {}} error={errors.status}>
        <Select id="f-update-status" value={status} options={INCIDENT_STATUSES} onChange={setStatus} />
      </Field>
      <Field label="Message" name="update-message" value={message} onInput={setMessage} error={errors.message} multiline />
      {components.length > 0 && <AffectedComponents idPrefix="update" components={components} chosen={components.map((c) => c.id)} statuses={statuses} onStatuses={setStatuses} />}
      <Field label="When (optional)" name="update-at" value={at} onInput={setAt} error={errors.at} hint="Your local time; empty: now">
        <input id="f-update-at" type="datetime-local" value={at} onInput={(e) => setAt((e.target as HTMLInputElement).value)} aria-describedby="f-update-at-hint" />
      </Field>
      {problem && <p class="error" role="alert">{problem}</p>}
      <div class="actions">
        <button type="submit">Post update</button>
        {incident.status !== "resolved" && <button type="button" class="secondary" onClick={resolve}>Resolve</button>}
      </div>
    </form>
  );
}

function EditUpdate({ pageId, incidentId, updateId, text, onDone }: { pageId: string; incidentId: string; updateId: string; text: string; onDone: () => void }) {
  const [message, setMessage] = useState(text);
  const [problem, setProblem] = useState("");
  async function submit(e: Event) {
    e.preventDefault();
    const { error } = await authed(() => api.PATCH("/v1/status-pages/{pageId}/incidents/{incidentId}/updates/{updateId}", { params: { path: { pageId, incidentId, updateId } }, body: { message } }));
    if (error) return setProblem(problemOf(error, [], "Could not save the text").message);
    onDone();
  }
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Update text" name={`edit-${updateId}`} value={message} onInput={setMessage} multiline />
      {problem && <p class="error" role="alert">{problem}</p>}
      <div class="actions compact">
        <button type="submit">Save text</button>
        <button type="button" class="secondary" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
