import { useEffect, useRef, useState } from "preact/hooks";
import { api, authed, errorOf, refusal, type CheckResult, type Incident, type Monitor, type Summary } from "../api/client";
import { checkOutcome, dateTime, everyText, heartbeatReasonText, ms, percent, reasonText } from "../format";
import type { ChartData } from "../chart";
import { usePoll } from "../poll";
import { navigate } from "../router";
import { can, useSession } from "../session";
import { IncidentList } from "./incidents";
import { Failed, Loading, MonitorBadge, ScrollBox } from "./status";
import { CertDaysLeft } from "./monitor-assertions";
import { Acknowledge } from "./acknowledge";
import { Url } from "./url";
import { When } from "./when";
import { targetLine } from "./monitor-type-fields";
import { MonitorHeartbeat } from "./monitor-heartbeat";
import { CheckPhases, phasesText } from "./monitor-phases";

const ranges = ["24h", "7d", "30d", "90d"] as const;
/** The chart's ranges: every check for the short ones, rollups for the rest. */
const CHART_RANGES = { "1h": "last hour", "24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days", "90d": "last 90 days" } as const;
type ChartRange = keyof typeof CHART_RANGES;
/** 24 h of 10-second checks is 8,640: nine pages of 1,000. */
const MAX_CHECK_PAGES = 9;

/** The chart's data for a range: the checks themselves (1 h, 24 h, page by page) or the rollup series. */
async function chartData(id: string, range: ChartRange): Promise<ChartData | null> {
  const path = { id };
  if (range === "1h" || range === "24h") {
    const checks: Extract<ChartData, { kind: "checks" }>["checks"] = [];
    let cursor: string | undefined;
    let span = { from: "", to: "" };
    for (let n = 0; n < MAX_CHECK_PAGES; n++) {
      const { data } = await authed(() => api.GET("/v1/monitors/{id}/response-times/checks", { params: { path, query: { range, ...(cursor ? { cursor } : {}) } } }));
      if (!data) return null;
      if (n === 0) span = { from: data.from, to: data.to };
      checks.push(...data.checks);
      if (!data.cursor) break;
      cursor = data.cursor;
    }
    return { kind: "checks", ...span, checks };
  }
  const { data } = await authed(() => api.GET("/v1/monitors/{id}/response-times", { params: { path, query: { range } } }));
  return data ? { kind: "buckets", from: data.from, to: data.to, points: data.points } : null;
}

const hasPoints = (d: ChartData | null) => !!d && (d.kind === "checks" ? d.checks.length > 0 : d.points.some((p) => p.avgMs != null));

/** uPlot is loaded only here, so the first screen does not pay for it. */
function LatencyChart({ data, label }: { data: ChartData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let dispose = () => {};
    let cancelled = false;
    void import("../chart").then(({ drawLatency }) => {
      if (!cancelled && box.current) dispose = drawLatency(box.current, data);
    });
    return () => {
      cancelled = true;
      dispose();
    };
  }, [data]);
  return <div ref={box} class="chart" role="img" aria-label={label} data-points={data.kind === "checks" ? data.checks.length : data.points.length} />;
}

