import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, type FieldErrors } from "../api/client";
import type { components } from "../api/schema";
import { ago } from "../format";
import { usePaged } from "../paged";
import { can, useSession } from "../session";
import { ConfirmButton } from "./confirm";
import { Field } from "./field";
import { Failed, Loading, ScrollBox, ShowMore } from "./status";

type Channel = components["schemas"]["Channel"];
type ChannelType = Channel["type"];
type TestResult = components["schemas"]["ChannelTestResult"];
type Attempt = components["schemas"]["DeliveryAttempt"];

/** Per type: the fields the form asks for, and where to get them (docs/alerts.md says the same at length). */
const TYPES: Record<ChannelType, { label: string; help: string; fields: { name: string; label: string; hint?: string }[] }> = {
  webhook: { label: "Webhook", help: "Any HTTPS endpoint. Requests are signed per Standard Webhooks; the signing secret is shown once after saving.", fields: [{ name: "url", label: "Endpoint URL" }] },
  slack: { label: "Slack", help: "Slack: Apps → Incoming Webhooks → Add to Slack, pick a channel, copy the hooks.slack.com URL. Mattermost and Rocket.Chat incoming webhooks work too.", fields: [{ name: "url", label: "Webhook URL" }] },
  discord: { label: "Discord", help: "Server Settings → Integrations → Webhooks → New Webhook → Copy Webhook URL.", fields: [{ name: "url", label: "Webhook URL" }] },
  teams: { label: "Microsoft Teams", help: "In the channel: … → Workflows → “Post to a channel when a webhook request is received”; copy the URL it shows.", fields: [{ name: "url", label: "Workflow URL" }] },
  googlechat: { label: "Google Chat", help: "In the space: Apps & integrations → Webhooks → Add webhook; copy the URL.", fields: [{ name: "url", label: "Webhook URL" }] },
  telegram: {
    label: "Telegram",
    help: "Create a bot with @BotFather (/newbot) and copy its token; add the bot to your group and use the group's chat id (negative for groups).",
    fields: [{ name: "botToken", label: "Bot token" }, { name: "chatId", label: "Chat id" }],
  },
  ntfy: { label: "ntfy", help: "A topic URL such as https://ntfy.sh/your-secret-topic; subscribe to it in the ntfy app.", fields: [{ name: "url", label: "Topic URL" }, { name: "token", label: "Access token", hint: "Optional: for a protected topic" }] },
  pagerduty: {
    label: "PagerDuty",
    help: "Service → Integrations → Add integration → Events API V2; copy the 32-character Integration Key. Down triggers, recovery resolves.",
    fields: [{ name: "routingKey", label: "Integration key" }],
  },
  email: { label: "Email", help: "An address that is not a member's gets a confirmation email first and nothing until it confirms.", fields: [{ name: "address", label: "Email address" }] },
  eventbridge: { label: "AWS EventBridge", help: "Every event goes to this stage's event bus (source “uptime”); route it with EventBridge rules. Nothing to fill in.", fields: [] },
};

