import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, type FieldErrors } from "../api/client";
import type { components } from "../api/schema";
import { Failed } from "./status";

type Channel = components["schemas"]["Channel"];

interface Alerting {
  channelIds: string[];
  remindEveryMin: number;
  escalateAfterMin: number;
  escalationChannelIds: string[];
}

function ChannelChoice({ legend, channels, chosen, onChange, name }: { legend: string; channels: Channel[]; chosen: string[]; onChange: (ids: string[]) => void; name: string }) {
  return (
    <fieldset class="choices">
      <legend>{legend}</legend>
      {channels.map((c) => (
        <div class="field checkbox" key={c.id}>
          <input
            id={`${name}-${c.id}`}
            type="checkbox"
            checked={chosen.includes(c.id)}
            onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...chosen, c.id] : chosen.filter((id) => id !== c.id))}
          />
          <label for={`${name}-${c.id}`}>{c.name} ({c.type}){c.broken ? " · broken" : ""}</label>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * A monitor's alert channels, reminders and escalation, saved on their own (the monitor form
 * includes this as one line). A new monitor gets the organisation's default channels; this is
 * where they are changed afterwards.
 */
export function MonitorChannels({ id }: { id?: string }) {
  const [channels, setChannels] = useState<Channel[] | null>(null);
  const [alerting, setAlerting] = useState<Alerting | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");

  useEffect(() => {
    void authed(() => api.GET("/v1/channels", { params: { query: { limit: 100 } } })).then(({ data }) => setChannels(data?.data ?? []));
    if (!id) return;
    void authed(() => api.GET("/v1/monitors/{id}", { params: { path: { id } } })).then(({ data }) => {
      if (data) setAlerting({ channelIds: data.channelIds, remindEveryMin: data.remindEveryMin, escalateAfterMin: data.escalateAfterMin, escalationChannelIds: data.escalationChannelIds });
    });
  }, [id]);

  if (!channels) return null;
  if (!id) {
    const defaults = channels.filter((c) => c.isDefault).map((c) => c.name);
    return (
      <section class="monitor-channels" aria-labelledby="alerting-h">
        <h2 id="alerting-h">Alert channels</h2>
        <p class="muted">{defaults.length ? `New monitors notify: ${defaults.join(", ")}.` : "No default channels: only the alert emails are notified."} Choose channels, reminders and escalation after creating it.</p>
      </section>
    );
  }
  if (!alerting) return null;

  async function save() {
    const { error } = await authed(() => api.PATCH("/v1/monitors/{id}", { params: { path: { id: id! } }, body: alerting! }));
    setErrors(fieldErrors(error));
    setMessage(error ? (errorOf(error)?.message ?? "Could not save") : "Alerting updated.");
  }

  return (
    <section class="monitor-channels" aria-labelledby="alerting-h">
      <h2 id="alerting-h">Alert channels</h2>
      {channels.length === 0 ? (
        <p>No channels yet: <a href="/channels">create one</a>.</p>
      ) : (
        <ChannelChoice legend="Notify" name="ch" channels={channels} chosen={alerting.channelIds} onChange={(channelIds) => setAlerting({ ...alerting, channelIds })} />
      )}
      {errors.channelIds && <Failed message={errors.channelIds} />}
      <div class="grid">
        <div class="field">
          <label for="f-remindEveryMin">Remind every (minutes, 0: never)</label>
          <input id="f-remindEveryMin" type="number" min={0} value={alerting.remindEveryMin} aria-invalid={errors.remindEveryMin ? true : undefined}
            onInput={(e) => setAlerting({ ...alerting, remindEveryMin: Number((e.target as HTMLInputElement).value) })} />
          {errors.remindEveryMin && <small class="error">{errors.remindEveryMin}</small>}
        </div>
        <div class="field">
          <label for="f-escalateAfterMin">Escalate if unacknowledged after (minutes, 0: never)</label>
          <input id="f-escalateAfterMin" type="number" min={0} value={alerting.escalateAfterMin} aria-invalid={errors.escalateAfterMin ? true : undefined}
            onInput={(e) => setAlerting({ ...alerting, escalateAfterMin: Number((e.target as HTMLInputElement).value) })} />
        </div>
      </div>
      {alerting.escalateAfterMin > 0 && (
        <ChannelChoice legend="Escalate to" name="esc" channels={channels} chosen={alerting.escalationChannelIds} onChange={(escalationChannelIds) => setAlerting({ ...alerting, escalationChannelIds })} />
      )}
      {errors.escalationChannelIds && <Failed message={errors.escalationChannelIds} />}
      <div class="actions">
        <button type="button" onClick={() => void save()}>Update alerting</button>
      </div>
      {message && <p role="status">{message}</p>}
    </section>
  );
}
