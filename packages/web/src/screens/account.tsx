import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf, fieldErrors, logout, type FieldErrors, type User } from "../api/client";
import { navigate } from "../router";
import { Field } from "./field";
import { Failed } from "./status";

/** Change password (other sessions end; this one stays) and delete the account. */
export function Account() {
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => void authed(() => api.GET("/v1/me")).then(({ data }) => data && setUser(data)), []);
  return (
    <>
      <h1>Account</h1>
      {user && <p class="muted">Signed in as <strong>{user.email}</strong>{user.name ? ` (${user.name})` : ""}.</p>}
      <ChangePassword />
      <DeleteAccount />
    </>
  );
}

function ChangePassword() {
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState("");
  const [done, setDone] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setDone(false);
    const { error } = await authed(() => api.POST("/v1/auth/password", { body: { currentPassword, newPassword } }));
    const fields = fieldErrors(error);
    const code = errorOf(error)?.code;
    setErrors(code === "wrong_password" ? { currentPassword: errorOf(error)!.message } : fields);
    setFailure(error && code !== "wrong_password" && !Object.keys(fields).length ? (errorOf(error)?.message ?? "Could not change the password") : "");
    if (error) return;
    setCurrent("");
    setNew("");
    setDone(true);
  }

  return (
    <form class="card inline-form" onSubmit={submit} noValidate aria-labelledby="password-h">
      <h2 id="password-h">Change password</h2>
      <Field label="Current password" name="currentPassword" type="password" value={currentPassword} onInput={setCurrent} error={errors.currentPassword} autocomplete="current-password" />
      <Field label="New password" name="newPassword" type="password" value={newPassword} onInput={setNew} error={errors.newPassword} autocomplete="new-password" hint="Signs out your other sessions; this one stays signed in." />
      {failure && <Failed message={failure} />}
      {done && <p role="status">Password changed. Your other sessions are signed out.</p>}
      <button type="submit">Change password</button>
    </form>
  );
}

function DeleteAccount() {
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    if (confirm !== "DELETE") return setErrors({ confirm: "Type DELETE to confirm." });
    const { error, response } = await authed(() => api.DELETE("/v1/me", { body: { password } }));
    const code = errorOf(error)?.code;
    const fields = fieldErrors(error);
    setErrors(code === "wrong_password" ? { password: errorOf(error)!.message } : fields);
    setFailure(
      code === "sole_owner"
        ? `${errorOf(error)!.message} (on the Organisation screen: Members → Make owner, or Delete organisation).`
        : error && code !== "wrong_password" && !Object.keys(fields).length
          ? (errorOf(error)?.message ?? "Could not delete the account")
          : "",
    );
    if (response.status !== 204) return;
    await logout();
    navigate("/register", true);
  }

  return (
    <form class="card inline-form danger-zone" onSubmit={submit} noValidate aria-labelledby="delete-h">
      <h2 id="delete-h">Delete account</h2>
      <p>
        This deletes your account and your personal organisation's monitors, and signs you out everywhere. It cannot be undone.
        You cannot delete it while you are the only owner of an organisation that has other members.
      </p>
      <Field label="Password" name="password" type="password" value={password} onInput={setPassword} error={errors.password} autocomplete="current-password" />
      <Field label="Type DELETE to confirm" name="confirm" value={confirm} onInput={setConfirm} error={errors.confirm} autocomplete="off" />
      {failure && <Failed message={failure} />}
      <button type="submit" class="danger">Delete my account</button>
    </form>
  );
}
