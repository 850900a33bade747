import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { config } from "@uptime/core/platform/config";
import { Session, SessionEntity } from "@uptime/core/accounts/session";
import { createUser } from "../kit/test-users";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { LOGIN_MAX_FAILURES: "3", LOGIN_CLIENT_MAX_FAILURES: "10", BCRYPT_COST: "10" } });
});
afterAll(() => stack?.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}, from?: string) =>
  stack.api(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    from,
  });

/** A fresh client address per call (127.0.0.2, 127.0.0.3, …), so per-client budgets do not mix between tests. */
let clientN = 1;
const newClient = () => `127.0.${Math.floor(++clientN / 250)}.${(clientN % 250) + 2}`;

/** `name=value` of one Set-Cookie of a response. */
const cookieOf = (res: { headers: Headers }, name: string) =>
  res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];

let n = 0;
const uniqueEmail = () => `user${Date.now()}-${n++}@example.com`;

async function registerAndLogin(email = uniqueEmail(), password = "correct horse battery") {
  expect((await post("/v1/auth/register", { email, password })).status).toBe(201);
  const login = await post("/v1/auth/login", { email, password });
  expect(login.status).toBe(200);
  return { email, password, login };
}

describe("register", () => {
  it("creates a user with a normalised email and never returns the hash", async () => {
    const email = uniqueEmail();
    const res = await post("/v1/auth/register", { email: `  ${email.toUpperCase()} `, password: "Ada's long passphrase", name: "Ada" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, name: "Ada" });
    expect(JSON.stringify(res.body)).not.toMatch(/hash|\$2[aby]\$/i);
  });

  it("rejects a second account for the same email, case-insensitively", async () => {
    const email = uniqueEmail();
    expect((await post("/v1/auth/register", { email, password: "first passphrase" })).status).toBe(201);
    const again = await post("/v1/auth/register", { email: email.toUpperCase(), password: "second passphrase" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("email_taken");
  });

  it("lets exactly one of many concurrent registrations with one email win", async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => post("/v1/auth/register", { email, password: `password-${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
  });

  it("validates password length and email with field details", async () => {
    const short = await post("/v1/auth/register", { email: uniqueEmail(), password: "short" });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe("validation_error");
    expect(short.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "password" })]));
    const long = await post("/v1/auth/register", { email: uniqueEmail(), password: "x".repeat(129) });
    expect(long.status).toBe(400);
    const badEmail = await post("/v1/auth/register", { email: "not-an-email", password: "a fine passphrase" });
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.error.details[0].path).toBe("email");
  });

  it("answers malformed bodies with 4xx JSON, never 500", async () => {
    const notJson = await post("/v1/auth/register", "{not json");
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("invalid_json");

    const wrongTypes = await post("/v1/auth/register", { email: 42, password: ["x"] });
    expect(wrongTypes.status).toBe(400);
    expect(wrongTypes.body.error.code).toBe("validation_error");

    const huge = await post("/v1/auth/register", { email: uniqueEmail(), password: "a fine passphrase", name: "x".repeat(200_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe("payload_too_large");

    const text = await stack.api("/v1/auth/register", { method: "POST", headers: { "content-type": "text/plain" }, body: "hello" });
    expect(text.status).toBe(415);
    expect(text.body.error.code).toBe("unsupported_media_type");
  });

  it("answers unknown routes with 404 JSON", async () => {
    const res = await stack.api("/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("route_not_found");
  });

  it("answers a known path asked with another method with 405 JSON and the methods it takes", async () => {
    const user = await createUser(stack);
    const list = await user.call("PUT", "/v1/monitors", {});
    expect(list.status).toBe(405);
    expect(list.headers.get("allow")).toBe("GET, POST");
    expect(list.body.error).toMatchObject({ code: "method_not_allowed", details: { allowed: ["GET", "POST"] } });
    const one = await user.call("POST", "/v1/monitors/0b5c1f7e-0000-4000-8000-000000000000");
    expect(one.status).toBe(405);
    expect(one.headers.get("allow")).toBe("DELETE, GET, PATCH");
    const check = await user.call("GET", "/v1/monitors/0b5c1f7e-0000-4000-8000-000000000000/check");
    expect(check.headers.get("allow")).toBe("POST");
    expect((await user.call("GET", "/v1/monitors/x/y/z")).status).toBe(404);
  });
});

describe("login, me, refresh, logout", () => {
  it("logs in with an access token and an HTTP-only strict refresh cookie scoped to /v1/auth", async () => {
    const { email, login } = await registerAndLogin();
    expect(login.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith("refresh_token=")) ?? "";
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\/v1\/auth/);
    expect(cookie).toContain(login.body.refreshToken);

    const me = await stack.api("/v1/me", { headers: { authorization: `Bearer ${login.body.accessToken}` } });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
  });

  it("gives unknown email and wrong password the same 401", async () => {
    const { email } = await registerAndLogin();
    const wrongPassword = await post("/v1/auth/login", { email, password: "wrong password" });
    const unknownEmail = await post("/v1/auth/login", { email: uniqueEmail(), password: "wrong password" });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(wrongPassword.body).toEqual(unknownEmail.body);
  });

  it("rejects /v1/me without a token, with a garbage token, and with a token signed by another key", async () => {
    expect((await stack.api("/v1/me")).status).toBe(401);
    expect((await stack.api("/v1/me", { headers: { authorization: "Bearer abc.def.ghi" } })).status).toBe(401);
    const forged =
      "eyJhbGciOiJIUzI1NiJ9.eyJzaWQiOiJ4Iiwic3ViIjoieCIsImlzcyI6InVwdGltZSIsImF1ZCI6InVwdGltZS1hcGkiLCJleHAiOjQxMDI0NDQ4MDB9.2b8r0m1Wk6cCq0Zr3lq6F1a1pQWcW0yqj2p8J0Zy3n8";
    const res = await stack.api("/v1/me", { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_token");
  });

  it("throttles repeated failures for one email with 429 and Retry-After, even for the right password", async () => {
    const { email, password } = await registerAndLogin();
    for (let i = 0; i < 3; i++) expect((await post("/v1/auth/login", { email, password: "bad password" })).status).toBe(401);
    const blocked = await post("/v1/auth/login", { email, password });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(blocked.body.error.code).toBe("too_many_login_attempts");
    // Another email is not affected.
    const other = await registerAndLogin();
    expect(other.login.status).toBe(200);
  });

  it("rotates the refresh token by body and by cookie", async () => {
    const { login } = await registerAndLogin();
    const first = await post("/v1/auth/refresh", { refreshToken: login.body.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(login.body.refreshToken);
    const byCookie = await stack.api("/v1/auth/refresh", {
      method: "POST",
      headers: { cookie: `refresh_token=${first.body.refreshToken}` },
    });
    expect(byCookie.status).toBe(200);
    const me = await stack.api("/v1/me", { headers: { authorization: `Bearer ${byCookie.body.accessToken}` } });
    expect(me.status).toBe(200);
  });

  it("revokes the whole session family when an older rotated refresh token is presented again", async () => {
    const { login } = await registerAndLogin();
    const original = login.body.refreshToken;
    const once = await post("/v1/auth/refresh", { refreshToken: original });
    expect(once.status).toBe(200);
    // Rotated twice: the original is no longer the just-rotated token the grace window covers.
    const rotated = await post("/v1/auth/refresh", { refreshToken: once.body.refreshToken });
    expect(rotated.status).toBe(200);

    const reuse = await post("/v1/auth/refresh", { refreshToken: original });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe("refresh_token_reused");
    // The legitimate newest token is dead too: the family is revoked.
    const newest = await post("/v1/auth/refresh", { refreshToken: rotated.body.refreshToken });
    expect(newest.status).toBe(401);
  });

  it("logout revokes the session so its refresh token no longer works", async () => {
    const { login } = await registerAndLogin();
    const out = await post("/v1/auth/logout", { refreshToken: login.body.refreshToken });
    expect(out.status).toBe(204);
    const after = await post("/v1/auth/refresh", { refreshToken: login.body.refreshToken });
    expect(after.status).toBe(401);
  });

  it("refuses refresh without a token and with a malformed one", async () => {
    expect((await stack.api("/v1/auth/refresh", { method: "POST" })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: "garbage" })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: 12 })).status).toBe(400);
  });
});

describe("login throttling (issue 12)", () => {
  it("never evaluates more concurrent guesses for one email than the limit", async () => {
    const { email } = await registerAndLogin();
    const from = newClient();
    const results = await Promise.all(Array.from({ length: 40 }, () => post("/v1/auth/login", { email, password: "wrong guess" }, {}, from)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(37);
  });

  it("does not let the right password through late in a concurrent burst", async () => {
    const { email, password } = await registerAndLogin();
    const from = newClient();
    const burst = Array.from({ length: 30 }, (_, i) => (i === 27 ? password : `wrong guess ${i}`));
    const results = await Promise.all(burst.map((p) => post("/v1/auth/login", { email, password: p }, {}, from)));
    expect(results.filter((r) => r.status !== 429).length).toBeLessThanOrEqual(3);
    // The right password was among the first three evaluated, or it was refused unseen.
    const evaluated = results.filter((r) => r.status === 200 || r.status === 401).length;
    expect(evaluated).toBeLessThanOrEqual(3);
    if (results[27]!.status === 200) expect(results.filter((r) => r.status === 401).length).toBeLessThanOrEqual(2);
    else expect(results[27]!.status).toBe(429);
  });

  it("limits one client spraying guesses over many emails, without locking the victims out", async () => {
    const victims = [];
    for (let i = 0; i < 10; i++) victims.push(await registerAndLogin());
    const sprayer = newClient();
    const statuses: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const v of victims) statuses.push((await post("/v1/auth/login", { email: v.email, password: `guess ${round}` }, {}, sprayer)).status);
    }
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    const blocked = await post("/v1/auth/login", { email: victims[0]!.email, password: victims[0]!.password }, {}, sprayer);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Each victim spent one attempt of its own budget and still logs in from its own address.
    for (const v of victims.slice(0, 3)) expect((await post("/v1/auth/login", { email: v.email, password: v.password }, {}, newClient())).status).toBe(200);
  });

  it("does not count correct logins against the client", async () => {
    const from = newClient();
    const { email, password } = await registerAndLogin();
    for (let i = 0; i < 12; i++) expect((await post("/v1/auth/login", { email, password }, {}, from)).status).toBe(200);
  });

  it("keeps the owner's known device logging in while strangers lock the email", async () => {
    const { email, password } = await registerAndLogin();
    const owner = newClient();
    const first = await post("/v1/auth/login", { email, password }, {}, owner);
    expect(first.status).toBe(200);
    const device = cookieOf(first, "login_device");
    expect(device).toBeTruthy();
    const raw = first.headers.getSetCookie().find((c) => c.startsWith("login_device="))!;
    expect(raw).toMatch(/HttpOnly/i);
    expect(raw).toMatch(/SameSite=Strict/i);
    expect(raw).toMatch(/Path=\/v1\/auth\/login/);

    const stranger = newClient();
    for (let i = 0; i < 3; i++) expect((await post("/v1/auth/login", { email, password: `guess ${i}` }, {}, stranger)).status).toBe(401);
    expect((await post("/v1/auth/login", { email, password }, {}, stranger)).status).toBe(429);
    expect((await post("/v1/auth/login", { email, password }, {}, owner)).status).toBe(429); // no cookie: an unknown browser

    const known = await post("/v1/auth/login", { email, password }, { cookie: device! }, owner);
    expect(known.status).toBe(200);
    expect(cookieOf(known, "login_device")).toBe(device); // the same device keeps its id

    // A device cookie only counts for the email it was issued for, and cannot be forged.
    const other = await registerAndLogin();
    const otherDevice = cookieOf(await post("/v1/auth/login", { email: other.email, password: other.password }, {}, stranger), "login_device");
    expect((await post("/v1/auth/login", { email, password }, { cookie: otherDevice! }, stranger)).status).toBe(429);
    const [id] = device!.slice("login_device=".length).split(".");
    expect((await post("/v1/auth/login", { email, password }, { cookie: `login_device=${id}.forged` }, stranger)).status).toBe(429);
  });

  it("gives a known device its own budget, which wrong passwords also exhaust", async () => {
    const { email, password } = await registerAndLogin();
    const from = newClient();
    const device = cookieOf(await post("/v1/auth/login", { email, password }, {}, from), "login_device")!;
    for (let i = 0; i < 3; i++) expect((await post("/v1/auth/login", { email, password: "typo" }, { cookie: device }, from)).status).toBe(401);
    const blocked = await post("/v1/auth/login", { email, password }, { cookie: device }, from);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("too_many_login_attempts");
    // The device's failures did not spend the email's budget for other browsers.
    expect((await post("/v1/auth/login", { email, password }, {}, newClient())).status).toBe(200);
  });
});

describe("session revocation reaches access tokens (issue 12)", () => {
  const me = (token: string) => stack.api("/v1/me", { token });

  it("refuses the access token at once after logout", async () => {
    const { login } = await registerAndLogin();
    expect((await me(login.body.accessToken)).status).toBe(200);
    expect((await post("/v1/auth/logout", { refreshToken: login.body.refreshToken })).status).toBe(204);
    const after = await me(login.body.accessToken);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("session_revoked");
  });

  it("refuses the access token at once after theft detection revoked the session", async () => {
    const { login } = await registerAndLogin();
    const a = await post("/v1/auth/refresh", { refreshToken: login.body.refreshToken });
    const b = await post("/v1/auth/refresh", { refreshToken: a.body.refreshToken });
    expect((await me(b.body.accessToken)).status).toBe(200);
    expect((await post("/v1/auth/refresh", { refreshToken: login.body.refreshToken })).status).toBe(401);
    expect((await me(b.body.accessToken)).status).toBe(401);
    expect((await me(login.body.accessToken)).status).toBe(401);
  });

  it("lets another container trust an active session for at most SESSION_CACHE_SEC", async () => {
    const { login } = await registerAndLogin();
    const now = Date.now();
    const actor = await Session.verifyAccessToken(login.body.accessToken, now);
    // Revoked behind this container's back, as another container's logout would.
    await SessionEntity.patch({ sessionId: actor.sessionId }).set({ revokedAt: now, revokedReason: "test" }).go();
    await expect(Session.verifyAccessToken(login.body.accessToken, now + 1000)).resolves.toEqual(actor);
    const windowMs = config().SESSION_CACHE_SEC * 1000;
    await expect(Session.verifyAccessToken(login.body.accessToken, now + windowMs)).rejects.toMatchObject({ code: "session_revoked" });
  });
});

describe("refresh races and forged refresh tokens (issue 12)", () => {
  const me = (token: string) => stack.api("/v1/me", { token });

  it("lets two tabs refresh with the same token at once and both keep working tokens", async () => {
    const { login } = await registerAndLogin();
    const [tabA, tabB] = await Promise.all([
      post("/v1/auth/refresh", { refreshToken: login.body.refreshToken }),
      post("/v1/auth/refresh", { refreshToken: login.body.refreshToken }),
    ]);
    expect([tabA.status, tabB.status]).toEqual([200, 200]);
    expect((await me(tabA.body.accessToken)).status).toBe(200);
    expect((await me(tabB.body.accessToken)).status).toBe(200);
    // Each tab refreshes again with what it got; neither is taken for a thief.
    const nextA = await post("/v1/auth/refresh", { refreshToken: tabA.body.refreshToken });
    const nextB = await post("/v1/auth/refresh", { refreshToken: tabB.body.refreshToken });
    expect([nextA.status, nextB.status]).toEqual([200, 200]);
    expect((await me(nextA.body.accessToken)).status).toBe(200);
    expect((await me(nextB.body.accessToken)).status).toBe(200);
  });

  it("accepts the just-rotated token only within REFRESH_GRACE_SEC; after it, reuse revokes", async () => {
    const { login } = await registerAndLogin();
    const rotated = await Session.refresh(login.body.refreshToken);
    const graceMs = config().REFRESH_GRACE_SEC * 1000;
    const within = await Session.refresh(login.body.refreshToken, Date.now() + graceMs - 2000);
    expect(within.refreshToken).toBe(rotated.refreshToken);
    await expect(Session.refresh(login.body.refreshToken, Date.now() + graceMs + 1000)).rejects.toMatchObject({ code: "refresh_token_reused" });
    expect((await post("/v1/auth/refresh", { refreshToken: rotated.refreshToken })).status).toBe(401);
  });

  it("answers a refresh token with the right session id and a wrong secret 401 and revokes nothing", async () => {
    const { login } = await registerAndLogin();
    const [sessionId, generation] = login.body.refreshToken.split(".");
    for (const forged of [`${sessionId}.wrong`, `${sessionId}.${generation}.wrong`, `${sessionId}.7.${"A".repeat(43)}`]) {
      const res = await post("/v1/auth/refresh", { refreshToken: forged });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_refresh_token");
      expect((await post("/v1/auth/logout", { refreshToken: forged })).status).toBe(204);
    }
    expect((await me(login.body.accessToken)).status).toBe(200);
    const refreshed = await post("/v1/auth/refresh", { refreshToken: login.body.refreshToken });
    expect(refreshed.status).toBe(200);
  });
});

describe("password rules at registration (issue 12)", () => {
  const register = (password: string, email = uniqueEmail()) => post("/v1/auth/register", { email, password });
  const passwordError = (res: { body: any }) => res.body.error.details.find((d: { path: string }) => d.path === "password")?.message ?? "";

  it("refuses passwords over 72 UTF-8 bytes, counting bytes not characters", async () => {
    const tooLong = await register("ü".repeat(37)); // 37 characters, 74 bytes
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe("validation_error");
    expect(passwordError(tooLong)).toMatch(/72 bytes/);
    expect((await register("a".repeat(73))).status).toBe(400);
    expect((await register("ü".repeat(36))).status).toBe(201); // exactly 72 bytes
  });

  it("refuses common passwords, whatever their case", async () => {
    for (const p of ["password1", "Baseball", "qwertyuiop", "iloveyou"]) {
      const res = await register(p);
      expect(res.status).toBe(400);
      expect(passwordError(res)).toMatch(/common/);
    }
  });

  it("refuses the email address or its local part as the password", async () => {
    const email = uniqueEmail();
    const whole = await register(email.toUpperCase(), email);
    expect(whole.status).toBe(400);
    expect(passwordError(whole)).toMatch(/email/);
    const local = await register(email.split("@")[0]!, email);
    expect(local.status).toBe(400);
    expect((await register("a different passphrase", email)).status).toBe(201);
  });

  it("leaves login as it was: a long password is checked (401 when wrong), not refused as invalid", async () => {
    const { email } = await registerAndLogin();
    const res = await post("/v1/auth/login", { email, password: "x".repeat(100) }, {}, newClient());
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_credentials");
  });
});

describe("sessions started before generation-signed refresh tokens", () => {
  it("refresh once with their old token into the new format; a wrong secret still revokes nothing", async () => {
    const { login } = await registerAndLogin();
    const actor = await Session.verifyAccessToken(login.body.accessToken);
    const { createHash } = await import("node:crypto");
    const secret = "legacy-secret-legacy-secret-legacy-secret-x";
    await SessionEntity.patch({ sessionId: actor.sessionId })
      .set({ tokenHash: createHash("sha256").update(secret).digest("base64url") })
      .go();
    expect((await post("/v1/auth/refresh", { refreshToken: `${actor.sessionId}.not-it` })).status).toBe(401);
    const res = await post("/v1/auth/refresh", { refreshToken: `${actor.sessionId}.${secret}` });
    expect(res.status).toBe(200);
    expect(res.body.refreshToken.split(".")).toHaveLength(3);
    expect((await post("/v1/auth/refresh", { refreshToken: res.body.refreshToken })).status).toBe(200);
  });
});
