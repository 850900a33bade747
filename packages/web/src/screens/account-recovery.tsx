import { useState } from "preact/hooks";
import { api, errorOf, fieldErrors, signOut, type FieldErrors } from "../api/client";
import { Field } from "./field";
import { Failed } from "./status";

/** `/forgot-password`: always the same answer, whether or not the address has an account. */
export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState("");
  const [sent, setSent] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    const { data, error } = await api.POST("/v1/auth/password-reset", { body: { email } });
    setErrors(fieldErrors(error));
    setFailure(error && !fieldErrors(error).email ? (errorOf(error)?.message ?? "Could not send the link") : "");
    setSent(data?.message ?? "");
  }

  return (
    <form class="card auth" onSubmit={submit} noValidate>
      <h1>Forgot your password?</h1>
      <p>We email you a link to set a new one. It works once, for an hour.</p>
      <Field label="Email" name="email" type="email" value={email} onInput={setEmail} error={errors.email} autocomplete="email" />
      {failure && <Failed message={failure} />}
      {sent && <p role="status">{sent}</p>}
      <button type="submit">Send reset link</button>
      <p><a href="/login">Back to log in</a></p>
    </form>
  );
}

/** `/reset-password?token=…`, what the reset mail links to. Setting the password ends every session. */
export function ResetPassword() {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState(token ? "" : "This link has no reset token: open the link from the email again, or ask for a new one.");
  const [done, setDone] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const { error, response } = await api.POST("/v1/auth/password-reset/confirm", { body: { token, password } });
    const fields = fieldErrors(error);
    setErrors(fields);
    setFailure(error && !fields.password ? (errorOf(error)?.message ?? "Could not set the password") : "");
    if (response.status !== 204) return;
    signOut();
    setDone(true);
  }

  if (done) {
    return (
      <section class="card auth">
        <h1>Password set</h1>
        <p role="status">Your new password works now; every session was signed out.</p>
        <p><a class="button" href="/login">Log in</a></p>
      </section>
    );
  }
  return (
    <form class="card auth" onSubmit={submit} noValidate>
      <h1>Set a new password</h1>
      <Field label="New password" name="password" type="password" value={password} onInput={setPassword} error={errors.password} autocomplete="new-password" />
      {failure && <Failed message={failure} />}
      {failure && token && <p><a href="/forgot-password">Ask for a new link</a></p>}
      <button type="submit" disabled={!token}>Set password</button>
    </form>
  );
}
