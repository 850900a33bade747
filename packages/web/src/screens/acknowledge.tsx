import { useState } from "preact/hooks";
import { api, authed, errorOf, type Incident } from "../api/client";
import { can, useSession } from "../session";

/** Who acknowledged an open incident, or the button to do it (stops its reminders and escalation). */
export function Acknowledge({ incident }: { incident: Incident }) {
  const me = useSession();
  const [acked, setAcked] = useState<{ by: string | null } | null>(incident.acknowledgedAt ? { by: incident.acknowledgedBy } : null);
  const [failure, setFailure] = useState("");
  if (acked) return <span class="acknowledged"> · acknowledged by {acked.by ?? "someone"}</span>;
  if (incident.status !== "open" || !can("monitors.write", me)) return null;
  return (
    <>
      {" "}
      <button
        type="button"
        class="secondary small"
        onClick={async () => {
          const { data, error } = await authed(() => api.POST("/v1/incidents/{id}/acknowledge", { params: { path: { id: incident.id } } }));
          if (data) setAcked({ by: data.acknowledgedBy });
          setFailure(error ? (errorOf(error)?.message ?? "Could not acknowledge") : "");
        }}
      >
        Acknowledge
      </button>
      {failure && <span class="error" role="alert"> {failure}</span>}
    </>
  );
}
