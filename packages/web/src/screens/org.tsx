import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, loadOrg, type FieldErrors, type Invitation, type Member } from "../api/client";
import { date } from "../format";
import { usePaged } from "../paged";
import { navigate } from "../router";
import { can, chooseOrg, useSession, type Role } from "../session";
import { ConfirmButton } from "./confirm";
import { Field } from "./field";
import { Failed, Loading, ScrollBox, ShowMore } from "./status";

const ROLES: Role[] = ["owner", "admin", "member", "viewer"];
const message = (error: unknown, fallback: string) => errorOf(error)?.message ?? fallback;

/** Rename, members, invitations, leave, transfer and delete: each shown only to a role that may use it. */
export function OrgScreen() {
  const me = useSession();
  const [failure, setFailure] = useState("");
  const [notice, setNotice] = useState("");
  const [name, setName] = useState(me.orgName ?? "");
  const [nameError, setNameError] = useState<string>();
  useEffect(() => setName(me.orgName ?? ""), [me.orgName]);

  async function run(call: () => Promise<{ error?: unknown }>, done: string, fallback: string) {
    setNotice("");
    const { error } = await call();
    setFailure(error ? message(error, fallback) : "");
    if (!error) setNotice(done);
    return !error;
  }

  async function rename(e: Event) {
    e.preventDefault();
    const { data, error } = await authed(() => api.PATCH("/v1/org", { body: { name } }));
    setNameError(error ? (fieldErrors(error).name ?? message(error, "Could not rename")) : undefined);
    if (data) {
      setNotice("Renamed.");
      await loadOrg();
    }
  }

  if (!me.orgName) return <Loading />;
  const isOwner = me.role === "owner";
  return (
    <>
      <div class="title-row">
        <h1>{me.orgName}</h1>
        <a class="button secondary" href="/orgs/new">New organisation</a>
      </div>
      <p class="muted">
        Your role: <strong>{me.role}</strong>{me.personal ? " · your personal organisation" : ""}
      </p>
      <nav class="actions" aria-label="Organisation settings">
        {can("apiKeys.manage", me) && <a href="/org/api-keys">API keys</a>}
        {can("audit.read", me) && <a href="/org/audit">Audit log</a>}
      </nav>
      {failure && <Failed message={failure} />}
      {notice && <p role="status">{notice}</p>}
      {can("org.update", me) && (
        <form class="card inline-form" onSubmit={rename} aria-labelledby="rename-h">
          <h2 id="rename-h">Name</h2>
          <Field label="Organisation name" name="org-name" value={name} onInput={setName} error={nameError} />
          <button type="submit">Rename</button>
        </form>
      )}
      {can("members.read", me) && <Members run={run} />}
      {can("invitations.manage", me) && <Invitations />}
      {!me.personal && (
        <section aria-labelledby="leave-h">
          <h2 id="leave-h">Leave or delete</h2>
          <div class="actions">
            <ConfirmButton
              label="Leave organisation"
              class="secondary"
              question={`Leave ${me.orgName}? You lose access at once.`}
              yes="Yes, leave"
              onConfirm={async () => {
                if (await run(() => authed(() => api.POST("/v1/org/leave")), "", "Could not leave")) leaveTo();
              }}
            />
            {isOwner && can("org.delete", me) && (
              <ConfirmButton
                label="Delete organisation"
                question={`Delete ${me.orgName} for every member? Delete its monitors first.`}
                yes="Yes, delete"
                onConfirm={async () => {
                  if (await run(() => authed(() => api.DELETE("/v1/org")), "", "Could not delete")) leaveTo();
                }}
              />
            )}
          </div>
        </section>
      )}
    </>
  );
}

function leaveTo() {
  chooseOrg(null);
  void loadOrg();
  navigate("/");
}

type Run = (call: () => Promise<{ error?: unknown }>, done: string, fallback: string) => Promise<boolean>;

