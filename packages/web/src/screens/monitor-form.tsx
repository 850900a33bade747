import { useEffect, useRef, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, refusal, type CheckResult, type CreateMonitor, type FieldErrors, type Monitor } from "../api/client";
import { checkOutcome, everyText, sentence } from "../format";
import { navigate } from "../router";
import { can, useSession } from "../session";
import { Field } from "./field";
import { MonitorChannels } from "./monitor-channels";
import { MonitorAssertions } from "./monitor-assertions";
import { MonitorTypeFields, blankType, httpOf, typeTextOf, withType, type HttpMethod, type TypeText } from "./monitor-type-fields";
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

function fromMonitor(monitor: Monitor): Text {
  // A heartbeat has no probe settings (it has its own form); these keep the shape if one lands here.
  const m = { timeoutMs: 10000, intervalSec: 60, failureThreshold: 3, recoveryThreshold: 1, retryIntervalSec: 60, ...monitor, ...httpOf(monitor) };
  return {
    name: m.name, url: m.url, method: m.method,
    headers: Object.entries(m.headers).map(([k, v]) => `${k}: ${v}`).join("\n"),
    body: m.body ?? "", expectedStatus: m.expectedStatus.join(", "), timeoutMs: String(m.timeoutMs),
    intervalSec: String(m.intervalSec), keyword: m.keyword ?? "", keywordMode: m.keywordMode ?? "contains",
    failureThreshold: String(m.failureThreshold), recoveryThreshold: String(m.recoveryThreshold),
    retryIntervalSec: String(m.retryIntervalSec), slug: m.slug ?? "", alertEmails: m.alertEmails.join(", "),
  };
}

/** The intervals the API accepts (packages/core/src/monitors/fields.ts INTERVALS; the app may not import core). */
const INTERVALS = [10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600] as const;

