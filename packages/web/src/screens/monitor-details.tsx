import { useEffect, useRef, useState } from "preact/hooks";
import { api, authed, errorOf, type CheckResult, type Incident, type Monitor, type Summary } from "../api/client";
import { ago, checkOutcome, ms, percent, reasonText } from "../format";
import { usePoll } from "../poll";
import { navigate } from "../router";
import { can, useSession } from "../session";
import { IncidentList } from "./incidents";
import { Failed, Loading, ScrollBox, StatusBadge } from "./status";
import { Acknowledge } from "./acknowledge";
import { MonitorHeartbeat } from "./monitor-heartbeat";

const ranges = ["24h", "7d", "30d", "90d"] as const;
type Points = Array<{ at: string; avgMs: number | null; p95Ms: number | null }>;

/** uPlot is loaded only here, so the first screen does not pay for it. */
function LatencyChart({ points }: { points: Points }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let dispose = () => {};
    let cancelled = false;
    void import("../chart").then(({ drawLatency }) => {
      if (!cancelled && box.current) dispose = drawLatency(box.current, points);
    });
    return () => {
      cancelled = true;
      dispose();
    };
  }, [points]);
  return <div ref={box} class="chart" role="img" aria-label="Response time over the last 24 hours (average and p95)" />;
}

