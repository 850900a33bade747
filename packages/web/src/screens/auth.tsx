import { useState } from "preact/hooks";
import { errorOf, fieldErrors, login, register, type FieldErrors } from "../api/client";
import { Field } from "./field";

/** `next`: where to go once signed in (an app path, e.g. an invitation link followed while signed out). */
export function AuthScreen({ mode, next, notice }: { mode: "login" | "register"; next?: string; notice?: string }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  const isRegister = mode === "register";

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    const error = isRegister ? await register(email, password, name) : await login(email, password);
    setBusy(false);
    setErrors(fieldErrors(error));
    setMessage(error ? (errorOf(error)?.message ?? "Something went wrong") : "");
  }

  return (
    <main class="centered">
      <form class="card auth" onSubmit={submit} noValidate>
        <h1>{isRegister ? "Create an account" : "Log in"}</h1>
        {notice && <p role="status">{notice}</p>}
        {isRegister && <Field label="Name" name="name" value={name} onInput={setName} error={errors.name} autocomplete="name" />}
        <Field label="Email" name="email" type="email" value={email} onInput={setEmail} error={errors.email} autocomplete="email" />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onInput={setPassword}
          error={errors.password}
          autocomplete={isRegister ? "new-password" : "current-password"}
        />
        {message && <p class="error" role="alert">{message}</p>}
        <button type="submit" disabled={busy}>{isRegister ? "Create account" : "Log in"}</button>
        <p>
          {isRegister ? <>Have an account? <a href={withNext("/login", next)}>Log in</a></> : <>New here? <a href={withNext("/register", next)}>Create an account</a></>}
        </p>
        {!isRegister && <p><a href="/forgot-password">Forgot your password?</a></p>}
      </form>
    </main>
  );
}

const withNext = (path: string, next?: string) => (next ? `${path}?next=${encodeURIComponent(next)}` : path);

/** Only a path of this app: `//evil.example` or `https://…` would send a fresh session elsewhere. */
export function safeNext(raw: string | null | undefined): string | undefined {
  return raw && raw.startsWith("/") && !raw.startsWith("//") && !raw.startsWith("/\\") ? raw : undefined;
}
