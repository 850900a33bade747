import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, authed, errorOf, type DashboardRow } from "../api/client";
import { percent, reasonText } from "../format";
import { usePoll } from "../poll";
import { can, useSession } from "../session";
import { Failed, Loading, MonitorBadge, ScrollBox, type Status } from "./status";
import { CertDaysLeft } from "./monitor-assertions";
import { Acknowledge } from "./acknowledge";
import { Url } from "./url";
import { When } from "./when";

/** Rows rendered at first: 1,000 rows of DOM cost a phone most of a second; filters and search still see every monitor. */
const PAGE = 100;
/** The first call asks for a screenful and a little more: the API reads each monitor's history, so 1,000 at once take seconds. */
const FIRST_PAGE = 50;

export function Dashboard() {
  const [rows, setRows] = useState<DashboardRow[] | null>(null);
  const [failure, setFailure] = useState("");
  const [status, setStatus] = useState<"" | Status>("");
  const [query, setQuery] = useState("");
  const me = useSession();
  const [limit, setLimit] = useState(PAGE);
  useEffect(() => setLimit(PAGE), [status, query]);

  const loaded = useRef(false);
  usePoll(async () => {
    // The first time, a first page shows rows soon, then the rest follows.
    const first = loaded.current ? undefined : { limit: FIRST_PAGE };
    const { data, error } = await authed(() => api.GET("/v1/dashboard", { params: { query: first ?? {} } }));
    setFailure(error ? (errorOf(error)?.message ?? "Could not load the dashboard") : "");
    if (!data) return;
    setRows(data.monitors);
    if (!data.cursor) return void (loaded.current = true);
    const rest = await authed(() => api.GET("/v1/dashboard", { params: { query: { cursor: data.cursor! } } }));
    if (rest.data) {
      setRows([...data.monitors, ...rest.data.monitors]);
      loaded.current = true;
    }
  }, []);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (rows ?? []).filter((m) => (!status || m.status === status) && (!q || m.name.toLowerCase().includes(q)));
  }, [rows, status, query]);
  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const m of rows ?? []) c[m.status] = (c[m.status] ?? 0) + 1;
    return c;
  }, [rows]);

  return (
    <>
      <div class="title-row">
        <h1>Monitors</h1>
        {can("monitors.write", me) && <a class="button" href="/monitors/new">New monitor</a>}
      </div>
      <div class="filters" role="search">
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as Status | "")}>
            <option value="">All ({rows?.length ?? 0})</option>
            {(["up", "degraded", "down", "pending", "paused"] as const).map((s) => (
              <option value={s}>{`${s[0]!.toUpperCase()}${s.slice(1)} (${counts[s] ?? 0})`}</option>
            ))}
          </select>
        </label>
        <label>
          Search{" "}
          <input type="search" value={query} placeholder="Name" onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      {failure && <Failed message={failure} />}
      {!rows ? (
        <Loading />
      ) : rows.length === 0 ? (
        <p>No monitors yet.{can("monitors.write", me) && <> <a href="/monitors/new">Create the first one</a>.</>}</p>
      ) : (
        <>
          <ScrollBox label="Monitors">
            <table class="cards">
              <caption class="sr-only">Monitors, {Math.min(limit, shown.length)} of {shown.length} shown</caption>
              <thead>
                <tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Last check</th><th scope="col">Uptime 24 h</th><th scope="col">Open incident</th></tr>
              </thead>
              <tbody>
                {shown.slice(0, limit).map((m) => (
                  <tr key={m.id} data-monitor={m.name}>
                    <td>
                      <a href={`/monitors/${encodeURIComponent(m.id)}`}>{m.name}</a>
                      <div class="muted small"><Url url={m.url} /> <CertDaysLeft days={m.certDaysLeft} /></div>
                      <RecentChecks checks={m.recentChecks} />
                    </td>
                    <td data-label="Status"><MonitorBadge status={m.status} failedInARow={failedInARow(m.recentChecks.ok)} threshold={m.failureThreshold} /></td>
                    <td data-label="Last check"><When at={m.lastCheckedAt} relative /></td>
                    <td data-label="Uptime 24 h">{percent(m.uptime24h)}</td>
                    <td data-label="Open incident">
                      {m.openIncident ? <><span class="incident">{reasonText(m.openIncident.reason)} since <When at={m.openIncident.startedAt} relative /></span><Acknowledge incident={m.openIncident} /></> : "–"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {shown.length > limit && (
            <p class="more">
              Showing {limit} of {shown.length.toLocaleString("en-US")}.{" "}
              <button type="button" class="secondary" onClick={() => setLimit(limit + PAGE)}>Show {Math.min(PAGE, shown.length - limit)} more</button>{" "}
              <button type="button" class="secondary" onClick={() => setLimit(shown.length)}>Show all</button>
            </p>
          )}
        </>
      )}
    </>
  );
}

/** Bars in the strip: the API sends up to this many checks (Dashboard.RECENT_CHECKS). */
const STRIP_SLOTS = 40;

/** The newest checks as a strip of bars (green up, red failed), read as one sentence by a screen reader. */
function RecentChecks({ checks }: { checks: DashboardRow["recentChecks"] }) {
  const n = checks.ok.length;
  if (n === 0) return null;
  const failed = checks.ok.filter((ok) => !ok).length;
  const label = `Last ${n} check${n === 1 ? "" : "s"}: ${failed === 0 ? "all up" : `${failed} failed`}`;
  // A new monitor's few checks stand at the right of empty slots, so a bar is always one check wide.
  const empty = Math.max(0, STRIP_SLOTS - n);
  return (
    <div class="strip" role="img" aria-label={label} title={label} data-strip={checks.ok.map((ok) => (ok ? "u" : "d")).join("")}>
      {Array.from({ length: empty }, () => <i class="none" />)}
      {checks.ok.map((ok) => <i class={ok ? "up" : "down"} />)}
    </div>
  );
}

/** Failed checks at the end of the strip (the newest), as the threshold counts them. */
function failedInARow(ok: boolean[]) {
  const lastOk = ok.lastIndexOf(true);
  return ok.length - 1 - lastOk;
}