export function MonitorDetails({ id }: { id: string }) {
  const path = { path: { id } };
  const [monitor, setMonitor] = useState<Monitor | null>(null);
  const [summaries, setSummaries] = useState<Partial<Record<(typeof ranges)[number], Summary>>>({});
  const [range, setRange] = useState<ChartRange>("1h");
  const [chart, setChart] = useState<{ range: ChartRange; data: ChartData | null } | null>(null);
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
        ])
      : [];
    setSummaries((prev) => {
      const next = { ...prev, ...(s24.data ? { "24h": s24.data } : {}) };
      for (const r of more.slice(0, 3)) if (r.data && "uptimePercent" in r.data) next[r.data.range as (typeof ranges)[number]] = r.data;
      return next;
    });
    if (slow) setSlowLoadedAt(Date.now());
    // The last hour moves with every check; longer ranges barely move between polls.
    if (slow || range === "1h" || chart?.range !== range) await loadChart(range);
  }
  usePoll(load, [id]);

  async function loadChart(r: ChartRange) {
    const data = await chartData(id, r);
    setChart((prev) => (data || prev?.range !== r ? { range: r, data } : prev));
  }
  function pickRange(r: ChartRange) {
    setRange(r);
    void loadChart(r);
  }

  async function act<T>(label: string, call: () => Promise<{ data?: T; error?: unknown; response: Response }>, done: (data: T) => string | { ok: boolean; text: string }) {
    setBusy(label);
    setNotice(null);
    const { data, error, response } = await call();
    setBusy("");
    await load();
    if (data !== undefined) {
      const outcome = done(data);
      return setNotice(typeof outcome === "string" ? { ok: true, text: outcome } : outcome);
    }
    setNotice({ ok: false, text: refusal(error, response, `${label} failed`) });
  }

  if (!monitor) return failure ? <Failed message={failure} /> : <Loading />;
  const open = incidents.find((i) => i.status === "open");
  // Up, but the latest checks failed: not down yet (the threshold is not reached), and not simply up either
  const notDown = monitor.status === "up" || monitor.status === "degraded" || monitor.status === "pending";
  const failing = notDown ? results.findIndex((r) => r.ok || r.inMaintenance) : 0;
  const streak = failing === -1 ? results.length : failing;
  const heartbeat = monitor.type === "heartbeat";
  const resultsTitle = heartbeat ? "Recent results" : "Recent checks";
  // A heartbeat is down at its first miss or failure.
  const threshold = heartbeat ? 1 : monitor.failureThreshold;
  // A heartbeat's results are pings and misses: no probe, so no latency, HTTP status or phases.
  const resultText = (r: CheckResult) => {
    const words = r.reason ? (heartbeat ? heartbeatReasonText(r.reason) : reasonText(r.reason)) : "failed";
    // "connection refused: connection refused" says it twice
    return r.message && r.message.toLowerCase() !== words.toLowerCase() ? `${words}: ${r.message}` : words;
  };
  return (
    <>
      <div class="title-row">
        <h1>{monitor.name}</h1>
        <MonitorBadge status={monitor.status} failedInARow={streak} threshold={threshold} />
      </div>
      <p class="muted">
        {heartbeat ? (
          <>heartbeat, {monitor.heartbeat.schedule} · last ping <When at={monitor.lastCheckedAt} relative never="none yet" /></>
        ) : (
          <>
            {monitor.type === "http" ? <>{monitor.method} <Url url={monitor.url} /></> : targetLine(monitor)} · every {everyText(monitor.intervalSec)} · last check{" "}
            <When at={monitor.lastCheckedAt} relative /> ({ms(monitor.lastLatencyMs)})
          </>
        )}
        {monitor.lastError ? ` · ${monitor.lastError}` : ""}
        {monitor.certDaysLeft !== null && <> · <CertDaysLeft days={monitor.certDaysLeft} /></>}
        {streak > 0 && streak < threshold ? ` · down after ${threshold - streak} more failed check${threshold - streak === 1 ? "" : "s"}` : ""}
      </p>
      {failure && <Failed message={failure} />}
      <div class="actions">
        {mayEdit && (
          <>
            <button
              type="button" disabled={!!busy}
              onClick={() => void act("Check now", () => authed(() => api.POST("/v1/monitors/{id}/check", { params: path })), (d) => ({
                // A check that ran but failed is news, not a success; a heartbeat's "check" probes nothing and shows the last ping.
                ok: d.result.ok,
                text: heartbeat ? `Last ping ${dateTime(d.result.at)}: ${d.result.ok ? "OK" : resultText(d.result)}.` : `Checked just now. ${checkOutcome(d.result)}`,
              }))}
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
            <a class="button secondary" href={`/monitors/${encodeURIComponent(id)}/edit${monitor.type === "heartbeat" ? "?type=heartbeat" : ""}`}>Edit</a>
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
      {open && <p class="incident" role="status">Open incident: {reasonText(open.reason)} since <When at={open.startedAt} relative /><Acknowledge incident={open} /></p>}
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
          {!heartbeat && (
            <div>
              <dt>p95 (24h)</dt>
              <dd>{ms(summaries["24h"]?.latencyMs.p95)}</dd>
            </div>
          )}
        </dl>
      </section>
      {!heartbeat && <section aria-labelledby="latency-h">
        <div class="section-head">
          <h2 id="latency-h">Response time, {CHART_RANGES[range]}</h2>
          <div class="range-switch" role="group" aria-label="Chart range">
            {(Object.keys(CHART_RANGES) as ChartRange[]).map((r) => (
              <button type="button" aria-pressed={r === range} onClick={() => pickRange(r)}>{r}</button>
            ))}
          </div>
        </div>
        {!chart || chart.range !== range ? (
          <Loading />
        ) : hasPoints(chart.data) ? (
          <LatencyChart
            data={chart.data!}
            label={chart.data!.kind === "checks" ? `Response time of every check, ${CHART_RANGES[range]}` : `Response time, ${CHART_RANGES[range]} (average and p95)`}
          />
        ) : (
          <p class="muted">{chart.data ? `No checks in the ${CHART_RANGES[range]} yet.` : "Could not load the chart."}</p>
        )}
      </section>}
      {!heartbeat && <CheckPhases results={results} />}
      <section aria-labelledby="incidents-h">
        <h2 id="incidents-h">Incidents</h2>
        <IncidentList incidents={incidents} showMonitor={false} />
      </section>
      <section aria-labelledby="results-h">
        <h2 id="results-h">{resultsTitle}</h2>
        <ScrollBox label={resultsTitle}>
          <table>
            <thead>
              {heartbeat ? (
                <tr><th scope="col">When</th><th scope="col">Result</th></tr>
              ) : (
                <tr><th scope="col">When</th><th scope="col">Result</th><th scope="col">HTTP</th><th scope="col">Latency</th><th scope="col">Where the time went</th><th scope="col">Kind</th></tr>
              )}
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.at}>
                  <td><When at={r.at} /></td>
                  <td>{r.ok ? "OK" : resultText(r)}</td>
                  {!heartbeat && (
                    <>
                      <td>{r.httpStatus ?? "–"}</td>
                      <td>{ms(r.latencyMs)}</td>
                      <td>{phasesText(r.phases)}</td>
                      <td>{r.kind}</td>
                    </>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </section>
    </>
  );
}
