import { useState } from "preact/hooks";
import { api, authed, errorOf, type FieldErrors } from "../../api/client";
import { navigate } from "../../router";
import { can, useSession } from "../../session";
import { Field } from "../field";
import { Failed, Loading } from "../status";
import { AffectedComponents, componentsOf } from "./incidents";
import {
  ConfirmButton, MAINTENANCE_STATUSES, PageTabs, fromLocalInput, must, pagePath, problemOf, toLocalInput, useLoad, when,
  type Component, type Maintenance,
} from "./shared";

const FIELDS = ["title", "message", "startsAt", "endsAt", "componentIds"];
const maintenancePath = (pageId: string, id: string) => pagePath(pageId, `/maintenance/${encodeURIComponent(id)}`);

/** As the public page shows it (core/status-pages/render.ts): planned until it starts, then when it really ran. */
function windowOf(m: Maintenance): string {
  if (!m.startedAt) return `${when(m.startsAt)} – ${when(m.endsAt)}`;
  if (m.status === "completed") return `${when(m.startedAt)} – ${when(m.completedAt ?? m.endsAt)}`;
  return `${when(m.startedAt)} – ${when(m.endsAt)} (planned end)`;
}

function useMaintenanceData(pageId: string, orgId: string | null, maintenanceId?: string) {
  return useLoad(async () => {
    const path = { path: { pageId } };
    const [page, layout, list, one] = await Promise.all([
      authed(() => api.GET("/v1/status-pages/{pageId}", { params: path })),
      authed(() => api.GET("/v1/status-pages/{pageId}/layout", { params: path })),
      maintenanceId ? null : authed(() => api.GET("/v1/status-pages/{pageId}/maintenance", { params: { ...path, query: { limit: 100 } } })),
      maintenanceId ? authed(() => api.GET("/v1/status-pages/{pageId}/maintenance/{maintenanceId}", { params: { path: { pageId, maintenanceId } } })) : null,
    ]);
    return {
      page: must(page, "the status page"), components: componentsOf(must(layout, "the layout")),
      list: list ? must(list, "the maintenance").data : [], one: one ? must(one, "the maintenance") : null,
    };
  }, [pageId, maintenanceId, orgId]);
}

