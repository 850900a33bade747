import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { config, jwtSecret } from "@uptime/core/platform/config";
import { formPost as form } from "../kit/form-post";
import { createUser, type TestUser } from "../kit/test-users";

/** The second attack round's findings on status pages, inputs and tokens, each as the attacker tried it. */
const env = {
  PAGE_PASSWORD_CLIENT_MAX_FAILURES: "3",
  PAGE_PASSWORD_PAGE_MAX_FAILURES: "5",
  SUBSCRIBE_CLIENT_PER_HOUR: "100",
  SUBSCRIBE_MAILS_PAGE_PER_HOUR: "3",
  SUBSCRIBE_MAILS_ADDRESS_PER_DAY: "2",
};

let stack: TestStack;
let ada: TestUser;
beforeAll(async () => {
  stack = await startTestStack({ env });
  ada = await createUser(stack);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

let n = 0;
const unique = (what: string) => `${what}-${Date.now().toString(36)}-${n++}`;
const PASSWORD = "right password 123";

async function protectedPage() {
  const slug = unique("locked");
  const res = await ada.call("POST", "/v1/status-pages", { slug, title: "Locked", visibility: "protected", password: PASSWORD });
  expect(res.status).toBe(201);
  return { slug, pageId: res.body.id as string };
}
const unlock = async (slug: string, password: string, from = "127.0.0.1") => stack.api(`/status/${slug}/access`, { ...form({ password }, from), redirect: "manual" });
const cookieOf = (res: { headers: Headers }) => res.headers.get("set-cookie")!.split(";")[0]!;

describe("a protected page's password form", () => {
  it("limits wrong guesses per client: 429 with Retry-After, even for the right password, while others still get in", async () => {
    const { slug } = await protectedPage();
    for (let i = 0; i < 3; i++) expect((await unlock(slug, `wrong ${i}`, "127.0.4.1")).status).toBe(401);
    const limited = await unlock(slug, PASSWORD, "127.0.4.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await unlock(slug, PASSWORD, "127.0.4.2")).status).toBe(303);
  });

  it("limits wrong guesses per page, however many clients they come from", async () => {
    const { slug } = await protectedPage();
    for (let i = 0; i < 5; i++) expect((await unlock(slug, `wrong ${i}`, `127.0.5.${i + 1}`)).status).toBe(401);
    expect((await unlock(slug, PASSWORD, "127.0.5.99")).status).toBe(429);
  });
});

describe("the render cache", () => {
  it("rejects old cookies and old content from the first request after a password change or protection", async () => {
    const { slug, pageId } = await protectedPage();
    const cookie = cookieOf(await unlock(slug, PASSWORD, "127.0.6.1"));
    expect((await stack.api(`/status/${slug}/api/v2/summary.json`, { headers: { cookie } })).status).toBe(200);
    expect((await ada.call("PATCH", `/v1/status-pages/${pageId}`, { password: "another password 456" })).status).toBe(200);
    expect((await stack.api(`/status/${slug}/api/v2/summary.json`, { headers: { cookie } })).status).toBe(401);

    const open = unique("open");
    const created = await ada.call("POST", "/v1/status-pages", { slug: open, title: "Open" });
    expect((await stack.api(`/status/${open}/api/v2/summary.json`)).status).toBe(200);
    await ada.call("PATCH", `/v1/status-pages/${created.body.id}`, { visibility: "protected", password: PASSWORD });
    expect((await stack.api(`/status/${open}/api/v2/summary.json`)).status).toBe(401);
    expect((await stack.api(`/status/${open}`)).status).toBe(401);
  });

  it("shows a page's change from the next request", async () => {
    const slug = unique("fresh");
    const created = await ada.call("POST", "/v1/status-pages", { slug, title: "Before" });
    expect((await stack.api(`/status/${slug}/api/v2/summary.json`)).body.page.name).toBe("Before");
    await ada.call("PATCH", `/v1/status-pages/${created.body.id}`, { title: "After" });
    expect((await stack.api(`/status/${slug}/api/v2/summary.json`)).body.page.name).toBe("After");
  });
});

describe("framing", () => {
  it("status pages and their forms cannot be framed", async () => {
    const { slug } = await protectedPage();
    const open = unique("frame");
    await ada.call("POST", "/v1/status-pages", { slug: open, title: "Framed" });
    for (const res of [await stack.api(`/status/${open}`), await stack.api(`/status/${slug}`), await unlock(slug, "wrong", "127.0.7.1")]) {
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("frame-ancestors *");
    }
  });
});

describe("the subscribe form", () => {
  it("sends at most the page's hourly confirmations, and at most the address's daily ones over all pages", async () => {
    const slug = unique("news");
    await ada.call("POST", "/v1/status-pages", { slug, title: "News" });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await stack.api(`/status/${slug}/subscribe`, form({ email: `${unique("reader")}@example.com` }, `127.0.8.${i + 1}`))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);

    const victim = `${unique("victim")}@example.com`;
    const perAddress: number[] = [];
    for (let i = 0; i < 3; i++) {
      const page = unique("other");
      await ada.call("POST", "/v1/status-pages", { slug: page, title: "Other" });
      perAddress.push((await stack.api(`/status/${page}/subscribe`, form({ email: victim }, `127.0.9.${i + 1}`))).status);
    }
    expect(perAddress).toEqual([200, 200, 429]);
    await stack.drainQueues();
    expect((await stack.emails()).filter((m) => m.destination.to.includes(victim))).toHaveLength(2);
  });
});

describe("text fields", () => {
  it("refuse NUL, VT and FF (they made feed.rss invalid XML) but keep line breaks in descriptions", async () => {
    const slug = unique("ctl");
    for (const description of ["a\u0000b", "a\u000bb", "a\u000cb"]) {
      const res = await ada.call("POST", "/v1/status-pages", { slug, title: "Ctl", description });
      expect(res.status).toBe(400);
    }
    const ok = await ada.call("POST", "/v1/status-pages", { slug, title: "Ctl", description: "line one\nline two" });
    expect(ok.status).toBe(201);
    expect((await ada.call("POST", "/v1/org/api-keys", { name: "k\u0000", scope: "read" })).status).toBe(400);
    const reg = await stack.api("/v1/auth/register", { method: "POST", json: { email: `${unique("ctl")}@example.com`, password: "correct horse battery", name: "a\u000cb" } });
    expect(reg.status).toBe(400);
    const feed = await stack.api(`/status/${slug}/feed.rss`);
    expect(feed.status).toBe(200);
    expect(feed.body).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe("access tokens", () => {
  const sign = async (claims: { exp?: boolean; iat?: boolean; iss?: string; aud?: string }) => {
    const me = (await ada.call("GET", "/v1/me")).body;
    const sid = JSON.parse(Buffer.from(ada.token.split(".")[1]!, "base64url").toString()).sid;
    let jwt = new SignJWT({ sid }).setProtectedHeader({ alg: "HS256" }).setSubject(me.id);
    if (claims.iss !== "") jwt = jwt.setIssuer(claims.iss ?? config().JWT_ISSUER);
    if (claims.aud !== "") jwt = jwt.setAudience(claims.aud ?? config().JWT_AUDIENCE);
    if (claims.iat !== false) jwt = jwt.setIssuedAt();
    if (claims.exp !== false) jwt = jwt.setExpirationTime("5m");
    return jwt.sign(await jwtSecret());
  };
  const status = async (token: string) => (await stack.api("/v1/me", { token })).status;

  it("a correctly signed token needs exp, iat and our issuer and audience; ours keep working", async () => {
    expect(await status(ada.token)).toBe(200);
    expect(await status(await sign({}))).toBe(200);
    expect(await status(await sign({ exp: false }))).toBe(401);
    expect(await status(await sign({ iat: false }))).toBe(401);
    expect(await status(await sign({ iss: "someone-else" }))).toBe(401);
    expect(await status(await sign({ aud: "another-api" }))).toBe(401);
  });
});
