import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "@uptime/functions/api/edge-headers";

const SECRET = "s".repeat(48);
const CLIENT_MAX = 3;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { ORIGIN_VERIFY_SECRET: SECRET, LOGIN_CLIENT_MAX_FAILURES: String(CLIENT_MAX), LOGIN_MAX_FAILURES: "100" } });
});
afterAll(() => stack?.stop());

let n = 0;
/** A failed login for a fresh email (so only the per-client budget can run out), from one local address. */
const failedLogin = (from: string, headers: Record<string, string>) =>
  stack.api("/v1/auth/login", {
    method: "POST",
    headers,
    json: { email: `nobody-${n++}@example.com`, password: "wrong password" },
    from,
  });

describe("the client address behind CloudFront", () => {
  it("ignores a viewer address sent without the distribution's secret: the caller's own budget runs out", async () => {
    const spoofs: Record<string, string>[] = [{}, { [ORIGIN_VERIFY_HEADER]: "s".repeat(47) + "x" }, { [ORIGIN_VERIFY_HEADER]: "short" }];
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_MAX + 1; i++) {
      statuses.push((await failedLogin("127.0.9.1", { [VIEWER_ADDRESS_HEADER]: `198.51.100.${i}`, ...spoofs[i % spoofs.length] })).status);
    }
    expect(statuses).toEqual([...Array(CLIENT_MAX).fill(401), 429]);
  });

  it("with the secret, counts each viewer address on its own, though all come from one edge", async () => {
    const viaEdge = (viewer: string) => failedLogin("127.0.9.2", { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: viewer });
    for (let i = 0; i < CLIENT_MAX; i++) expect((await viaEdge("203.0.113.10")).status).toBe(401);
    expect((await viaEdge("203.0.113.10")).status).toBe(429);
    expect((await viaEdge("203.0.113.11")).status).toBe(401);
    expect((await viaEdge("2001:db8::1")).status).toBe(401);
    // The edge's own address was never charged.
    expect((await failedLogin("127.0.9.2", {})).status).toBe(401);
  });

  it("falls back to the edge's address when the viewer header is not an address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_MAX + 1; i++) {
      statuses.push((await failedLogin("127.0.9.3", { [ORIGIN_VERIFY_HEADER]: SECRET, [VIEWER_ADDRESS_HEADER]: `not-an-ip-${i}` })).status);
    }
    expect(statuses).toEqual([...Array(CLIENT_MAX).fill(401), 429]);
  });
});