/** Scheduled, in progress and completed maintenance of a page, and a form to schedule more. */
export function PageMaintenance({ pageId }: { pageId: string }) {
  const me = useSession();
  const { data, failure } = useMaintenanceData(pageId, me.orgId);
  if (!data) return failure ? <Failed message={failure} /> : <Loading />;
  const name = new Map(data.components.map((c) => [c.id, c.name]));
  const by = (status: Maintenance["status"]) => data.list.filter((m) => m.status === status);
  return (
    <>
      <PageTabs page={data.page} current="maintenance" />
      <h1>Maintenance</h1>
      {(["in_progress", "scheduled", "completed"] as const).map((status) => (
        <section key={status} aria-labelledby={`m-${status}`}>
          <h2 id={`m-${status}`}>{MAINTENANCE_STATUSES[status]}</h2>
          {by(status).length === 0 ? (
            <p class="muted">None.</p>
          ) : (
            <ul class="posted">
              {by(status).map((m) => (
                <li key={m.id}>
                  <a href={maintenancePath(pageId, m.id)}>{m.title}</a>{m.cancelled && <span class="tag"> Cancelled</span>}{" "}
                  <span class="muted">{windowOf(m)} · {m.componentIds.map((c) => name.get(c) ?? "deleted component").join(", ")}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ))}
      {can("statusPages.write", me) && (
        <section class="card" aria-labelledby="schedule-h">
          <h2 id="schedule-h">Schedule maintenance</h2>
          <MaintenanceForm pageId={pageId} components={data.components} onSaved={(m) => navigate(maintenancePath(pageId, m.id))} />
        </section>
      )}
    </>
  );
}

function MaintenanceForm({ pageId, components, current, onSaved, onCancel }: { pageId: string; components: Component[]; current?: Maintenance; onSaved: (m: Maintenance) => void; onCancel?: () => void }) {
  const inAnHour = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000);
  const [title, setTitle] = useState(current?.title ?? "");
  const [message, setMessage] = useState(current?.message ?? "");
  const [startsAt, setStartsAt] = useState(toLocalInput(current?.startsAt ?? inAnHour.toISOString()));
  const [endsAt, setEndsAt] = useState(toLocalInput(current?.endsAt ?? new Date(inAnHour.getTime() + 3_600_000).toISOString()));
  const [chosen, setChosen] = useState<string[]>(current?.componentIds ?? []);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    const body = { title, message, startsAt: fromLocalInput(startsAt) ?? "", endsAt: fromLocalInput(endsAt) ?? "", componentIds: chosen };
    const { data, error } = current
      ? await authed(() => api.PATCH("/v1/status-pages/{pageId}/maintenance/{maintenanceId}", { params: { path: { pageId, maintenanceId: current.id } }, body }))
      : await authed(() => api.POST("/v1/status-pages/{pageId}/maintenance", { params: { path: { pageId } }, body }));
    if (data) return onSaved(data);
    const p = problemOf(error, FIELDS, "Could not save the maintenance");
    setErrors(p.byField);
    setProblem(p.message);
  }

  const dateInput = (id: string, value: string, set: (v: string) => void) => (
    <input id={id} type="datetime-local" value={value} onInput={(e) => set((e.target as HTMLInputElement).value)} aria-invalid={errors[id.slice(2)] ? true : undefined} aria-describedby={errors[id.slice(2)] ? `${id}-error` : undefined} />
  );
  return (
    <form onSubmit={submit} noValidate>
      <Field label="Title" name="title" value={title} onInput={setTitle} error={errors.title} />
      <Field label="Message" name="message" value={message} onInput={setMessage} error={errors.message} multiline hint="What visitors read, e.g. The database will be read-only for up to an hour." />
      <div class="grid">
        <Field label="Starts (your local time)" name="startsAt" value={startsAt} onInput={setStartsAt} error={errors.startsAt}>{dateInput("f-startsAt", startsAt, setStartsAt)}</Field>
        <Field label="Ends (your local time)" name="endsAt" value={endsAt} onInput={setEndsAt} error={errors.endsAt}>{dateInput("f-endsAt", endsAt, setEndsAt)}</Field>
      </div>
      <AffectedComponents idPrefix={`maintenance-${current?.id ?? "new"}`} components={components} chosen={chosen} onChosen={setChosen} error={errors.componentIds} />
      {problem && <p class="error" role="alert">{problem}</p>}
      <div class="actions">
        <button type="submit">{current ? "Save changes" : "Schedule"}</button>
        {onCancel && <button type="button" class="secondary" onClick={onCancel}>Cancel</button>}
      </div>
    </form>
  );
}

/** One maintenance window: change it, start or complete it by hand, cancel it, post updates. */
export function PageMaintenanceDetails({ pageId, maintenanceId }: { pageId: string; maintenanceId: string }) {
  const me = useSession();
  const mayEdit = can("statusPages.write", me);
  const { data, failure, reload } = useMaintenanceData(pageId, me.orgId, maintenanceId);
  const [changing, setChanging] = useState(false);
  const [message, setMessage] = useState("");
  const [update, setUpdate] = useState("");
  if (!data?.one) return failure ? <Failed message={failure} /> : <Loading />;
  const m = data.one;
  const params = { path: { pageId, maintenanceId } };
  const name = new Map(data.components.map((c) => [c.id, c.name]));
  const open = m.status !== "completed";

  async function run(call: () => Promise<{ error?: unknown }>, what: string) {
    const { error } = await call();
    setMessage(error ? (errorOf(error)?.message ?? `Could not ${what}`) : "");
    reload();
    return !error;
  }
  const move = (status: "in_progress" | "completed") => void run(() => authed(() => api.POST("/v1/status-pages/{pageId}/maintenance/{maintenanceId}/status", { params, body: { status } })), "change the status");
  async function postUpdate(e: Event) {
    e.preventDefault();
    if (await run(() => authed(() => api.POST("/v1/status-pages/{pageId}/maintenance/{maintenanceId}/updates", { params, body: { message: update } })), "post the update")) setUpdate("");
  }

  return (
    <>
      <PageTabs page={data.page} current="maintenance" />
      <div class="title-row">
        <h1>{m.title}</h1>
        <span class="tag">{m.cancelled ? "Cancelled" : MAINTENANCE_STATUSES[m.status]}</span>
      </div>
      <p class="muted">{windowOf(m)} · {m.componentIds.map((c) => name.get(c) ?? "deleted component").join(", ")}</p>
      <p class="update-text">{m.message}</p>
      {message && <Failed message={message} />}
      {mayEdit && open && !changing && (
        <div class="actions">
          {m.status === "scheduled" && <button type="button" onClick={() => move("in_progress")}>Start now</button>}
          {m.status === "in_progress" && <button type="button" onClick={() => move("completed")}>Complete now</button>}
          <button type="button" class="secondary" onClick={() => setChanging(true)}>Change</button>
          <ConfirmButton label="Cancel maintenance" question="Cancel this maintenance? Subscribers are told." onConfirm={() => void run(() => authed(() => api.POST("/v1/status-pages/{pageId}/maintenance/{maintenanceId}/cancel", { params })), "cancel")} />
        </div>
      )}
      {changing && (
        <section class="card" aria-labelledby="change-h">
          <h2 id="change-h">Change the maintenance</h2>
          <MaintenanceForm pageId={pageId} components={data.components} current={m} onSaved={() => (setChanging(false), reload())} onCancel={() => setChanging(false)} />
        </section>
      )}
      <section aria-labelledby="m-updates-h">
        <h2 id="m-updates-h">Updates</h2>
        <ol class="timeline" reversed>
          {[...m.updates].reverse().map((u) => (
            <li key={u.id}>
              <div><strong>{MAINTENANCE_STATUSES[u.status]}</strong> <span class="muted">{when(u.at)}</span></div>
              <p class="update-text">{u.message}</p>
            </li>
          ))}
        </ol>
        {mayEdit && open && (
          <form onSubmit={postUpdate} noValidate class="card">
            <Field label="Post an update" name="maintenance-update" value={update} onInput={setUpdate} multiline />
            <div class="actions"><button type="submit">Post update</button></div>
          </form>
        )}
      </section>
    </>
  );
}
