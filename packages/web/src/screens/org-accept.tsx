import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, loadOrg, type InvitationPreview, type MyOrg } from "../api/client";
import { navigate } from "../router";
import { chooseOrg } from "../session";
import { Failed, Loading } from "./status";

/** What each invited role may do, so the screen says it before anyone accepts. */
const ROLE_WORDS: Record<InvitationPreview["role"], string> = {
  admin: "manage monitors, status pages, channels, members and API keys",
  member: "create and change monitors, status pages and channels",
  viewer: "see monitors, incidents and status pages, and change nothing",
};

/** What the invitation mail links to: `/invitations/accept?token=…` (signing in first comes back here). */
export function AcceptInvitation() {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [invitation, setInvitation] = useState<InvitationPreview | null>(null);
  const [joined, setJoined] = useState<MyOrg | null>(null);
  const [failure, setFailure] = useState(token ? "" : "This link has no invitation token: open the link from the email again.");
  const [busy, setBusy] = useState(false);
  const heading = joined ? `You joined ${joined.name}` : "Accept the invitation";

  useEffect(() => {
    if (!token) return;
    void authed(() => api.POST("/v1/invitations/preview", { body: { token } })).then(({ data, error }) =>
      data ? setInvitation(data) : setFailure(errorOf(error)?.message ?? "Could not read the invitation"),
    );
  }, [token]);

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
      ) : invitation ? (
        <>
          <p data-invitation-preview>
            {invitation.invitedBy ?? "Someone"} invited you to join <strong>{invitation.orgName}</strong> as <strong>{invitation.role}</strong>: you will{" "}
            {ROLE_WORDS[invitation.role]}.
          </p>
          <button type="button" disabled={busy} onClick={() => void accept()}>Accept invitation</button>
        </>
      ) : (
        token && !failure && <Loading />
      )}
    </section>
  );
}