function ChannelForm({ onCreated }: { onCreated: (name: string, signingSecret?: string) => void }) {
  const [type, setType] = useState<ChannelType>("slack");
  const [values, setValues] = useState<Record<string, string>>({ name: "" });
  const [isDefault, setIsDefault] = useState(false);
  const [statusPages, setStatusPages] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState("");
  const spec = TYPES[type];

  async function create(e: Event) {
    e.preventDefault();
    const fields = Object.fromEntries(spec.fields.map((f) => [f.name, values[f.name] ?? ""]).filter(([, v]) => v !== ""));
    const body = { type, name: values.name ?? "", isDefault, ...(statusPages ? { statusPages } : {}), ...fields } as components["schemas"]["Channel"]["settings"] & { type: ChannelType; name: string };
    const { data, error } = await authed(() => api.POST("/v1/channels", { body: body as never }));
    const byField = fieldErrors(error);
    setErrors(byField);
    setFailure(error && !Object.keys(byField).length ? (errorOf(error)?.message ?? "Could not create the channel") : "");
    if (!data) return;
    setValues({ name: "" });
    onCreated(data.channel.name, data.signingSecret);
  }

  return (
    <form class="card inline-form" onSubmit={create} noValidate aria-labelledby="new-channel-h">
      <h2 id="new-channel-h">New channel</h2>
      <Field label="Type" name="channel-type" value={type} onInput={() => {}}>
        <select id="f-channel-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as ChannelType)}>
          {(Object.keys(TYPES) as ChannelType[]).map((t) => <option value={t}>{TYPES[t].label}</option>)}
        </select>
      </Field>
      <p class="muted" id="channel-help">{spec.help}</p>
      <Field label="Name" name="channel-name" value={values.name ?? ""} onInput={(v) => setValues({ ...values, name: v })} error={errors.name} autocomplete="off" />
      {spec.fields.map((f) => (
        <Field key={`${type}-${f.name}`} label={f.label} name={`channel-${f.name}`} value={values[f.name] ?? ""} onInput={(v) => setValues({ ...values, [f.name]: v })} error={errors[f.name]} hint={f.hint} autocomplete="off" />
      ))}
      <div class="field checkbox">
        <input id="f-channel-default" type="checkbox" checked={isDefault} onChange={(e) => setIsDefault((e.target as HTMLInputElement).checked)} />
        <label for="f-channel-default">Add to new monitors by default</label>
      </div>
      <div class="field checkbox">
        <input id="f-channel-status-pages" type="checkbox" checked={statusPages} onChange={(e) => setStatusPages((e.target as HTMLInputElement).checked)} />
        <label for="f-channel-status-pages">Also announce incidents posted on status pages</label>
      </div>
      {failure && <Failed message={failure} />}
      <button type="submit">Create channel</button>
    </form>
  );
}

