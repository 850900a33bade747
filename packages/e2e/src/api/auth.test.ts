import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { LOGIN_MAX_FAILURES: "3", BCRYPT_COST: "10" } });
});
afterAll(() => stack?.stop());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  stack.api(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

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
    const res = await post("/v1/auth/register", { email: `  ${email.toUpperCase()} `, password: "12345678", name: "Ada" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email, name: "Ada" });
    expect(JSON.stringify(res.body)).not.toMatch(/hash|\$2[aby]\$/i);
  });

  it("rejects a second account for the same email, case-insensitively", async () => {
    const email = uniqueEmail();
    expect((await post("/v1/auth/register", { email, password: "12345678" })).status).toBe(201);
    const again = await post("/v1/auth/register", { email: email.toUpperCase(), password: "87654321" });
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
    const badEmail = await post("/v1/auth/register", { email: "not-an-email", password: "12345678" });
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

    const huge = await post("/v1/auth/register", { email: uniqueEmail(), password: "12345678", name: "x".repeat(200_000) });
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
});

describe("login, me, refresh, logout", () => {
  it("logs in with an access token and an HTTP-only strict refresh cookie scoped to /v1/auth", async () => {
    const { email, login } = await registerAndLogin();
    expect(login.body).toMatchObject({ tokenType: "Bearer", expiresIn: 900 });
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^refresh_token=/);
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

  it("revokes the whole session family when a rotated refresh token is presented again", async () => {
    const { login } = await registerAndLogin();
    const original = login.body.refreshToken;
    const rotated = await post("/v1/auth/refresh", { refreshToken: original });
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