export function MonitorDetails({ id }: { id: string }) {
  const path = { path: { id } };
  const [monitor, setMonitor] = useState<Monitor | null>(null);
  const [summaries, setSummaries] = useState<Partial<Record<(typeof ranges)[number], Summary>>>({});
  const [points, setPoints] = useState<Points>([]);
  const [incidents, setIncidents] = useState<Incident[]>([]);
  const [results, setResults] = useState<CheckResult[]>([]);
  const [failure, setFailure] = useState("");
  // an action's outcome, kept until the next action (a reload of the data must not clear it)
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [slowLoadedAt, setSlowLoadedAt] = useState(0);
  const mayEdit = can("monitors.write", useSession());

  async function load() {
    const [m, s24, inc, res] = await Promise.all([
      authed(() => api.GET("/v1/monitors/{id}", { params: path })),
      authed(() => api.GET("/v1/monitors/{id}/summary", { params: { ...path, query: { range: "24h" } } })),
      authed(() => api.GET("/v1/monitors/{id}/incidents", { params: { ...path, query: { limit: 10 } } })),
      authed(() => api.GET("/v1/monitors/{id}/results", { params: { ...path, query: { limit: 20 } } })),
    ]);
    if (!m.data) return setFailure(errorOf(m.error)?.message ?? "Could not load the monitor");
    setFailure("");
    setMonitor(m.data);
    if (inc.data) setIncidents(inc.data.data);
    if (res.data) setResults(res.data.data);
    // The long ranges and the chart change slowly: every 5 minutes is enough.
    const slow = Date.now() - slowLoadedAt > 5 * 60_000;
    const more = slow
      ? await Promise.all([
          ...(["7d", "30d", "90d"] as const).map((range) => authed(() => api.GET("/v1/monitors/{id}/summary", { params: { ...path, query: { range } } }))),
          authed(() => api.GET("/v1/monitors/{id}/response-times", { params: { ...path, query: { range: "24h" } } })),
        ])
      : [];
    setSummaries((prev) => {
      const next = { ...prev, ...(s24.data ? { "24h": s24.data } : {}) };
      for (const r of more.slice(0, 3)) if (r.data && "uptimePercent" in r.data) next[r.data.range as (typeof ranges)[number]] = r.data;
      return next;
    });
    const rt = more[3]?.data;
    if (rt && "points" in rt) setPoints(rt.points);
    if (slow) setSlowLoadedAt(Date.now());
  }
  usePoll(load, [id]);

  async function act<T>(label: string, call: () => Promise<{ data?: T; error?: unknown; response: Response }>, done: (data: T) => string) {
    setBusy(label);
    setNotice(null);
    const { data, error, response } = await call();
    setBusy("");
    await load();
    if (data !== undefined) return setNotice({ ok: true, text: done(data) });
    const wait = response.headers.get("retry-after");
    const why = errorOf(error)?.message ?? `${label} failed`;
    setNotice({ ok: false, text: response.status === 429 && wait && !/try again/i.test(why) ? `${why}. Try again in ${wait} s.` : why });
  }

  if (!monitor) return failure ? <Failed message={failure} /> : <Loading />;
  const open = incidents.find((i) => i.status === "open");
  // Up, but the latest checks failed: not down yet (the threshold is not reached), and not simply up either
  const notDown = monitor.status === "up" || monitor.status === "pending";
  const failing = notDown ? results.findIndex((r) => r.ok || r.inMaintenance) : 0;
  const streak = failing === -1 ? results.length : failing;
  return (
    <>
      <div class="title-row">
        <h1>{monitor.name}</h1>
        {streak > 0 && streak < monitor.failureThreshold ? (
          <span class="badge pending" data-failing>
            Failing, {streak} of {monitor.failureThreshold}
          </span>
        ) : (
          <StatusBadge status={monitor.status} />
        )}
      </div>
      <p class="muted">
        {monitor.heartbeat ? `heartbeat, ${monitor.heartbeat.schedule}` : `${monitor.method} ${monitor.url} · every ${monitor.intervalSec}s`} · last check {ago(monitor.lastCheckedAt)} ({ms(monitor.lastLatencyMs)})
        {monitor.lastError ? ` · ${monitor.lastError}` : ""}
        {streak > 0 && streak < monitor.failureThreshold ? ` · down after ${monitor.failureThreshold - streak} more failed check${monitor.failureThreshold - streak === 1 ? "" : "s"}` : ""}
      </p>
      {failure && <Failed message={failure} />}
      <div class="actions">
        {mayEdit && (
          <>
            <button
              type="button" disabled={!!busy}
              onClick={() => void act("Check now", () => authed(() => api.POST("/v1/monitors/{id}/check", { params: path })), (d) => `Checked just now. ${checkOutcome(d.result)}`)}
            >
              {busy === "Check now" ? "Checking…" : "Check now"}
            </button>
            <button
              type="button" disabled={!!busy}
              onClick={() =>
                void act(monitor.paused ? "Resume" : "Pause", () => authed(() => api.PATCH("/v1/monitors/{id}", { params: path, body: { paused: !monitor.paused } })), (m) =>
                  m.paused ? "Paused: no checks or alerts until you resume." : "Resumed: checks start again.",
                )
              }
            >
              {monitor.paused ? "Resume" : "Pause"}
            </button>
            <a class="button secondary" href={`/monitors/${encodeURIComponent(id)}/edit${monitor.heartbeat ? "?type=heartbeat" : ""}`}>Edit</a>
            {confirming ? (
              <span class="confirm" role="group" aria-label="Confirm delete">
                Delete {monitor.name} and its history?{" "}
                <button
                  type="button" class="danger"
                  onClick={() =>
                    void authed(() => api.DELETE("/v1/monitors/{id}", { params: path })).then(({ error }) =>
                      error ? setNotice({ ok: false, text: errorOf(error)?.message ?? "Could not delete the monitor" }) : navigate("/"),
                    )
                  }
                >
                  Yes, delete
                </button>{" "}
                <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
              </span>
            ) : (
              <button type="button" class="danger" onClick={() => setConfirming(true)}>Delete</button>
            )}
          </>
        )}
        {monitor.slug && <a class="button secondary" href={`/status/${monitor.slug}`} data-external>Public status page</a>}
      </div>
      {notice && (
        <p class={notice.ok ? "notice" : "error"} role={notice.ok ? "status" : "alert"} data-notice>
          {notice.text}
        </p>
      )}
      {open && <p class="incident" role="status">Open incident: {reasonText(open.reason)} since {ago(open.startedAt)}<Acknowledge incident={open} /></p>}
      <MonitorHeartbeat monitor={monitor} />
      <section aria-labelledby="uptime-h">
        <h2 id="uptime-h">Uptime</h2>
        <dl class="stats">
          {ranges.map((r) => (
            <div key={r}>
              <dt>{r}</dt>
              <dd>{percent(summaries[r]?.uptimePercent)}</dd>
            </div>
          ))}
          <div>
            <dt>p95 (24h)</dt>
            <dd>{ms(summaries["24h"]?.latencyMs.p95)}</dd>
          </div>
        </dl>
      </section>
      <section aria-labelledby="latency-h">
        <h2 id="latency-h">Response time, last 24 hours</h2>
        {points.some((p) => p.avgMs != null) ? <LatencyChart points={points} /> : <p class="muted">No successful checks yet.</p>}
      </section>
      <section aria-labelledby="incidents-h">
        <h2 id="incidents-h">Incidents</h2>
        <IncidentList incidents={incidents} showMonitor={false} />
      </section>
      <section aria-labelledby="results-h">
        <h2 id="results-h">Recent checks</h2>
        <ScrollBox label="Recent checks">
          <table>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">HTTP</th><th scope="col">Latency</th><th scope="col">Where the time went</th><th scope="col">Kind</th></tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.at}>
                  <td>{new Date(r.at).toLocaleString()}</td>
                  <td>{r.ok ? "OK" : `${r.reason ?? "failed"}${r.message ? `: ${r.message}` : ""}`}</td>
                  <td>{r.httpStatus ?? "–"}</td>
                  <td>{ms(r.latencyMs)}</td>
                  <td>{phasesText(r.phases)}</td>
                  <td>{r.kind}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </section>
    </>
  );
}

const PHASE_LABELS = [
  ["dns", "DNS"],
  ["connect", "connect"],
  ["tls", "TLS"],
  ["firstByte", "first byte"],
  ["download", "download"],
] as const;

/** "DNS 2 · connect 1 · TLS 30 · first byte 170 · download 7 ms": the phases the check went through. */
function phasesText(phases: CheckResult["phases"]): string {
  if (!phases) return "–";
  const parts = PHASE_LABELS.flatMap(([key, label]) => (phases[key] == null ? [] : [`${label} ${Math.round(phases[key]!)}`]));
  return parts.length ? `${parts.join(" · ")} ms` : "–";
}
