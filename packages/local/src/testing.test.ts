import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { ses } from "@uptime/core/platform/ses";
import { config } from "@uptime/core/platform/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "./testing";

describe("startTestStack", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it("runs in memory without a scheduler, with fast bcrypt", () => {
    expect(stack.dataDir).toBeUndefined();
    expect(config().BCRYPT_COST).toBe(4);
    expect(stack.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("api() returns status, headers and a parsed body, and the request is logged", async () => {
    const res = await stack.api("/__testing/unmatched", { method: "POST", json: { a: 1 }, token: "t" });
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.headers).toBeInstanceOf(Headers);
    const isJson = /json/.test(res.headers.get("content-type") ?? "");
    expect(typeof res.body).toBe(isJson ? "object" : "string");
    expect(stack.logs).toContainEqual(expect.stringMatching(new RegExp(`^\\[api\\] POST /__testing/unmatched ${res.status} `)));
  });

  it("emails() shows what the functions send through SES, clearEmails() empties it", async () => {
    await stack.clearEmails();
    await ses().send(
      new SendEmailCommand({
        FromEmailAddress: config().MAIL_FROM,
        Destination: { ToAddresses: ["ops@example.com"] },
        Content: { Simple: { Subject: { Data: "Monitor down" }, Body: { Text: { Data: "It is down" } } } },
      }),
    );
    const mails = await stack.emails();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: "alerts@uptime.local", subject: "Monitor down", destination: { to: ["ops@example.com"] } });
    expect(mails[0].body.text).toContain("It is down");
    await stack.clearEmails();
    expect(await stack.emails()).toEqual([]);
  });
});

describe("startTarget", () => {
  let target: Target;
  beforeAll(async () => {
    target = await startTarget();
  });
  afterAll(() => target?.stop());

  it("answers 200 ok by default and records hits", async () => {
    const res = await fetch(`${target.url}/health?x=1`, { headers: { "user-agent": "probe" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(target.hits.at(-1)).toMatchObject({ method: "GET", path: "/health?x=1", headers: { "user-agent": "probe" } });
  });

  it("answers with the configured status, body, headers and latency", async () => {
    target.set({ status: 503, body: "down", headers: { "x-test": "1" }, delayMs: 200 });
    const started = Date.now();
    const res = await fetch(target.url);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(res.status).toBe(503);
    expect(res.headers.get("x-test")).toBe("1");
    expect(await res.text()).toBe("down");
  });

  it("can close the connection or hang", async () => {
    target.set({ close: true });
    await expect(fetch(target.url)).rejects.toThrow();
    target.set({ hang: true });
    await expect(fetch(target.url, { signal: AbortSignal.timeout(200) })).rejects.toThrow(/timeout|aborted/i);
    target.set({});
    expect((await fetch(target.url)).status).toBe(200);
  });

  it("stop() ends even with a hanging request open", async () => {
    const t = await startTarget({ hang: true });
    const pending = fetch(t.url).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 50));
    await t.stop();
    expect(await pending).toBeInstanceOf(Error);
  });
});
