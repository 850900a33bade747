import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { ApiKey, ApiKeyEntity } from "@uptime/core/orgs/api-key";
import { HOUR } from "@uptime/core/platform/time";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let target: Target;
let ada: TestUser;

beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget();
  ada = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

async function createKey(user: TestUser, body: Record<string, unknown>) {
  const res = await user.call("POST", "/v1/org/api-keys", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { key: ApiKey.View; token: string };
}
const withKey = (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  stack.api(path, { method, token, headers, ...(body === undefined ? {} : { json: body }) });

describe("API keys", () => {
  it("is shown once, listed by prefix without its secret, reads with read scope and is refused writes", async () => {
    const made = await ada.call("POST", "/v1/monitors", { name: "Keyed shop", url: target.url });
    expect(made.status).toBe(201);
    const { key, token } = await createKey(ada, { name: "Grafana", scope: "read" });
    expect(token).toMatch(/^upk_[0-9a-f]{20}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`${key.prefix}_`)).toBe(true);
    expect(key).toMatchObject({ name: "Grafana", scope: "read", expiresAt: null, lastUsedAt: null, revokedAt: null });

    const listed = await ada.call("GET", "/v1/org/api-keys");
    expect(listed.status).toBe(200);
    expect(listed.body.data.find((k: ApiKey.View) => k.id === key.id)).toEqual(key);
    const secret = token.slice(key.prefix.length + 1);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    const stored = (await ApiKeyEntity.get({ keyId: key.id }).go()).data!;
    expect(JSON.stringify(stored)).not.toContain(secret);

    const monitors = await withKey(token, "GET", "/v1/monitors");
    expect(monitors.status).toBe(200);
    expect(monitors.body.data.map((m: { id: string }) => m.id)).toContain(made.body.id);

    const write = await withKey(token, "POST", "/v1/monitors", { name: "Not allowed", url: target.url });
    expect(write.status).toBe(403);
    expect(write.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("scope (read)") });
    // Keys never manage keys, whatever their scope.
    expect((await withKey(token, "GET", "/v1/org/api-keys")).status).toBe(403);
  });

  it("writes with write scope; monitors it creates belong to the key's organisation", async () => {
    const { token } = await createKey(ada, { name: "CI", scope: "write" });
    const created = await withKey(token, "POST", "/v1/monitors", { name: "Made by CI", url: target.url });
    expect(created.status).toBe(201);
    expect((await ada.call("GET", `/v1/monitors/${created.body.id}`)).status).toBe(200);
    expect((await withKey(token, "DELETE", `/v1/monitors/${created.body.id}`)).status).toBe(204);
  });

  it("stops working at once when revoked: 401 api_key_revoked", async () => {
    const { key, token } = await createKey(ada, { name: "Leaked", scope: "read" });
    expect((await withKey(token, "GET", "/v1/monitors")).status).toBe(200);
    expect((await ada.call("DELETE", `/v1/org/api-keys/${key.id}`)).status).toBe(204);
    const after = await withKey(token, "GET", "/v1/monitors");
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe("api_key_revoked");
    expect((await ada.call("DELETE", `/v1/org/api-keys/${key.id}`)).status).toBe(204); // idempotent
    const listed = (await ada.call("GET", "/v1/org/api-keys")).body.data.find((k: ApiKey.View) => k.id === key.id);
    expect(listed.revokedAt).not.toBeNull();
  });

  it("refuses an expired key with 401 api_key_expired and an expiry in the past with 400", async () => {
    const past = await ada.call("POST", "/v1/org/api-keys", { name: "Old", scope: "read", expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(past.status).toBe(400);
    const expiresAt = new Date(Date.now() + HOUR).toISOString();
    const { key, token } = await createKey(ada, { name: "Short-lived", scope: "read", expiresAt });
    expect(key.expiresAt).toBe(expiresAt);
    expect((await withKey(token, "GET", "/v1/monitors")).status).toBe(200);
    await expect(ApiKey.authenticate(token, undefined, Date.now() + HOUR + 1)).rejects.toMatchObject({ code: "api_key_expired" });
  });

  it("answers a wrong secret, an unknown key and a malformed key 401 invalid_api_key, without telling revoked from wrong", async () => {
    const { key, token } = await createKey(ada, { name: "Guessed", scope: "read" });
    const wrongSecret = `${key.prefix}_${"A".repeat(43)}`;
    const unknown = `upk_${"0".repeat(20)}_${token.slice(-43)}`;
    for (const t of [wrongSecret, unknown, "upk_nonsense", `${token}x`]) {
      const res = await withKey(t, "GET", "/v1/monitors");
      expect(res.status, t).toBe(401);
      expect(res.body.error.code, t).toBe("invalid_api_key");
    }
    await ada.call("DELETE", `/v1/org/api-keys/${key.id}`);
    expect((await withKey(wrongSecret, "GET", "/v1/monitors")).body.error.code).toBe("invalid_api_key");
  });

  it("acts only in its own organisation: another X-Org-Id is 404 org_not_found", async () => {
    const { token } = await createKey(ada, { name: "Scoped", scope: "read" });
    const other = await createUser(stack);
    const res = await withKey(token, "GET", "/v1/monitors", undefined, { "x-org-id": (await other.call("GET", "/v1/me")).body.id });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("org_not_found");
  });

  it("cannot revoke another organisation's key (404) and is not a person for /v1/me (401)", async () => {
    const { key, token } = await createKey(ada, { name: "Mine", scope: "write" });
    const other = await createUser(stack);
    const res = await other.call("DELETE", `/v1/org/api-keys/${key.id}`);
    expect(res.status).toBe(404);
    expect((await withKey(token, "GET", "/v1/monitors")).status).toBe(200);
    expect((await other.call("GET", "/v1/org/api-keys")).body.data).toEqual([]);
    const me = await withKey(token, "GET", "/v1/me");
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe("api_key_not_allowed");
  });

  it("lists newest first", async () => {
    const user = await createUser(stack);
    for (const name of ["first", "second", "third"]) await createKey(user, { name, scope: "read" });
    const names = (await user.call("GET", "/v1/org/api-keys")).body.data.map((k: ApiKey.View) => k.name);
    expect(names).toEqual(["third", "second", "first"]);
    const page = await user.call("GET", "/v1/org/api-keys?limit=2");
    expect(page.body.cursor).toBeTruthy();
    const rest = await user.call("GET", `/v1/org/api-keys?limit=2&cursor=${page.body.cursor}`);
    expect(rest.body.data.map((k: ApiKey.View) => k.name)).toEqual(["first"]);
  });

  it("writes lastUsedAt at most once an hour", async () => {
    const { key, token } = await createKey(ada, { name: "Busy", scope: "read" });
    const lastUsed = async () => (await ApiKeyEntity.get({ keyId: key.id }).go({ consistent: true })).data!.lastUsedAt;
    const t0 = Date.now();
    await ApiKey.authenticate(token, undefined, t0);
    expect(await lastUsed()).toBe(t0);
    await ApiKey.authenticate(token, undefined, t0 + 1000);
    await ApiKey.authenticate(token, undefined, t0 + HOUR - 1);
    expect(await lastUsed()).toBe(t0);
    await Promise.all([1, 2, 3].map(() => ApiKey.authenticate(token, undefined, t0 + HOUR)));
    expect(await lastUsed()).toBe(t0 + HOUR);
    // A request through the API keeps it as it is within the hour.
    expect((await withKey(token, "GET", "/v1/monitors")).status).toBe(200);
    expect(await lastUsed()).toBe(t0 + HOUR);
  });
});
