import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Monitor, MonitorEntity, MonitorQuotaEntity, SlugClaimEntity } from "@uptime/core/monitors/monitor";
import { startTarget, startTestStack, type TestStack, type Target } from "@uptime/local/testing";
import { createUser, type TestUser } from "../kit/test-users";

let stack: TestStack;
let target: Target;
let ada: TestUser;
let bob: TestUser;

beforeAll(async () => {
  stack = await startTestStack({ env: { MONITOR_LIMIT: "4" } });
  target = await startTarget();
  ada = await createUser(stack);
  bob = await createUser(stack);
});
afterAll(async () => {
  await target?.stop();
  await stack?.stop();
});

describe("monitors CRUD", () => {
  it("creates a monitor with defaults, checks it at once, and shows live state", async () => {
    const created = await ada.call("POST", "/v1/monitors", { name: "Home", url: target.url });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "Home",
      method: "GET",
      expectedStatus: ["200-399"],
      timeoutMs: 10000,
      intervalSec: 60,
      failureThreshold: 3,
      recoveryThreshold: 1,
      retryIntervalSec: 20,
      paused: false,
      alertEmails: [ada.email],
      status: "pending",
    });
    await stack.drainQueues();
    const after = await ada.call("GET", `/v1/monitors/${created.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe("up");
    expect(after.body.lastCheckedAt).not.toBeNull();
    expect(after.body.lastLatencyMs).toBeGreaterThanOrEqual(0);
    await ada.call("DELETE", `/v1/monitors/${created.body.id}`);
  });

  it("updates, pauses and deletes", async () => {
    const { body: m } = await ada.call("POST", "/v1/monitors", { name: "Api", url: `${target.url}/api`, intervalSec: 300 });
    const patched = await ada.call("PATCH", `/v1/monitors/${m.id}`, { name: "API", paused: true, keyword: "ok" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "API", paused: true, status: "paused", keyword: "ok", keywordMode: "contains" });
    const cleared = await ada.call("PATCH", `/v1/monitors/${m.id}`, { keyword: null });
    expect(cleared.body.keyword).toBeNull();
    expect((await ada.call("DELETE", `/v1/monitors/${m.id}`)).status).toBe(204);
    expect((await ada.call("GET", `/v1/monitors/${m.id}`)).status).toBe(404);
  });

  it("paginates the list with a cursor", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ada.call("POST", "/v1/monitors", { name: `m${i}`, url: target.url, paused: true })).body.id);
    const first = await ada.call("GET", "/v1/monitors?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.cursor).toBeTruthy();
    const second = await ada.call("GET", `/v1/monitors?limit=2&cursor=${encodeURIComponent(first.body.cursor)}`);
    const seen = [...first.body.data, ...second.body.data].map((m: any) => m.id);
    expect(seen).toEqual(ids);
    // A cursor from another account's listing (or a forged one) is a 400, never a peek or a 500.
    const bobsCursor = Buffer.from(JSON.stringify({ gsi1pk: `$uptime#ownerid_${"x"}`, gsi1sk: "a", pk: "b", sk: "c" })).toString("base64url");
    const { gsi1pk } = JSON.parse(Buffer.from(first.body.cursor, "base64url").toString());
    const ownPartitionNoSortKey = Buffer.from(JSON.stringify({ gsi1pk })).toString("base64url");
    for (const cursor of ["garbage!", bobsCursor, ownPartitionNoSortKey]) {
      const res = await ada.call("GET", `/v1/monitors?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("invalid_cursor");
    }
    for (const id of ids) await ada.call("DELETE", `/v1/monitors/${id}`);
  });

  it("enforces the per-account monitor limit with 403, and frees a place on delete", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await bob.call("POST", "/v1/monitors", { name: `b${i}`, url: target.url, paused: true });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const over = await bob.call("POST", "/v1/monitors", { name: "one too many", url: target.url });
    expect(over.status).toBe(403);
    expect(over.body.error.code).toBe("monitor_limit_reached");
    await bob.call("DELETE", `/v1/monitors/${ids.pop()}`);
    const again = await bob.call("POST", "/v1/monitors", { name: "fits again", url: target.url, paused: true });
    expect(again.status).toBe(201);
    ids.push(again.body.id);
    for (const id of ids) await bob.call("DELETE", `/v1/monitors/${id}`);
  });

  it("keeps slugs unique across accounts", async () => {
    const a = await ada.call("POST", "/v1/monitors", { name: "s", url: target.url, slug: "shared-name", paused: true });
    expect(a.status).toBe(201);
    const b = await bob.call("POST", "/v1/monitors", { name: "s", url: target.url, slug: "Shared-Name", paused: true });
    expect(b.status).toBe(409);
    expect(b.body.error.code).toBe("slug_taken");
    await ada.call("PATCH", `/v1/monitors/${a.body.id}`, { slug: null });
    const c = await bob.call("POST", "/v1/monitors", { name: "s", url: target.url, slug: "shared-name", paused: true });
    expect(c.status).toBe(201);
    await ada.call("DELETE", `/v1/monitors/${a.body.id}`);
    await bob.call("DELETE", `/v1/monitors/${c.body.id}`);
  });
});

describe("ownership", () => {
  it("answers 404 for another user's monitor on every route", async () => {
    const { body: m } = await ada.call("POST", "/v1/monitors", { name: "private", url: target.url, paused: true });
    expect((await bob.call("GET", `/v1/monitors/${m.id}`)).status).toBe(404);
    expect((await bob.call("PATCH", `/v1/monitors/${m.id}`, { name: "mine now" })).status).toBe(404);
    expect((await bob.call("POST", `/v1/monitors/${m.id}/check`)).status).toBe(404);
    expect((await bob.call("DELETE", `/v1/monitors/${m.id}`)).status).toBe(404);
    expect((await bob.call("GET", "/v1/monitors")).body.data.map((x: any) => x.id)).not.toContain(m.id);
    expect((await ada.call("GET", `/v1/monitors/${m.id}`)).body.name).toBe("private");
    await ada.call("DELETE", `/v1/monitors/${m.id}`);
  });

  it("requires a token", async () => {
    expect((await stack.api("/v1/monitors")).status).toBe(401);
  });
});

describe("validation", () => {
  it.each([
    [{ name: "x", url: "ftp://example.com" }, "url"],
    [{ name: "x", url: "not a url" }, "url"],
    [{ name: "", url: "https://example.com" }, "name"],
    [{ name: "x", url: "https://example.com", intervalSec: 45 }, "intervalSec"],
    [{ name: "x", url: "https://example.com", intervalSec: 10, retryIntervalSec: 20 }, "retryIntervalSec"],
    [{ name: "x", url: "https://example.com", timeoutMs: 30001 }, "timeoutMs"],
    [{ name: "x", url: "https://example.com", expectedStatus: ["600"] }, "expectedStatus.0"],
    [{ name: "x", url: "https://example.com", expectedStatus: ["300-200"] }, "expectedStatus.0"],
    [{ name: "x", url: "https://example.com", method: "TRACE" }, "method"],
    [{ name: "x", url: "https://example.com", failureThreshold: 11 }, "failureThreshold"],
    [{ name: "x", url: "https://example.com", headers: { "bad header": "x" } }, "headers.bad header"],
    [{ name: "x", url: "https://example.com", alertEmails: ["nope"] }, "alertEmails.0"],
    [{ name: "x", url: "https://example.com", slug: "A!" }, "slug"],
    [{ name: "x", url: "https://example.com", surprise: true }, ""],
  ])("rejects %j with a 400 naming %s", async (body, path) => {
    const res = await ada.call("POST", "/v1/monitors", body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_error");
    expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
  });

  it("keeps headers named like Object's own properties, and the probe sends them (scheduled and manual)", async () => {
    const names = ["constructor", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"];
    const headers = Object.fromEntries(names.map((n, i) => [n, `v${i}`]));
    const created = await ada.call("POST", "/v1/monitors", { name: "odd headers", url: `${target.url}/odd`, headers });
    expect(created.status).toBe(201);
    expect(created.body.headers).toEqual(headers);
    expect((await ada.call("GET", `/v1/monitors/${created.body.id}`)).body.headers).toEqual(headers);
    const listed = (await ada.call("GET", "/v1/monitors?limit=100")).body.data.find((m: any) => m.id === created.body.id);
    expect(listed.headers).toEqual(headers);
    await stack.drainQueues();
    const queued = target.hits.filter((h) => h.path === "/odd");
    expect(queued.length).toBeGreaterThan(0);
    for (const [i, n] of names.entries()) expect(queued.at(-1)!.headers[n.toLowerCase()]).toBe(`v${i}`);

    const patched = await ada.call("PATCH", `/v1/monitors/${created.body.id}`, { headers: { constructor: "changed" } });
    expect(patched.status).toBe(200);
    expect(patched.body.headers).toEqual({ constructor: "changed" });
    expect((await ada.call("POST", `/v1/monitors/${created.body.id}/check`)).status).toBe(200);
    expect(target.hits.filter((h) => h.path === "/odd").at(-1)!.headers.constructor).toBe("changed");
    await ada.call("DELETE", `/v1/monitors/${created.body.id}`);
  });

  it.each([
    ["CR LF", "ok\r\nX-Injected: 1"],
    ["LF", "ok\nX-Injected: 1"],
    ["CR", "ok\r"],
    ["NUL", "a\u0000b"],
    ["DEL", "a\u007fb"],
    ["ESC", "\u001b[31m"],
    ["a character beyond \\xFF", "\u0100"],
  ])("rejects a header value with %s, naming the header", async (_, value) => {
    for (const [method, path] of [["POST", "/v1/monitors"], ["PATCH", "/v1/monitors/{id}"]] as const) {
      const { body: m } = await ada.call("POST", "/v1/monitors", { name: "h", url: target.url, paused: true });
      const body = method === "POST" ? { name: "x", url: target.url, headers: { "X-Token": value } } : { headers: { "X-Token": value } };
      const res = await ada.call(method, path.replace("{id}", m.id), body);
      expect(res.status, method).toBe(400);
      expect(res.body.error.code).toBe("validation_error");
      expect(res.body.error.details.map((d: any) => d.path)).toContain("headers.X-Token");
      await ada.call("DELETE", `/v1/monitors/${m.id}`);
    }
  });

  it("accepts tabs, spaces and obs-text in header values", async () => {
    const res = await ada.call("POST", "/v1/monitors", { name: "x", url: target.url, paused: true, headers: { "X-A": "a\tb c\u00e9" } });
    expect(res.status).toBe(201);
    expect(res.body.headers).toEqual({ "X-A": "a\tb c\u00e9" });
    await ada.call("DELETE", `/v1/monitors/${res.body.id}`);
  });

  it("refuses a header named __proto__ instead of dropping it", async () => {
    const res = await stack.api("/v1/monitors", {
      method: "POST",
      headers: { authorization: `Bearer ${ada.token}`, "content-type": "application/json" },
      body: `{"name":"x","url":"${target.url}","headers":{"__proto__":"v","X-A":"b"}}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toContain("headers.__proto__");
  });

  it("never stores a URL that could put CR or LF in the request line", async () => {
    const res = await ada.call("POST", "/v1/monitors", { name: "x", url: `${target.url}/a\r\nX-Injected: 1`, paused: true });
    if (res.status === 201) {
      expect(res.body.url).not.toMatch(/[\r\n]/);
      await ada.call("POST", `/v1/monitors/${res.body.id}/check`);
      expect(target.hits.at(-1)!.headers["x-injected"]).toBeUndefined();
      await ada.call("DELETE", `/v1/monitors/${res.body.id}`);
    } else {
      expect(res.status).toBe(400);
    }
  });

  it("accepts status codes and ranges as numbers or strings", async () => {
    const res = await ada.call("POST", "/v1/monitors", { name: "x", url: target.url, expectedStatus: [200, "301-302"], paused: true });
    expect(res.status).toBe(201);
    expect(res.body.expectedStatus).toEqual(["200", "301-302"]);
    await ada.call("DELETE", `/v1/monitors/${res.body.id}`);
  });

  it("rejects an empty or invalid patch", async () => {
    const { body: m } = await ada.call("POST", "/v1/monitors", { name: "p", url: target.url, paused: true });
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, {})).status).toBe(400);
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { intervalSec: 10, retryIntervalSec: 20 })).status).toBe(400);
    expect((await ada.call("PATCH", `/v1/monitors/${m.id}`, { url: "javascript:alert(1)" })).status).toBe(400);
    await ada.call("DELETE", `/v1/monitors/${m.id}`);
  });
});

