import { afterAll, beforeAll } from "vitest";
import { startTarget, startTestStack, type Target, type TestStack } from "@uptime/local/testing";

/**
 * The local stack without pollers (tests drive the handlers themselves) and one target site
 * answering 200 "ok", started before the file's tests and stopped after them.
 */
export function useStackWithTarget(): { readonly stack: TestStack; readonly target: Target } {
  const env = {} as { stack: TestStack; target: Target };
  beforeAll(async () => {
    env.stack = await startTestStack({ pollers: false });
    env.target = await startTarget({ status: 200, body: "ok" });
  });
  afterAll(async () => {
    await env.target?.stop();
    await env.stack?.stop();
  });
  return env;
}