/** Each field's label: beside the input, and as the subject of its error sentence. */
const LABELS: Record<keyof Text | "paused", string> = {
  name: "Name", url: "URL", method: "Method", headers: "Request headers", body: "Request body", expectedStatus: "Expected status",
  timeoutMs: "Timeout (ms)", intervalSec: "Check every", keyword: "Keyword", keywordMode: "Keyword mode", failureThreshold: "Failures before down",
  recoveryThreshold: "Successes before up", retryIntervalSec: "Retry after (seconds)", slug: "Public status page slug", alertEmails: "Alert emails", paused: "Paused",
};

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
    name: t.name, url: t.url, method: t.method as HttpMethod,
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
  const [kind, setKind] = useState<TypeText>(blankType);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState<"" | "save" | "test">("");
  const [tested, setTested] = useState<{ ok: boolean; text: string } | null>(null);
  // Bumped by every refused submit: the focus then moves to the first field that needs a change.
  const [refusals, setRefusals] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const me = useSession();

  useEffect(() => {
    if (!id) return;
    void authed(() => api.GET("/v1/monitors/{id}", { params: { path: { id } } })).then(({ data, error }) => {
      if (data) {
        setText(fromMonitor(data));
        setPaused(data.paused);
        setKind(typeTextOf(data));
      } else setMessage(errorOf(error)?.message ?? "Could not load the monitor");
    });
  }, [id]);

  useEffect(() => {
    if (!refusals) return;
    const form = formRef.current;
    const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? form?.querySelector<HTMLElement>("[data-form-message]");
    first?.focus();
  }, [refusals]);

  if (wantsHeartbeat() && can("monitors.write", me)) return <HeartbeatForm id={id} />;
  if (!can("monitors.write", me)) return <Failed message={`Your role in this organisation (${me.role}) may not create or change monitors.`} />;
  if (!text) return message ? <Failed message={message} /> : <Loading />;
  const set = (k: keyof Text) => (v: string) => setText({ ...text, [k]: v });
  const field = (k: keyof Text, extra: { type?: "url" | "number"; hint?: string; multiline?: boolean } = {}) => (
    <Field label={LABELS[k]} name={k} value={text[k]} onInput={set(k)} error={errors[k]} {...extra} />
  );
  const select = (k: keyof Text, options: Array<[string, string]>) => (
    <Field label={LABELS[k]} name={k} value={text[k]} onInput={set(k)} error={errors[k]}>
      <select id={`f-${k}`} value={text[k]} aria-invalid={errors[k] ? true : undefined} onChange={(e) => set(k)((e.target as HTMLSelectElement).value)}>
        {options.map(([value, label]) => <option value={value}>{label}</option>)}
      </select>
    </Field>
  );

  /** Shows a refused request: messages beside their fields, a summary where the buttons are, focus on the first. */
  function refused(error: unknown, response: Response, what: string) {
    const byField = fieldErrors(error);
    setErrors(byField);
    // The type's own fields (monitor-type-fields.tsx) show their messages beside them too.
    const placed = Object.keys(byField).filter((k) => k in LABELS || k in blankType);
    const unplaced = Object.keys(byField).filter((k) => !placed.includes(k));
    const summary = placed.length
      ? `${what}: ${placed.length === 1 ? `${LABELS[placed[0] as keyof Text] ?? placed[0]} needs a change` : `${placed.length} fields need a change`}, see the message${placed.length === 1 ? "" : "s"} beside ${placed.length === 1 ? "it" : "them"}.`
      : refusal(error, response, what);
    setMessage([summary, ...unplaced.map((k) => sentence(k, byField[k]!))].join(" "));
    setRefusals((n) => n + 1);
  }

  async function submit(e: Event) {
    e.preventDefault();
    setBusy("save");
    const body = withType(bodyOf(text!, paused, !!id), kind, !!id);
    const { data, error, response } = id
      ? await authed(() => api.PATCH("/v1/monitors/{id}", { params: { path: { id } }, body }))
      : await authed(() => api.POST("/v1/monitors", { body: body as CreateMonitor }));
    setBusy("");
    if (data) return navigate(`/monitors/${encodeURIComponent(data.id)}`);
    refused(error, response, "Not saved");
  }

  /** One check of the request as the form stands, before anything is saved. */
  async function test() {
    setBusy("test");
    setTested(null);
    const body = { ...withType(bodyOf(text!, paused, false), kind, false), name: text!.name.trim() || "Test" } as CreateMonitor;
    const { data, error, response } = await authed(() => api.POST("/v1/monitor-test", { body }));
    setBusy("");
    if (data) {
      setErrors({});
      setMessage("");
      return setTested({ ok: data.ok, text: `Test: ${testOutcome(data)}` });
    }
    refused(error, response, "Not tested");
  }

  return (
    <form ref={formRef} class="card monitor-form" onSubmit={submit} noValidate>
      <h1>{id ? `Edit ${text.name}` : "New monitor"}</h1>
      <fieldset class="group-box">
        <legend>Basics</legend>
        <HeartbeatSwitch id={id} />
        {field("name")}
        <MonitorTypeFields value={kind} onChange={setKind} errors={errors} editing={!!id} />
        <div hidden={kind.type !== "http"}>{field("url", { type: "url" })}</div>
      </fieldset>
      <fieldset class="group-box">
        <legend>Checking</legend>
        {select("intervalSec", INTERVALS.map((s) => [String(s), everyText(s)]))}
        <div hidden={kind.type !== "http"}>
          {select("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map((m) => [m, m]))}
          {field("headers", { multiline: true, hint: "One per line: Name: value" })}
          {field("body", { multiline: true })}
          {field("expectedStatus", { hint: "Codes or ranges, comma-separated, e.g. 200-299, 301" })}
        </div>
        <div class="grid">
          <div hidden={kind.type !== "http"}>{field("keyword", { hint: "Optional: the body must (not) contain it" })}</div>
          <div hidden={kind.type !== "http"}>{select("keywordMode", [["contains", "contains"], ["not-contains", "does not contain"]])}</div>
          {field("timeoutMs", { type: "number" })}
        </div>
        {/* Slot: heartbeat settings (monitor-heartbeat.tsx) render here. */}
        <div class="actions">
          <button type="button" class="secondary" disabled={!!busy} onClick={() => void test()}>
            {busy === "test" ? "Testing…" : "Test this request"}
          </button>
          <span class="muted small">Runs one check now; nothing is saved.</span>
        </div>
        {tested && (
          <p class={`test-result ${tested.ok ? "notice" : "error"}`} role="status" data-test-result>
            {tested.text}
          </p>
        )}
      </fieldset>
      <fieldset class="group-box">
        <legend>Alerts</legend>
        <div class="grid">
          {field("failureThreshold", { type: "number" })}
          {field("recoveryThreshold", { type: "number" })}
          {field("retryIntervalSec", { type: "number", hint: "Between failed checks before down; empty: the default" })}
        </div>
        {field("alertEmails", { hint: "Comma-separated; empty: your account's email" })}
        <MonitorChannels id={id} />
      </fieldset>
      <fieldset class="group-box">
        <legend>Advanced</legend>
        {field("slug", { hint: "Optional: lowercase letters, digits and dashes; publishes /status/<slug>" })}
        <div class="field checkbox">
          <input id="f-paused" type="checkbox" checked={paused} onChange={(e) => setPaused((e.target as HTMLInputElement).checked)} />
          <label for="f-paused">Paused</label>
        </div>
        <MonitorAssertions id={id} />
      </fieldset>
      {message && <p class="error" role="alert" tabIndex={-1} data-form-message>{message}</p>}
      <div class="actions">
        <button type="submit" disabled={!!busy}>{busy === "save" ? "Saving…" : id ? "Save" : "Create monitor"}</button>
        <a href={id ? `/monitors/${encodeURIComponent(id)}` : "/"}>Cancel</a>
      </div>
    </form>
  );
}

/** A dry run's result, in the words a check's result uses. */
const testOutcome = (r: CheckResult) => checkOutcome(r) + (r.message && !r.ok ? ` ${sentence("", r.message)}` : "");