function Members({ run }: { run: Run }) {
  const me = useSession();
  const [myId, setMyId] = useState<string | null>(null);
  useEffect(() => void authed(() => api.GET("/v1/me")).then(({ data }) => data && setMyId(data.id)), []);
  const { items: members, hasMore, more, reload: load } = usePaged<Member>(async (query) => (await authed(() => api.GET("/v1/org/members", { params: { query } }))).data);
  const manage = can("members.manage", me);
  const byId = (userId: string) => ({ params: { path: { userId } } });

  async function setRole(m: Member, role: Role) {
    await run(() => authed(() => api.PATCH("/v1/org/members/{userId}", { ...byId(m.userId), body: { role } })), `${m.email} is now ${role}.`, "Could not change the role");
    await load();
    await loadOrg();
  }

  return (
    <section aria-labelledby="members-h">
      <h2 id="members-h">Members</h2>
      {!members || !myId ? (
        <Loading />
      ) : (
        <>
          <ScrollBox label="Members">
            <table>
              <thead>
                <tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Joined</th>{manage && <th scope="col">Actions</th>}</tr>
              </thead>
              <tbody>
                {members.map((m) => (
                  <tr key={m.userId} data-member={m.email}>
                    <td>{m.name ?? m.email}{m.name && <div class="muted small">{m.email}</div>}</td>
                    <td>
                      {manage && m.userId !== myId ? (
                        <select aria-label={`Role of ${m.email}`} value={m.role} onChange={(e) => void setRole(m, (e.target as HTMLSelectElement).value as Role)}>
                          {ROLES.filter((r) => r !== "owner" || me.role === "owner" || m.role === "owner").map((r) => <option key={r} value={r}>{r}</option>)}
                        </select>
                      ) : (
                        m.role
                      )}
                    </td>
                    <td>{date(m.joinedAt)}</td>
                    {manage && m.userId === myId && <td class="muted small">You</td>}
                    {manage && m.userId !== myId && (
                      <td class="actions">
                        {me.role === "owner" && m.role !== "owner" && (
                          <ConfirmButton
                            label="Make owner"
                            class="secondary"
                            question={`Make ${m.email} the owner? You become an admin.`}
                            yes="Yes, transfer"
                            onConfirm={async () => {
                              await run(() => authed(() => api.POST("/v1/org/transfer", { body: { userId: m.userId } })), `${m.email} is now the owner.`, "Could not transfer");
                              await load();
                              await loadOrg();
                            }}
                          />
                        )}
                        <ConfirmButton
                          label="Remove"
                          question={`Remove ${m.email}?`}
                          yes="Yes, remove"
                          onConfirm={async () => {
                            await run(() => authed(() => api.DELETE("/v1/org/members/{userId}", byId(m.userId))), `${m.email} was removed.`, "Could not remove");
                            await load();
                          }}
                        />
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {hasMore && <ShowMore what="members" onClick={more} />}
        </>
      )}
    </section>
  );
}

function Invitations() {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<"admin" | "member" | "viewer">("member");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState("");
  const [sent, setSent] = useState("");
  const { items: invitations, hasMore, more, reload: load } = usePaged<Invitation>(async (query) => (await authed(() => api.GET("/v1/org/invitations", { params: { query } }))).data);

  async function invite(e: Event) {
    e.preventDefault();
    const { data, error } = await authed(() => api.POST("/v1/org/invitations", { body: { email, role } }));
    setErrors(fieldErrors(error));
    setFailure(error && !fieldErrors(error).email ? message(error, "Could not invite") : "");
    if (!data) return setSent("");
    setSent(`Invitation sent to ${data.email}.`);
    setEmail("");
    await load();
  }

  return (
    <section aria-labelledby="invitations-h">
      <h2 id="invitations-h">Invitations</h2>
      <form class="card inline-form" onSubmit={invite} noValidate aria-label="Invite someone">
        <Field label="Email to invite" name="invite-email" type="email" value={email} onInput={setEmail} error={errors.email} autocomplete="off" />
        <Field label="Role" name="invite-role" value={role} onInput={() => {}} error={errors.role}>
          <select id="f-invite-role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as typeof role)}>
            <option value="admin">admin</option>
            <option value="member">member</option>
            <option value="viewer">viewer</option>
          </select>
        </Field>
        <button type="submit">Send invitation</button>
        {failure && <Failed message={failure} />}
        {sent && <p role="status">{sent}</p>}
      </form>
      {!invitations ? (
        <Loading />
      ) : invitations.length === 0 ? (
        <p>No pending invitations.</p>
      ) : (
        <ul class="plain">
          {invitations.map((i) => (
            <li key={i.id} data-invitation={i.email}>
              <strong>{i.email}</strong> as {i.role} · {i.expired ? "expired" : `expires ${date(i.expiresAt)}`}{" "}
              <ConfirmButton
                label="Revoke"
                question={`Revoke the invitation for ${i.email}?`}
                yes="Yes, revoke"
                onConfirm={async () => {
                  const { error } = await authed(() => api.DELETE("/v1/org/invitations/{invitationId}", { params: { path: { invitationId: i.id } } }));
                  setFailure(error ? message(error, "Could not revoke") : "");
                  await load();
                }}
              />
            </li>
          ))}
        </ul>
      )}
      {hasMore && <ShowMore what="invitations" onClick={more} />}
    </section>
  );
}

/** Creates an organisation (the caller owns it) and switches to it. */
export function CreateOrg() {
  const [name, setName] = useState("");
  const [error, setError] = useState<string>();
  async function submit(e: Event) {
    e.preventDefault();
    const { data, error } = await authed(() => api.POST("/v1/orgs", { body: { name } }));
    setError(error ? (fieldErrors(error).name ?? message(error, "Could not create the organisation")) : undefined);
    if (!data) return;
    chooseOrg(data.id);
    await loadOrg();
    navigate("/org");
  }
  return (
    <form class="card inline-form" onSubmit={submit} noValidate>
      <h1>New organisation</h1>
      <p class="muted">You will be its owner, and can invite your team.</p>
      <Field label="Organisation name" name="new-org-name" value={name} onInput={setName} error={error} />
      <button type="submit">Create organisation</button>
    </form>
  );
}