function DeliveryLog({ channelId }: { channelId: string }) {
  const [entries, setEntries] = useState<Attempt[] | null>(null);
  const [failure, setFailure] = useState("");
  const load = async () => {
    const { data, error } = await authed(() => api.GET("/v1/channels/{id}/deliveries", { params: { path: { id: channelId } } }));
    if (data) setEntries(data.data);
    setFailure(error ? (errorOf(error)?.message ?? "Could not load the delivery log") : "");
  };
  useEffect(() => void load(), [channelId]);
  if (failure) return <Failed message={failure} />;
  if (!entries) return <Loading />;
  if (!entries.length) return <p>No deliveries yet.</p>;
  return (
    <ScrollBox label="Delivery log">
      <table class="delivery-log">
        <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Attempt</th><th scope="col">Outcome</th><th scope="col">HTTP</th><th scope="col">Latency</th><th scope="col">Error</th></tr></thead>
        <tbody>
          {entries.map((e) => (
            <tr key={`${e.at}-${e.eventId}-${e.attempt}`}>
              <td>{ago(e.at)}</td><td>{e.eventType}</td><td>{e.attempt + 1}</td><td>{e.outcome}</td><td>{e.httpStatus ?? "-"}</td>
              <td>{e.latencyMs === null ? "-" : `${e.latencyMs} ms`}</td><td>{e.error ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function ChannelRow({ channel, writable, onChange }: { channel: Channel; writable: boolean; onChange: () => Promise<void> }) {
  const [test, setTest] = useState<TestResult | null>(null);
  const [testing, setTesting] = useState(false);
  const [showLog, setShowLog] = useState(false);
  const [tests, setTests] = useState(0);
  const [failure, setFailure] = useState("");
  const masked = Object.entries(channel.secrets).filter(([k]) => k !== "signingSecret").map(([, v]) => v).join(" ");

  async function sendTest() {
    setTesting(true);
    const { data, error } = await authed(() => api.POST("/v1/channels/{id}/test", { params: { path: { id: channel.id } } }));
    setTesting(false);
    setTest(data ?? null);
    setTests((n) => n + 1);
    setFailure(error ? (errorOf(error)?.message ?? "Could not send the test") : "");
    await onChange();
  }
  async function toggleDefault() {
    const { error } = await authed(() => api.PATCH("/v1/channels/{id}", { params: { path: { id: channel.id } }, body: { isDefault: !channel.isDefault } }));
    setFailure(error ? (errorOf(error)?.message ?? "Could not change the channel") : "");
    await onChange();
  }

  return (
    <li class="card channel" data-channel={channel.name}>
      <h3>{channel.name} <span class="muted">{TYPES[channel.type].label}</span></h3>
      {masked && <p><code>{masked}</code></p>}
      {channel.broken && <p class="error" role="status">Broken since {ago(channel.broken.at)}: {channel.broken.reason}. Edit its address to try again.</p>}
      <p>{channel.isDefault ? "Added to new monitors by default." : "Not added to new monitors by default."}</p>
      {writable && (
        <div class="actions">
          <button type="button" disabled={testing} onClick={() => void sendTest()}>{testing ? "Sending…" : "Send test"}</button>
          <button type="button" class="secondary" onClick={() => void toggleDefault()}>{channel.isDefault ? "Stop adding to new monitors" : "Add to new monitors"}</button>
          <button type="button" class="secondary" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>Delivery log</button>
          <ConfirmButton
            label="Delete"
            question={`Delete ${channel.name}? Monitors using it stop notifying it.`}
            yes="Yes, delete"
            onConfirm={async () => {
              const { error } = await authed(() => api.DELETE("/v1/channels/{id}", { params: { path: { id: channel.id } } }));
              setFailure(error ? (errorOf(error)?.message ?? "Could not delete") : "");
              await onChange();
            }}
          />
        </div>
      )}
      {!writable && <button type="button" class="secondary" aria-expanded={showLog} onClick={() => setShowLog(!showLog)}>Delivery log</button>}
      {test && (
        <p role="status" class={test.ok ? "ok" : "error"} data-test-result>
          {test.ok ? "Test delivered" : "Test failed"}
          {test.httpStatus !== null ? `: HTTP ${test.httpStatus}` : ""}
          {test.latencyMs ? ` in ${test.latencyMs} ms` : ""}
          {test.error ? ` (${test.error})` : ""}
          {test.response ? ` · answer: ${test.response.slice(0, 200)}` : ""}
        </p>
      )}
      {failure && <Failed message={failure} />}
      {showLog && <DeliveryLog key={`${channel.id}-${tests}`} channelId={channel.id} />}
    </li>
  );
}

/** The organisation's alert channels: create per type with help, send test, delivery log, broken state. */
export function Channels() {
  const me = useSession();
  const [failure, setFailure] = useState("");
  const [created, setCreated] = useState<{ name: string; signingSecret?: string } | null>(null);
  const writable = can("channels.write", me);
  const { items, hasMore, more, reload } = usePaged<Channel>(async (query) => {
    const { data, error } = await authed(() => api.GET("/v1/channels", { params: { query } }));
    setFailure(error ? (errorOf(error)?.message ?? "Could not load the channels") : "");
    return data;
  }, []);

  return (
    <>
      <h1>Alert channels</h1>
      <p class="muted">Where incidents are announced besides email. Monitors choose their channels in their settings.</p>
      {failure && <Failed message={failure} />}
      {created && (
        <div class="card once" role="status">
          <p><strong>{created.name}</strong> was created.{created.signingSecret ? " Copy its signing secret now: it is shown only once." : ""}</p>
          {created.signingSecret && <code class="token" data-signing-secret>{created.signingSecret}</code>}
          <div class="actions"><button type="button" class="secondary" onClick={() => setCreated(null)}>Done</button></div>
        </div>
      )}
      {writable && <ChannelForm onCreated={(name, signingSecret) => { setCreated({ name, signingSecret }); void reload(); }} />}
      <h2>Channels</h2>
      {!items ? <Loading /> : items.length === 0 ? <p>No channels yet.</p> : (
        <ul class="channels">{items.map((c) => <ChannelRow key={c.id} channel={c} writable={writable} onChange={reload} />)}</ul>
      )}
      {hasMore && <ShowMore what="channels" onClick={more} />}
    </>
  );
}
