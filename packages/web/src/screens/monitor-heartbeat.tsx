import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, type CreateMonitor, type FieldErrors, type Monitor } from "../api/client";
import { ago, dateTime, duration } from "../format";
import { usePoll } from "../poll";
import { navigate } from "../router";
import { Field } from "./field";
import { Failed, Loading, ScrollBox } from "./status";

/** Commands and logs wrap instead of widening a phone's screen. */
const wrap = { whiteSpace: "pre-wrap", overflowWrap: "anywhere", margin: 0 } as const;

/*
 * Heartbeat (push) monitors in the web app: the form that creates and edits one, and the panel on
 * its details screen with the ping URL, copy-paste snippets, the schedule in words and the last pings.
 */

type Pings = { data: Array<{ at: string; kind: string; exitCode: number | null; durationMs: number | null; method: string; log: string | null; logTruncated: boolean }>; state: { expectedAt: string; deadline: string; startedAt: string | null; lastPingAt: string | null; healthy: boolean } };

/** The ping URL as the browser can reach it (the API answers on the app's origin when PUBLIC_URL is unset). */
const absolute = (url: string) => (url.startsWith("/") ? `${location.origin}${url}` : url);

export function snippets(url: string, schedule: string) {
  const cron = schedule.startsWith("cron ") ? schedule.slice(5).split(",")[0] : "0 3 * * *";
  return [
    { name: "curl in crontab", code: `${cron} /usr/local/bin/backup.sh && curl -fsS -m 10 --retry 5 -o /dev/null ${url}` },
    { name: "curl with start, exit code and log", code: `curl -fsS -m 10 -o /dev/null ${url}/start\nOUT=$(/usr/local/bin/backup.sh 2>&1); CODE=$?\ncurl -fsS -m 10 --retry 5 -o /dev/null --data-raw "$(printf '%s' "$OUT" | tail -c 10000)" ${url}/$CODE` },
    { name: "PowerShell", code: `Invoke-RestMethod -Uri "${url}" -TimeoutSec 10 -MaximumRetryCount 5` },
    { name: "Node.js", code: `await fetch("${url}", { signal: AbortSignal.timeout(10_000) });` },
    { name: "Python", code: `import urllib.request\nurllib.request.urlopen("${url}", timeout=10)` },
  ];
}

function Copy({ text, label }: { text: string; label: string }) {
  const [done, setDone] = useState(false);
  return (
    <button type="button" class="secondary" aria-label={`Copy ${label}`} onClick={() => void navigator.clipboard?.writeText(text).then(() => setDone(true), () => setDone(false))}>
      {done ? "Copied" : "Copy"}
    </button>
  );
}

