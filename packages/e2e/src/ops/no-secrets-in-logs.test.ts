import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";
import { createUser } from "../kit/test-users";

/*
 * Everything the system prints while it works (structured logs, the local request log, errors)
 * is read back and searched for every secret this run used.
 */
const JWT_SECRET = "jwt-secret-for-the-log-test-0123456789abcdef";
const printed: string[] = [];
let stack: TestStack;
let target: Target;

beforeAll(async () => {
  const capture = (chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  target = await startTarget({ status: 503 });
  stack = await startTestStack({ env: { JWT_SECRET }, log: (l) => printed.push(l), logError: (m, e) => printed.push(`${m} ${e instanceof Error ? `${e.message} ${e.stack}` : String(e)}`) });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await stack?.stop();
  await target?.stop();
});

describe("logs", () => {
  it("carry no password, token, key, URL credential or monitor header value", async () => {
    const password = "correct horse battery";
    const ada = await createUser(stack, "ada-logs@example.com");
    const urlPassword = "url-pass-5f1e";
    const headerSecret = "header-secret-9c2d";
    const queryToken = "query-token-77aa";
    const monitor = await ada.call("POST", "/v1/monitors", {
      name: "Secret shop",
      url: `http://shop:${urlPassword}@${target.url.replace("http://", "")}/health?token=${queryToken}`,
      headers: { Authorization: `Bearer ${headerSecret}`, "X-Api-Key": headerSecret },
      failureThreshold: 1,
    });
    expect(monitor.status).toBe(201);
    await stack.drainQueues();
    await ada.call("POST", `/v1/monitors/${monitor.body.id}/check`);
    await stack.drainQueues();
    const key = await ada.call("POST", "/v1/org/api-keys", { name: "CI", scope: "read" });
    const apiToken = key.body.token as string | undefined;
    if (apiToken) await stack.api("/v1/monitors", { headers: { authorization: `Bearer ${apiToken}` } });
    const login = await stack.api("/v1/auth/login", { method: "POST", json: { email: ada.email, password: "wrong password!!" } });
    expect(login.status).toBe(401);

    // The run did what it should: the monitor failed and was logged about.
    expect((await stack.emails()).some((m) => m.subject.includes("Secret shop"))).toBe(true);
    const out = printed.join("\n");
    // The capture sees what was printed: the request log and the tick's structured log among it.
    expect(out).toMatch(/\[api\] POST \/v1\/monitors 201/);
    for (const secret of [password, "wrong password!!", urlPassword, headerSecret, queryToken, JWT_SECRET, ada.token, ...(apiToken ? [apiToken] : [])]) {
      expect(out, secret).not.toContain(secret);
    }
  });
});
