import { useState } from "preact/hooks";
import { api, authed, errorOf, type Incident } from "../api/client";
import { duration, reasonText } from "../format";
import { usePoll } from "../poll";
import { Failed, Loading } from "./status";
import { Acknowledge } from "./acknowledge";
import { When } from "./when";

export function IncidentList({ incidents, showMonitor }: { incidents: Incident[]; showMonitor: boolean }) {
  if (incidents.length === 0) return <p>No incidents.</p>;
  return (
    <ul class="incidents">
      {incidents.map((i) => (
        <li key={i.id} class={i.status}>
          <strong>{i.status === "open" ? "Open" : "Resolved"}</strong>{" "}
          {showMonitor && <a href={`/monitors/${encodeURIComponent(i.monitorId)}`}>{i.monitorName}</a>} {reasonText(i.reason)}
          {i.message ? ` (${i.message})` : ""} · started <When at={i.startedAt} /> · {duration(i.durationMs)}
          {showMonitor && <Acknowledge incident={i} />}
        </li>
      ))}
    </ul>
  );
}

export function Incidents() {
  const [status, setStatus] = useState<"" | "open" | "resolved">("");
  const [incidents, setIncidents] = useState<Incident[] | null>(null);
  const [failure, setFailure] = useState("");
  usePoll(async () => {
    const query = { limit: 100, ...(status ? { status } : {}) };
    const { data, error } = await authed(() => api.GET("/v1/incidents", { params: { query } }));
    if (data) setIncidents(data.data);
    setFailure(error ? (errorOf(error)?.message ?? "Could not load incidents") : "");
  }, [status]);
  return (
    <>
      <h1>Incidents</h1>
      <div class="filters">
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as typeof status)}>
            <option value="">All</option>
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
      </div>
      {failure && <Failed message={failure} />}
      {incidents ? <IncidentList incidents={incidents} showMonitor /> : <Loading />}
    </>
  );
}