/** The heartbeat part of a monitor's details screen; nothing for other monitor types. */
export function MonitorHeartbeat({ monitor }: { monitor: Monitor }) {
  const [pings, setPings] = useState<Pings | null>(null);
  const [failure, setFailure] = useState("");
  const hb = monitor.type === "heartbeat" ? monitor.heartbeat : undefined;
  const load = async () => {
    if (!hb) return;
    const { data, error } = await authed(() => api.GET("/v1/monitors/{id}/pings", { params: { path: { id: monitor.id } } }));
    if (data) setPings(data as Pings);
    else setFailure(errorOf(error)?.message ?? "Could not load the pings");
  };
  usePoll(load, [monitor.id, monitor.updatedAt]);
  if (!hb) return null;
  const url = hb.pingUrl === null ? null : absolute(hb.pingUrl);
  return (
    <section aria-labelledby="heartbeat-h" class="heartbeat">
      <h2 id="heartbeat-h">Heartbeat</h2>
      <p>
        Expected <strong data-schedule>{hb.schedule}</strong>, with {duration(hb.graceSec * 1000)} of grace.{" "}
        {pings && (pings.state.startedAt ? `A run started ${ago(pings.state.startedAt)}; it must finish by ${dateTime(new Date(pings.state.deadline).toISOString())}.` : `Next ping expected by ${dateTime(new Date(pings.state.deadline).toISOString())}.`)}
      </p>
      {url === null ? (
        <p class="muted" data-no-ping-url>The ping URL is shown to members who can edit monitors: whoever has it can report this job done.</p>
      ) : (
        <>
          <div class="ping-url">
            <label for="ping-url">Ping URL (keep it secret: it needs no other credentials)</label>
            <div class="row" style={{ display: "flex", gap: ".5rem" }}>
              <input id="ping-url" readOnly value={url} style={{ flex: 1, minWidth: 0 }} onFocus={(e) => (e.target as HTMLInputElement).select()} />
              <Copy text={url} label="the ping URL" />
            </div>
            <small>GET, HEAD or POST it when the job succeeds. Add <code>/start</code> when it begins (the run then has the grace time to finish), <code>/fail</code> or <code>/&lt;exit code&gt;</code> at the end. A POST body (up to 10 KB) is kept as the ping's log.</small>
          </div>
          <details>
            <summary>Copy-paste snippets</summary>
            {snippets(url, hb.schedule).map((s) => (
              <div class="snippet">
                <div class="row" style={{ display: "flex", gap: ".5rem", alignItems: "center", marginTop: ".75rem" }}><strong>{s.name}</strong><Copy text={s.code} label={s.name} /></div>
                <pre style={wrap}><code>{s.code}</code></pre>
              </div>
            ))}
          </details>
        </>
      )}
      <h3>Last pings</h3>
      {failure && <Failed message={failure} />}
      {!pings ? (
        <Loading />
      ) : pings.data.length === 0 ? (
        <p class="muted" data-no-pings>No ping yet. Add the URL to your job; the first ping turns this monitor up.</p>
      ) : (
        <ScrollBox label="Last pings">
        <table class="pings">
          <thead><tr><th>When</th><th>Ping</th><th>Run took</th><th>Log</th></tr></thead>
          <tbody>
            {pings.data.map((p) => (
              <tr class={p.kind === "fail" ? "down" : undefined}>
                <td title={p.at}>{ago(p.at)}</td>
                <td>{p.kind === "fail" ? `failed${p.exitCode !== null ? ` (exit ${p.exitCode})` : ""}` : p.kind === "start" ? "started" : "success"} · {p.method}</td>
                <td>{p.durationMs === null ? "–" : duration(p.durationMs)}</td>
                <td>{p.log ? <details><summary>{p.log.slice(0, 40)}{p.log.length > 40 ? "…" : ""}</summary><pre style={wrap}>{p.log}{p.logTruncated ? "\n[cut at 10 KB]" : ""}</pre></details> : "–"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </ScrollBox>
      )}
    </section>
  );
}

/** Whether the monitor form should be the heartbeat form: /monitors/new?type=heartbeat, or an edit link that says so. */
export const wantsHeartbeat = () => new URLSearchParams(location.search).get("type") === "heartbeat";

/** On the new-monitor form: the way to a heartbeat instead (a full load: the router keys screens by path, and the query is what differs). */
export function HeartbeatSwitch({ id }: { id?: string }) {
  if (id) return null;
  return <p class="muted">Monitoring a cron job or a worker that should report in? <a href="/monitors/new?type=heartbeat" data-external>Create a heartbeat instead</a>.</p>;
}

const UNITS = { minutes: 60, hours: 3600, days: 86400 } as const;

/** Create or edit a heartbeat monitor: name, schedule (a period or a cron expression in a time zone), grace, alert emails. */
export function HeartbeatForm({ id }: { id?: string }) {
  const [t, setT] = useState<Record<string, string> | null>(id ? null : { name: "", kind: "cron", every: "1", unit: "days", cron: "0 3 * * *", timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", graceMin: "5", alertEmails: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!id) return;
    void authed(() => api.GET("/v1/monitors/{id}", { params: { path: { id } } })).then(({ data, error }) => {
      const hb = data?.type === "heartbeat" ? data.heartbeat : undefined;
      if (!data || !hb) return setMessage(errorOf(error)?.message ?? "Not a heartbeat monitor");
      const unit = hb.periodSec && hb.periodSec % 86400 === 0 ? "days" : hb.periodSec && hb.periodSec % 3600 === 0 ? "hours" : "minutes";
      setT({
        name: data.name, kind: hb.cron ? "cron" : "period", every: hb.periodSec ? String(hb.periodSec / UNITS[unit]) : "1", unit,
        cron: hb.cron ?? "0 3 * * *", timeZone: hb.timeZone ?? "UTC", graceMin: String(hb.graceSec / 60), alertEmails: data.alertEmails.join(", "),
      });
    });
  }, [id]);
  if (!t) return message ? <Failed message={message} /> : <Loading />;
  const set = (k: string) => (v: string) => setT({ ...t, [k]: v });
  const schedule = t.kind === "cron" ? { cron: t.cron, timeZone: t.timeZone } : { periodSec: Math.round(Number(t.every) * UNITS[t.unit as keyof typeof UNITS]) };
  const emails = t.alertEmails.split(/[,\s]+/).filter(Boolean);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const common = { name: t!.name, ...schedule, graceSec: Math.round(Number(t!.graceMin) * 60), ...(emails.length && { alertEmails: emails }) };
    const { data, error } = id
      ? await authed(() => api.PATCH("/v1/monitors/{id}", { params: { path: { id } }, body: common }))
      : await authed(() => api.POST("/v1/monitors", { body: { type: "heartbeat", ...common } as CreateMonitor }));
    setBusy(false);
    if (data) return navigate(`/monitors/${encodeURIComponent(data.id)}`);
    const byField = fieldErrors(error);
    setErrors({ ...byField, every: byField.periodSec ?? "", graceMin: byField.graceSec ?? "" });
    setMessage(errorOf(error)?.message ?? "Could not save");
  }

  return (
    <form class="card monitor-form" onSubmit={submit} noValidate>
      <h1>{id ? `Edit ${t.name}` : "New heartbeat"}</h1>
      <p class="muted">Your job calls a URL when it runs; if the call does not come on schedule, you get the DOWN alert.</p>
      <Field label="Name" name="name" value={t.name} onInput={set("name")} error={errors.name} hint="e.g. Nightly backup" />
      <fieldset class="field">
        <legend>Expected</legend>
        <label><input type="radio" name="kind" checked={t.kind === "cron"} onChange={() => set("kind")("cron")} /> On a cron schedule</label>
        <label><input type="radio" name="kind" checked={t.kind === "period"} onChange={() => set("kind")("period")} /> Every so often</label>
      </fieldset>
      {t.kind === "cron" ? (
        <div class="grid">
          <Field label="Cron expression" name="cron" value={t.cron} onInput={set("cron")} error={errors.cron} hint="minute hour day month weekday, as in crontab" />
          <Field label="Time zone" name="timeZone" value={t.timeZone} onInput={set("timeZone")} error={errors.timeZone} hint="IANA name, e.g. Europe/Berlin" />
        </div>
      ) : (
        <div class="grid">
          <Field label="Every" name="every" value={t.every} onInput={set("every")} type="number" error={errors.every} />
          <Field label="Unit" name="unit" value={t.unit} onInput={set("unit")}>
            <select id="f-unit" value={t.unit} onChange={(e) => set("unit")((e.target as HTMLSelectElement).value)}>
              {Object.keys(UNITS).map((u) => <option value={u}>{u}</option>)}
            </select>
          </Field>
        </div>
      )}
      <Field label="Grace time (minutes)" name="graceMin" value={t.graceMin} onInput={set("graceMin")} type="number" error={errors.graceMin} hint="How late a ping may be, and how long a run reported with /start may take" />
      <Field label="Alert emails" name="alertEmails" value={t.alertEmails} onInput={set("alertEmails")} error={errors.alertEmails} hint="Comma-separated; empty: your account's email" />
      {message && <p class="error" role="alert">{message}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>{id ? "Save" : "Create heartbeat"}</button>
        <a href={id ? `/monitors/${encodeURIComponent(id)}` : "/"}>Cancel</a>
      </div>
    </form>
  );
}
