import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, type CreateMonitor, type FieldErrors, type Monitor } from "../api/client";
import { navigate } from "../router";
import { can, useSession } from "../session";
import { Field } from "./field";
import { MonitorChannels } from "./monitor-channels";
import { HeartbeatForm, HeartbeatSwitch, wantsHeartbeat } from "./monitor-heartbeat";
import { Failed, Loading } from "./status";

type Text = Record<
  | "name" | "url" | "method" | "headers" | "body" | "expectedStatus" | "timeoutMs" | "intervalSec" | "keyword"
  | "keywordMode" | "failureThreshold" | "recoveryThreshold" | "retryIntervalSec" | "slug" | "alertEmails",
  string
>;

const blank: Text = {
  name: "", url: "https://", method: "GET", headers: "", body: "", expectedStatus: "200-399", timeoutMs: "10000",
  intervalSec: "60", keyword: "", keywordMode: "contains", failureThreshold: "3", recoveryThreshold: "1",
  retryIntervalSec: "", slug: "", alertEmails: "",
};

function fromMonitor(m: Monitor): Text {
  return {
    name: m.name, url: m.url, method: m.method,
    headers: Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`).join("\n"),
    body: m.body ?? "", expectedStatus: m.expectedStatus.join(", "), timeoutMs: String(m.timeoutMs),
    intervalSec: String(m.intervalSec), keyword: m.keyword ?? "", keywordMode: m.keywordMode ?? "contains",
    failureThreshold: String(m.failureThreshold), recoveryThreshold: String(m.recoveryThreshold),
    retryIntervalSec: String(m.retryIntervalSec), slug: m.slug ?? "", alertEmails: m.alertEmails.join(", "),
  };
}

const list = (s: string) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);
const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

function headersOf(s: string) {
  const out: Record<string, string> = {};
  for (const line of s.split("\n")) {
    const at = line.indexOf(":");
    if (line.trim()) out[(at < 0 ? line : line.slice(0, at)).trim()] = at < 0 ? "" : line.slice(at + 1).trim();
  }
  return out;
}

/** The request body: empty optional fields are left out on create and cleared (null) on edit. */
function bodyOf(t: Text, paused: boolean, editing: boolean) {
  const clear = editing ? null : undefined;
  const headers = headersOf(t.headers);
  const body = {
    name: t.name, url: t.url, method: t.method as Monitor["method"],
    headers: Object.keys(headers).length ? headers : clear,
    body: t.body || clear,
    expectedStatus: list(t.expectedStatus).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
    timeoutMs: num(t.timeoutMs), intervalSec: num(t.intervalSec),
    keyword: t.keyword || clear, keywordMode: t.keyword ? (t.keywordMode as "contains" | "not-contains") : clear,
    failureThreshold: num(t.failureThreshold), recoveryThreshold: num(t.recoveryThreshold),
    retryIntervalSec: num(t.retryIntervalSec), slug: t.slug || clear,
    alertEmails: list(t.alertEmails).length ? list(t.alertEmails) : undefined, paused,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as typeof body;
}

export function MonitorForm({ id }: { id?: string }) {
  const [text, setText] = useState<Text | null>(id ? null : blank);
  const [paused, setPaused] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const me = useSession();

  useEffect(() => {
    if (!id) return;
    void authed(() => api.GET("/v1/monitors/{id}", { params: { path: { id } } })).then(({ data, error }) => {
      if (data) {
        setText(fromMonitor(data));
        setPaused(data.paused);
      } else setMessage(errorOf(error)?.message ?? "Could not load the monitor");
    });
  }, [id]);

  if (wantsHeartbeat() && can("monitors.write", me)) return <HeartbeatForm id={id} />;
  if (!can("monitors.write", me)) return <Failed message={`Your role in this organisation (${me.role}) may not create or change monitors.`} />;
  if (!text) return message ? <Failed message={message} /> : <Loading />;
  const set = (k: keyof Text) => (v: string) => setText({ ...text, [k]: v });
  const field = (k: keyof Text, label: string, extra: { type?: "url" | "number"; hint?: string; multiline?: boolean } = {}) => (
    <Field label={label} name={k} value={text[k]} onInput={set(k)} error={errors[k]} {...extra} />
  );

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const body = bodyOf(text!, paused, !!id);
    const { data, error } = id
      ? await authed(() => api.PATCH("/v1/monitors/{id}", { params: { path: { id } }, body }))
      : await authed(() => api.POST("/v1/monitors", { body: body as CreateMonitor }));
    setBusy(false);
    if (data) return navigate(`/monitors/${encodeURIComponent(data.id)}`);
    const byField = fieldErrors(error);
    setErrors(byField);
    const unplaced = Object.keys(byField).filter((k) => !(k in blank) && k !== "paused");
    setMessage(`${errorOf(error)?.message ?? "Could not save"}${unplaced.length ? `: ${unplaced.map((k) => `${k}: ${byField[k]}`).join("; ")}` : ""}`);
  }

  return (
    <form class="card monitor-form" onSubmit={submit} noValidate>
      <h1>{id ? `Edit ${text.name}` : "New monitor"}</h1>
      <HeartbeatSwitch id={id} />
      {field("name", "Name")}
      {field("url", "URL", { type: "url" })}
      <Field label="Method" name="method" value={text.method} onInput={set("method")} error={errors.method}>
        <select id="f-method" value={text.method} onChange={(e) => set("method")((e.target as HTMLSelectElement).value)}>
          {["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map((m) => <option value={m}>{m}</option>)}
        </select>
      </Field>
      {field("headers", "Request headers", { multiline: true, hint: "One per line: Name: value" })}
      {field("body", "Request body", { multiline: true })}
      {field("expectedStatus", "Expected status", { hint: "Codes or ranges, comma-separated, e.g. 200-299, 301" })}
      <div class="grid">
        {field("intervalSec", "Check every (seconds)", { type: "number" })}
        {field("timeoutMs", "Timeout (ms)", { type: "number" })}
        {field("failureThreshold", "Failures before down", { type: "number" })}
        {field("recoveryThreshold", "Successes before up", { type: "number" })}
        {field("retryIntervalSec", "Retry after (seconds)", { type: "number", hint: "Empty: the default" })}
      </div>
      {field("keyword", "Keyword", { hint: "Optional: the body must (not) contain it" })}
      <Field label="Keyword mode" name="keywordMode" value={text.keywordMode} onInput={set("keywordMode")} error={errors.keywordMode}>
        <select id="f-keywordMode" value={text.keywordMode} onChange={(e) => set("keywordMode")((e.target as HTMLSelectElement).value)}>
          <option value="contains">contains</option>
          <option value="not-contains">does not contain</option>
        </select>
      </Field>
      {field("slug", "Public status page slug", { hint: "Optional: lowercase letters, digits and dashes; publishes /status/<slug>" })}
      {field("alertEmails", "Alert emails", { hint: "Comma-separated; empty: your account's email" })}
      <div class="field checkbox">
        <input id="f-paused" type="checkbox" checked={paused} onChange={(e) => setPaused((e.target as HTMLInputElement).checked)} />
        <label for="f-paused">Paused</label>
      </div>
      <MonitorChannels id={id} />
      {message && <p class="error" role="alert">{message}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>{id ? "Save" : "Create monitor"}</button>
        <a href={id ? `/monitors/${encodeURIComponent(id)}` : "/"}>Cancel</a>
      </div>
    </form>
  );
}
