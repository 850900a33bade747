import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { MonitorEntity } from "@uptime/core/monitors/monitor";
import { PasswordReset } from "@uptime/core/accounts/password-reset";
import { UserEntity } from "@uptime/core/accounts/user";
import { ApiKeyEntity } from "@uptime/core/orgs/api-key";

let stack: TestStack;
let target: Target;
beforeAll(async () => {
  stack = await startTestStack();
  target = await startTarget();
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

const PASSWORD = "correct horse battery";
let n = 0;
const uniqueEmail = () => `account-${Date.now()}-${n++}@example.com`;
const post = (path: string, json: unknown, token?: string) => stack.api(path, { method: "POST", json, token });

async function register(email = uniqueEmail()) {
  expect((await post("/v1/auth/register", { email, password: PASSWORD })).status).toBe(201);
  return email;
}
async function login(email: string, password = PASSWORD) {
  const res = await post("/v1/auth/login", { email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { accessToken: string; refreshToken: string };
}
const me = (token: string) => stack.api("/v1/me", { token });

async function resetLinkFor(email: string) {
  await stack.drainQueues(); // reset mails go out through the alerts queue
  const mails = (await stack.emails()).filter((e) => e.destination.to.includes(email) && e.subject === "Reset your Uptime password");
  const link = /https?:\/\/\S+\/reset-password\?token=\S+/.exec(mails.at(-1)?.body.text ?? "")?.[0];
  return { count: mails.length, token: link ? new URL(link).searchParams.get("token")! : undefined };
}

describe("change password", () => {
  it("needs the current password, applies the password rules, and ends every other session but the caller's", async () => {
    const email = await register();
    const mine = await login(email);
    const other = await login(email);
    const wrong = await post("/v1/auth/password", { currentPassword: "not it", newPassword: "staple battery horse" }, mine.accessToken);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("wrong_password");
    const weak = await post("/v1/auth/password", { currentPassword: PASSWORD, newPassword: "password1" }, mine.accessToken);
    expect(weak.status).toBe(400);
    expect(weak.body.error.details[0].path).toBe("newPassword");
    expect((await me(other.accessToken)).status).toBe(200);

    expect((await post("/v1/auth/password", { currentPassword: PASSWORD, newPassword: "staple battery horse" }, mine.accessToken)).status).toBe(204);
    expect((await me(mine.accessToken)).status).toBe(200);
    expect((await me(other.accessToken)).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: other.refreshToken })).status).toBe(401);
    expect((await post("/v1/auth/refresh", { refreshToken: mine.refreshToken })).status).toBe(200);
    expect((await post("/v1/auth/login", { email, password: PASSWORD })).status).toBe(401);
    await login(email, "staple battery horse");
  });

  it("is not for API keys", async () => {
    const res = await post("/v1/auth/password", { currentPassword: PASSWORD, newPassword: "staple battery horse" }, `upk_${"a".repeat(20)}_${"b".repeat(43)}`);
    expect(res.status).toBe(401);
  });
});

describe("password reset", () => {
  it("answers 202 for any address and mails only existing accounts, through the alert path", async () => {
    const email = await register();
    const unknown = uniqueEmail();
    const a = await post("/v1/auth/password-reset", { email: email.toUpperCase() });
    const b = await post("/v1/auth/password-reset", { email: unknown });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body).toEqual(b.body);
    expect((await resetLinkFor(email)).count).toBe(1);
    expect((await resetLinkFor(unknown)).count).toBe(0);
    expect((await stack.emails()).some((e) => e.destination.to.includes(unknown))).toBe(false);
  });

  it("sets the password once with the mailed token and ends every session", async () => {
    const email = await register();
    const session = await login(email);
    expect((await post("/v1/auth/password-reset", { email })).status).toBe(202);
    const { token } = await resetLinkFor(email);
    expect(token).toBeTruthy();
    expect((await stack.emails()).find((e) => e.destination.to.includes(email))!.body.text).toContain(`${stack.apiUrl}/reset-password?token=`);

    const weak = await post("/v1/auth/password-reset/confirm", { token, password: email });
    expect(weak.status).toBe(400); // the rules apply, and the token survives a refused password
    expect((await post("/v1/auth/password-reset/confirm", { token, password: "brand new horse" })).status).toBe(204);
    const again = await post("/v1/auth/password-reset/confirm", { token, password: "another new horse" });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe("reset_token_invalid");
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await post("/v1/auth/login", { email, password: PASSWORD })).status).toBe(401);
    await login(email, "brand new horse");
  });

  it("refuses an expired token, a forged one, and voids a link when a newer one is asked for", async () => {
    const email = await register();
    await post("/v1/auth/password-reset", { email });
    const first = (await resetLinkFor(email)).token!;
    await post("/v1/auth/password-reset", { email });
    const second = (await resetLinkFor(email)).token!;
    expect(second).not.toBe(first);
    expect((await post("/v1/auth/password-reset/confirm", { token: first, password: "brand new horse" })).body.error.code).toBe("reset_token_invalid");
    const forged = `${second.split(".")[0]}.${"A".repeat(43)}`;
    expect((await post("/v1/auth/password-reset/confirm", { token: forged, password: "brand new horse" })).body.error.code).toBe("reset_token_invalid");
    await expect(PasswordReset.confirm({ token: second, password: "brand new horse" }, Date.now() + 61 * 60_000)).rejects.toMatchObject({ code: "reset_token_expired" });
    expect((await post("/v1/auth/password-reset/confirm", { token: second, password: "brand new horse" })).status).toBe(204);
  });

  it("mails a request once however often its message is delivered", async () => {
    const email = await register();
    await post("/v1/auth/password-reset", { email });
    await stack.drainQueues();
    const userId = (await UserEntity.scan.where((a, op) => op.eq(a.email, email)).go({ pages: "all" })).data[0]!.userId;
    const { requestedAt } = (await PasswordReset.PasswordResetEntity.get({ userId }).go({ consistent: true })).data!;
    expect(await PasswordReset.send({ type: "password.reset", userId, requestedAt })).toBe("stale");
    expect((await resetLinkFor(email)).count).toBe(1);
  });

  it("limits requests per address", async () => {
    const email = await register();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post("/v1/auth/password-reset", { email })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe("delete account", () => {
  it("needs the password, deletes the personal org's monitors and keys, ends sessions and frees the email", async () => {
    const email = await register();
    const session = await login(email);
    const other = await login(email);
    const monitor = await stack.api("/v1/monitors", { method: "POST", token: session.accessToken, json: { name: "Goes away", url: target.url } });
    expect(monitor.status).toBe(201);
    const key = await stack.api("/v1/org/api-keys", { method: "POST", token: session.accessToken, json: { name: "k", scope: "read" } });
    expect(key.status).toBe(201);

    const wrong = await stack.api("/v1/me", { method: "DELETE", token: session.accessToken, json: { password: "nope" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe("wrong_password");
    expect((await stack.api("/v1/me", { method: "DELETE", token: session.accessToken, json: { password: PASSWORD } })).status).toBe(204);

    expect((await MonitorEntity.get({ monitorId: monitor.body.id }).go({ consistent: true })).data).toBeNull();
    expect((await ApiKeyEntity.get({ keyId: key.body.key.id }).go({ consistent: true })).data!.revokedAt).toBeDefined();
    expect((await stack.api("/v1/monitors", { token: key.body.token })).status).toBe(401);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await me(other.accessToken)).status).toBe(401);
    expect((await post("/v1/auth/login", { email, password: PASSWORD })).status).toBe(401);
    expect((await post("/v1/auth/register", { email, password: PASSWORD })).status).toBe(201);
  });

  it("is refused while the only owner of a team organisation; afterwards the account leaves its organisations", async () => {
    const owner = await login(await register());
    const email = await register();
    const leaver = await login(email);
    const org = await stack.api("/v1/orgs", { method: "POST", token: leaver.accessToken, json: { name: "Solo team" } });
    expect(org.status).toBe(201);
    const refused = await stack.api("/v1/me", { method: "DELETE", token: leaver.accessToken, json: { password: PASSWORD } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "sole_owner", details: { orgIds: [org.body.id] } });

    // Once someone else owns it too, the account may go, and leaves the organisation as it does.
    const inTeam = { "x-org-id": org.body.id };
    const invite = await stack.api("/v1/org/invitations", { method: "POST", token: leaver.accessToken, headers: inTeam, json: { email: (await stack.api("/v1/me", { token: owner.accessToken })).body.email, role: "admin" } });
    expect(invite.status).toBe(201);
    await stack.drainQueues();
    const mail = (await stack.emails()).filter((e) => e.subject.startsWith("You are invited to join")).at(-1)!;
    const token = new URL(/https?:\/\/\S+\/invitations\/accept\?token=\S+/.exec(mail.body.text ?? "")![0]).searchParams.get("token")!;
    expect((await post("/v1/invitations/accept", { token }, owner.accessToken)).status).toBe(200);
    const ownerId = (await stack.api("/v1/me", { token: owner.accessToken })).body.id;
    expect((await stack.api(`/v1/org/members/${ownerId}`, { method: "PATCH", token: leaver.accessToken, headers: inTeam, json: { role: "owner" } })).status).toBe(200);

    expect((await stack.api("/v1/me", { method: "DELETE", token: leaver.accessToken, json: { password: PASSWORD } })).status).toBe(204);
    const members = await stack.api("/v1/org/members", { token: owner.accessToken, headers: inTeam });
    expect(members.body.data.map((m: { email: string }) => m.email)).not.toContain(email);
    // The owner count followed: the remaining owner is now the last one and cannot leave.
    expect((await stack.api("/v1/org/leave", { method: "POST", token: owner.accessToken, headers: inTeam })).status).toBe(409);
  });
});
