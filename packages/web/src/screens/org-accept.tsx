import { useState } from "preact/hooks";
import { api, authed, errorOf, loadOrg, type MyOrg } from "../api/client";
import { navigate } from "../router";
import { chooseOrg } from "../session";
import { Failed } from "./status";

/** What the invitation mail links to: `/invitations/accept?token=…` (signing in first comes back here). */
export function AcceptInvitation() {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [joined, setJoined] = useState<MyOrg | null>(null);
  const [failure, setFailure] = useState(token ? "" : "This link has no invitation token: open the link from the email again.");
  const [busy, setBusy] = useState(false);
  const heading = joined ? `You joined ${joined.name}` : "Accept the invitation";

  async function accept() {
    setBusy(true);
    const { data, error } = await authed(() => api.POST("/v1/invitations/accept", { body: { token } }));
    setBusy(false);
    if (!data) return setFailure(errorOf(error)?.message ?? "Could not accept the invitation");
    setFailure("");
    setJoined(data);
  }

  async function open() {
    if (!joined) return;
    chooseOrg(joined.id);
    await loadOrg();
    navigate("/", true);
  }

  return (
    <section class="card inline-form">
      <h1>{heading}</h1>
      {failure && <Failed message={failure} />}
      {joined ? (
        <>
          <p>Your role there: <strong>{joined.role}</strong>.</p>
          <button type="button" onClick={() => void open()}>Open {joined.name}</button>
        </>
      ) : (
        token && (
          <>
            <p>Join the organisation that invited you, with the account you are signed in with.</p>
            <button type="button" disabled={busy} onClick={() => void accept()}>Accept invitation</button>
          </>
        )
      )}
    </section>
  );
}