describe("a request killed between its steps", () => {
  const MIN = 60_000;

  /** The n-th call of `entity[method]` from now on never completes, as if the Lambda running it were killed there. */
  function killAt(entity: any, method: string, n: number) {
    const real = entity[method].bind(entity);
    let calls = 0;
    const spy = vi.spyOn(entity, method).mockImplementation((...args: unknown[]) => {
      if (++calls !== n) return real(...args);
      // every builder step chains; `go` never settles
      const hung: any = new Proxy(() => hung, { get: (_, prop) => (prop === "go" ? () => new Promise(() => {}) : prop === "then" ? undefined : () => hung) });
      return hung;
    });
    return () => spy.mockRestore();
  }
  async function until(check: () => Promise<boolean>) {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await check()).toBe(true);
  }
  async function newOwner() {
    const user = await createUser(stack);
    const { body } = await user.call("POST", "/v1/monitors", { name: "first", url: target.url, paused: true });
    return { user, ownerId: (await Monitor.get(body.id))!.ownerId };
  }
  const quota = async (ownerId: string) => (await MonitorQuotaEntity.get({ ownerId }).go({ consistent: true })).data!.count;
  const owned = async (ownerId: string) => (await Monitor.listByOwner(ownerId, { limit: 100 })).data.length;
  const monitor = (name: string, slug?: string) => ({ name, url: target.url, paused: true, ...(slug && { slug }) });

  it("a create killed after reserving a place and claiming a slug leaks neither for good", async () => {
    const { user, ownerId } = await newOwner();
    const t0 = Date.now();
    const restore = killAt(MonitorEntity, "create", 1);
    void Monitor.create(ownerId, user.email, monitor("killed", "killed-create"), t0);
    await until(async () => (await SlugClaimEntity.get({ slug: "killed-create" }).go({ consistent: true })).data !== null);
    restore();
    expect(await quota(ownerId)).toBe(2);
    expect(await owned(ownerId)).toBe(1);

    // while the killed request could still be running, its place and its slug stay taken
    const soon = t0 + 10_000;
    await expect(Monitor.create(ownerId, user.email, monitor("again", "killed-create"), soon)).rejects.toMatchObject({ code: "slug_taken" });
    await Monitor.create(ownerId, user.email, monitor("m2"), soon);
    await Monitor.create(ownerId, user.email, monitor("m3"), soon);
    await expect(Monitor.create(ownerId, user.email, monitor("m4"), soon)).rejects.toMatchObject({ code: "monitor_limit_reached" });

    // later, the account fills up to its limit and the slug is free again
    const later = t0 + 2 * MIN;
    const taken = await Monitor.create(ownerId, user.email, monitor("m4", "killed-create"), later);
    expect(taken.slug).toBe("killed-create");
    expect((await Monitor.bySlug("killed-create"))?.monitorId).toBe(taken.monitorId);
    await expect(Monitor.create(ownerId, user.email, monitor("m5"), later)).rejects.toMatchObject({ code: "monitor_limit_reached" });
    expect(await owned(ownerId)).toBe(4);
    expect(await quota(ownerId)).toBe(4);
  });

  it("a delete killed before releasing its place and slug leaks neither for good", async () => {
    const { user, ownerId } = await newOwner();
    const t0 = Date.now();
    const slugged = await Monitor.create(ownerId, user.email, monitor("slugged", "killed-delete"), t0);
    for (const name of ["m3", "m4"]) await Monitor.create(ownerId, user.email, monitor(name), t0);
    const restore = killAt(MonitorQuotaEntity, "update", 2); // the first update marks the delete, the second releases
    void Monitor.remove(ownerId, slugged.monitorId, t0);
    await until(async () => (await Monitor.get(slugged.monitorId)) === undefined);
    restore();
    expect(await quota(ownerId)).toBe(4);
    expect(await owned(ownerId)).toBe(3);
    expect(await Monitor.bySlug("killed-delete")).toBeUndefined();

    await expect(Monitor.create(ownerId, user.email, monitor("too soon"), t0 + 10_000)).rejects.toMatchObject({ code: "monitor_limit_reached" });
    const later = t0 + 2 * MIN;
    const again = await Monitor.create(ownerId, user.email, monitor("again", "killed-delete"), later);
    expect(again.slug).toBe("killed-delete");
    await expect(Monitor.create(ownerId, user.email, monitor("m5"), later)).rejects.toMatchObject({ code: "monitor_limit_reached" });
    expect(await quota(ownerId)).toBe(4);
  });

  it("an update killed after claiming a new slug neither shows the wrong page nor keeps the slug", async () => {
    const { user, ownerId } = await newOwner();
    const t0 = Date.now();
    const m = await Monitor.create(ownerId, user.email, monitor("renamed", "old-slug"), t0);
    const restore = killAt(MonitorEntity, "patch", 1);
    void Monitor.update(ownerId, m.monitorId, { slug: "new-slug" }, t0);
    await until(async () => (await SlugClaimEntity.get({ slug: "new-slug" }).go({ consistent: true })).data !== null);
    restore();
    expect(await Monitor.bySlug("new-slug")).toBeUndefined();
    expect((await Monitor.bySlug("old-slug"))?.monitorId).toBe(m.monitorId);
    const other = await Monitor.create(ownerId, user.email, monitor("other"), t0);
    await expect(Monitor.update(ownerId, other.monitorId, { slug: "new-slug" }, t0 + 10_000)).rejects.toMatchObject({ code: "slug_taken" });
    expect((await Monitor.update(ownerId, other.monitorId, { slug: "new-slug" }, t0 + 2 * MIN)).slug).toBe("new-slug");
    expect((await Monitor.bySlug("new-slug"))?.monitorId).toBe(other.monitorId);
  });
});
