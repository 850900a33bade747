import { useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, type ApiKey, type FieldErrors } from "../api/client";
import { ago, date } from "../format";
import { usePaged } from "../paged";
import { can, useSession } from "../session";
import { ConfirmButton } from "./confirm";
import { Field } from "./field";
import { Failed, Loading, ScrollBox, ShowMore } from "./status";

const day = (iso: string | null) => (iso ? date(iso) : "never");

/** Create (the token is shown once, here), list and revoke the organisation's API keys. */
export function ApiKeys() {
  const me = useSession();
  const [failure, setFailure] = useState("");
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("read");
  const [expires, setExpires] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const allowed = can("apiKeys.manage", me);

  const { items: keys, hasMore, more, reload: load } = usePaged<ApiKey>(async (query) => {
    if (!allowed) return undefined;
    const { data, error } = await authed(() => api.GET("/v1/org/api-keys", { params: { query } }));
    setFailure(error ? (errorOf(error)?.message ?? "Could not load the keys") : "");
    return data;
  }, [allowed]);

  async function create(e: Event) {
    e.preventDefault();
    // A date input gives a day; the key works until the end of it, in the browser's time zone.
    const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
    const { data, error } = await authed(() => api.POST("/v1/org/api-keys", { body: { name, scope, ...(expiresAt ? { expiresAt } : {}) } }));
    const fields = fieldErrors(error);
    setErrors({ ...fields, ...(fields.expiresAt ? { expires: fields.expiresAt } : {}) });
    setFailure(error && !Object.keys(fields).length ? (errorOf(error)?.message ?? "Could not create the key") : "");
    if (!data) return;
    setCreated({ name: data.key.name, token: data.token });
    setCopied(false);
    setName("");
    setExpires("");
    await load();
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setFailure("Could not copy: select the key and copy it yourself.");
    }
  }

  if (!allowed) return <Failed message="Your role may not manage API keys." />;
  return (
    <>
      <h1>API keys</h1>
      <p class="muted">
        Use a key as <code>Authorization: Bearer &lt;key&gt;</code>. A read key may read; a write key may also change monitors and status pages.
      </p>
      {failure && <Failed message={failure} />}
      {created && (
        <div class="card once" role="status">
          <p><strong>{created.name}</strong>: copy this key now. It is shown only once.</p>
          <code class="token" data-token>{created.token}</code>
          <div class="actions">
            <button type="button" onClick={() => void copy()}>{copied ? "Copied" : "Copy key"}</button>
            <button type="button" class="secondary" onClick={() => setCreated(null)}>Done</button>
          </div>
        </div>
      )}
      <form class="card inline-form" onSubmit={create} noValidate aria-labelledby="new-key-h">
        <h2 id="new-key-h">New key</h2>
        <Field label="Key name" name="key-name" value={name} onInput={setName} error={errors.name} autocomplete="off" />
        <Field label="Scope" name="key-scope" value={scope} onInput={() => {}} error={errors.scope}>
          <select id="f-key-scope" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value as typeof scope)}>
            <option value="read">read</option>
            <option value="write">write</option>
          </select>
        </Field>
        <Field label="Expires (optional)" name="expires" value={expires} onInput={setExpires} error={errors.expires}>
          <input id="f-expires" type="date" value={expires} aria-invalid={errors.expires ? true : undefined} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Create key</button>
      </form>
      <h2>Keys</h2>
      {!keys ? (
        <Loading />
      ) : keys.length === 0 ? (
        <p>No keys yet.</p>
      ) : (
        <ScrollBox label="API keys">
          <table>
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Scope</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">State</th></tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id} data-key={k.name}>
                  <td>{k.name}</td>
                  <td><code>{k.prefix}…</code></td>
                  <td>{k.scope}</td>
                  <td>{k.lastUsedAt ? ago(k.lastUsedAt) : "never"}</td>
                  <td>{day(k.expiresAt)}</td>
                  <td>
                    {k.revokedAt ? (
                      `revoked ${day(k.revokedAt)}`
                    ) : (
                      <ConfirmButton
                        label="Revoke"
                        question={`Revoke ${k.name}? Requests with it fail at once.`}
                        yes="Yes, revoke"
                        onConfirm={async () => {
                          const { error } = await authed(() => api.DELETE("/v1/org/api-keys/{keyId}", { params: { path: { keyId: k.id } } }));
                          setFailure(error ? (errorOf(error)?.message ?? "Could not revoke") : "");
                          await load();
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {hasMore && <ShowMore what="keys" onClick={more} />}
    </>
  );
}
