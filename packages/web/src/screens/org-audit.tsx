import { useState } from "preact/hooks";
import { api, authed, errorOf, type AuditEntry } from "../api/client";
import { usePoll } from "../poll";
import { can, useSession } from "../session";
import { Failed, Loading, ScrollBox } from "./status";
import { When } from "./when";

const PAGE = 50;

/** Entries written before names were recorded carry only ids: show those instead. */
function who({ actor }: AuditEntry) {
  if (actor.kind === "user") return actor.name ?? actor.userId;
  const prefix = actor.keyId ? `upk_${actor.keyId}` : "";
  return actor.name ? `API key "${actor.name}" (${prefix})` : `API key ${prefix}`;
}

/** Newest first; "Older" follows the API's cursor and "Newest" goes back to the first page. */
export function AuditLog() {
  const me = useSession();
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursors, setCursors] = useState<string[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [failure, setFailure] = useState("");
  const allowed = can("audit.read", me);
  const cursor = cursors[cursors.length - 1];

  usePoll(async () => {
    if (!allowed) return;
    const query = { limit: PAGE, ...(cursor ? { cursor } : {}) };
    const { data, error } = await authed(() => api.GET("/v1/org/audit", { params: { query } }));
    if (data) {
      setEntries(data.data);
      setNext(data.cursor);
    }
    setFailure(error ? (errorOf(error)?.message ?? "Could not load the audit log") : "");
  }, [allowed, cursor]);

  if (!allowed) return <Failed message="Your role may not read the audit log." />;
  return (
    <>
      <h1>Audit log</h1>
      {failure && <Failed message={failure} />}
      {!entries ? (
        <Loading />
      ) : entries.length === 0 ? (
        <p>Nothing recorded yet.</p>
      ) : (
        <ScrollBox label="Audit log">
          <table>
            <caption class="sr-only">Audit log, page {cursors.length + 1}, newest first</caption>
            <thead>
              <tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">By</th><th scope="col">Details</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td><When at={e.at} /></td>
                  <td><code>{e.action}</code></td>
                  <td>{e.target.type} <span class="muted small">{e.target.id}</span></td>
                  <td class="small">{who(e)}</td>
                  <td class="small">{e.details ? JSON.stringify(e.details) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <p class="more">
        {cursors.length > 0 && <button type="button" class="secondary" onClick={() => setCursors([])}>Newest</button>}
        {next && <button type="button" class="secondary" onClick={() => setCursors([...cursors, next])}>Older</button>}
      </p>
    </>
  );
}
