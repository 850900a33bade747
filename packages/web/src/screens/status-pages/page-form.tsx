import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, type FieldErrors } from "../../api/client";
import { navigate } from "../../router";
import { can, useSession } from "../../session";
import { Field } from "../field";
import { Failed, Loading } from "../status";
import { ConfirmButton, PageTabs, pagePath, problemOf, type StatusPage } from "./shared";

type Text = Record<"slug" | "title" | "description" | "logoUrl" | "theme" | "visibility" | "password" | "timeZone" | "autoPublishIncidents" | "customDomain", string>;
const FIELDS = ["slug", "title", "description", "logoUrl", "theme", "visibility", "password", "timeZone", "autoPublishIncidents", "customDomain"];

const blank = (): Text => ({
  slug: "", title: "", description: "", logoUrl: "", theme: "auto", visibility: "public", password: "",
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", autoPublishIncidents: "yes", customDomain: "",
});
const fromPage = (p: StatusPage): Text => ({
  slug: p.slug, title: p.title, description: p.description ?? "", logoUrl: p.logoUrl ?? "", theme: p.theme,
  visibility: p.visibility, password: "", timeZone: p.timeZone, autoPublishIncidents: p.autoPublishIncidents ? "yes" : "no",
  customDomain: p.customDomain ?? "",
});

const zones = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["UTC"];
  }
})();

/** Create a status page, or change one's settings (and delete it) when `id` is given. */
export function StatusPageForm({ id }: { id?: string }) {
  const me = useSession();
  const [page, setPage] = useState<StatusPage | null>(null);
  const [text, setText] = useState<Text | null>(id ? null : blank());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const mayEdit = can("statusPages.write", me);

  useEffect(() => {
    if (!id) return;
    void authed(() => api.GET("/v1/status-pages/{pageId}", { params: { path: { pageId: id } } })).then(({ data, error }) => {
      if (data) (setPage(data), setText(fromPage(data)));
      else setMessage(errorOf(error)?.message ?? "Could not load the status page");
    });
  }, [id]);

  if (!id && !mayEdit) return <Failed message={`Your role in this organisation (${me.role}) may not create status pages.`} />;
  if (!text) return message ? <Failed message={message} /> : <Loading />;
  const set = (k: keyof Text) => (v: string) => setText({ ...text, [k]: v });
  const pick = (e: Event) => (e.target as HTMLSelectElement).value;

  async function submit(e: Event) {
    e.preventDefault();
    if (!mayEdit) return;
    setBusy(true);
    const t = text!;
    const common = {
      slug: t.slug.trim(), title: t.title, theme: t.theme as StatusPage["theme"], visibility: t.visibility as StatusPage["visibility"],
      timeZone: t.timeZone, ...(t.visibility === "protected" && t.password ? { password: t.password } : {}),
      autoPublishIncidents: t.autoPublishIncidents === "yes",
    };
    const domain = t.customDomain.trim();
    const { data, error } = id
      ? await authed(() =>
          api.PATCH("/v1/status-pages/{pageId}", {
            params: { path: { pageId: id } },
            body: { ...common, description: t.description || null, logoUrl: t.logoUrl || null, customDomain: domain || null },
          }),
        )
      : await authed(() =>
          api.POST("/v1/status-pages", {
            body: { ...common, ...(t.description ? { description: t.description } : {}), ...(t.logoUrl ? { logoUrl: t.logoUrl } : {}), ...(domain ? { customDomain: domain } : {}) },
          }),
        );
    setBusy(false);
    if (data) return navigate(pagePath(data.id));
    const problem = problemOf(error, FIELDS, "Could not save");
    setErrors(problem.byField);
    setMessage(problem.message);
  }

  async function remove() {
    const { error } = await authed(() => api.DELETE("/v1/status-pages/{pageId}", { params: { path: { pageId: id! } } }));
    if (error) return setMessage(errorOf(error)?.message ?? "Could not delete the page");
    navigate("/status-pages");
  }

  return (
    <>
      {page && <PageTabs page={page} current="settings" />}
      <form class="card monitor-form" onSubmit={submit} noValidate>
        <h1>{id ? "Page settings" : "New status page"}</h1>
        <fieldset disabled={!mayEdit} class="plain">
          <Field label="Title" name="title" value={text.title} onInput={set("title")} error={errors.title} />
          <Field label="Slug" name="slug" value={text.slug} onInput={set("slug")} error={errors.slug} hint="Lowercase letters, digits and dashes; the page lives at /status/<slug>" />
          <Field label="Description" name="description" value={text.description} onInput={set("description")} error={errors.description} multiline />
          <Field label="Logo URL" name="logoUrl" type="url" value={text.logoUrl} onInput={set("logoUrl")} error={errors.logoUrl} hint="Optional" />
          <div class="grid">
            <Field label="Theme" name="theme" value={text.theme} onInput={set("theme")} error={errors.theme}>
              <select id="f-theme" value={text.theme} onChange={(e) => set("theme")(pick(e))}>
                <option value="auto">Follow the visitor's system</option>
                <option value="light">Light</option>
                <option value="dark">Dark</option>
              </select>
            </Field>
            <Field label="Time zone" name="timeZone" value={text.timeZone} onInput={set("timeZone")} error={errors.timeZone}>
              <select id="f-timeZone" value={text.timeZone} onChange={(e) => set("timeZone")(pick(e))}>
                {(zones.includes(text.timeZone) ? zones : [text.timeZone, ...zones]).map((z) => <option key={z} value={z}>{z}</option>)}
              </select>
            </Field>
            <Field label="Visibility" name="visibility" value={text.visibility} onInput={set("visibility")} error={errors.visibility}>
              <select id="f-visibility" value={text.visibility} onChange={(e) => set("visibility")(pick(e))}>
                <option value="public">Public</option>
                <option value="protected">Protected by a password</option>
              </select>
            </Field>
          </div>
          <Field
            label="Monitor incidents" name="autoPublishIncidents" value={text.autoPublishIncidents} onInput={set("autoPublishIncidents")} error={errors.autoPublishIncidents}
            hint="When a linked monitor goes down, its incident can appear on the page at once (marked as automatic), or wait until you promote it from Incidents."
          >
            <select id="f-autoPublishIncidents" value={text.autoPublishIncidents} onChange={(e) => set("autoPublishIncidents")(pick(e))}>
              <option value="yes">Publish automatically</option>
              <option value="no">Only after review</option>
            </select>
          </Field>
          <Field
            label="Custom domain" name="customDomain" value={text.customDomain} onInput={set("customDomain")} error={errors.customDomain}
            hint="Optional, e.g. status.example.com: the page also answers at the root of that host once its DNS points at this deployment."
          />
          {text.visibility === "protected" && (
            <Field
              label="Page password" name="password" type="password" value={text.password} onInput={set("password")} error={errors.password}
              autocomplete="new-password" hint={page?.visibility === "protected" ? "Empty: keep the current password" : "At least 8 characters"}
            />
          )}
        </fieldset>
        {message && <p class="error" role="alert">{message}</p>}
        <div class="actions">
          {mayEdit && <button type="submit" disabled={busy}>{id ? "Save" : "Create status page"}</button>}
          <a href={id ? pagePath(id) : "/status-pages"}>{mayEdit ? "Cancel" : "Back"}</a>
          {id && mayEdit && <ConfirmButton label="Delete page" question="Delete this page, its components, incidents and subscribers?" onConfirm={() => void remove()} />}
        </div>
      </form>
    </>
  );
}
