import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { createUser, type TestUser } from "../kit/test-users";

/** CORS by route: the configured web app may use authenticated routes with cookies; public reads are for anyone. */
const APP = "https://app.example.org";
let stack: TestStack;
let ada: TestUser;
beforeAll(async () => {
  stack = await startTestStack({ env: { WEB_ORIGIN: `${APP}, https://admin.example.org/` } });
  ada = await createUser(stack);
});
afterAll(async () => {
  await stack?.stop();
});

const get = (path: string, origin: string, token?: string) =>
  fetch(`${stack.apiUrl}${path}`, { headers: { origin, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
const preflight = (path: string, origin: string, method: string) =>
  fetch(`${stack.apiUrl}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization,content-type,x-org-id" },
  });

it("lets the configured web origins call authenticated routes with credentials, and nobody else", async () => {
  for (const origin of [APP, "https://admin.example.org"]) {
    const res = await get("/v1/monitors", origin, ada.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(origin);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  }
  const stranger = await get("/v1/monitors", "https://evil.example.net", ada.token);
  expect(stranger.headers.get("access-control-allow-origin")).toBeNull();

  // A preflight of a method-specific route (what API Gateway sends to $default when deployed).
  const ok = await preflight("/v1/auth/login", APP, "POST");
  expect(ok.status).toBe(204);
  expect(ok.headers.get("access-control-allow-origin")).toBe(APP);
  expect(ok.headers.get("access-control-allow-headers")).toContain("x-org-id");
  const refused = await preflight("/v1/auth/login", "https://evil.example.net", "POST");
  expect(refused.headers.get("access-control-allow-origin")).toBeNull();
});

it("lets any origin read public status data, without credentials", async () => {
  for (const path of ["/v1/demo/snapshot", "/openapi.json", "/status/nothing-here/api/v2/summary.json"]) {
    const res = await get(path, "https://widget.example.net");
    expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
    expect(res.headers.get("access-control-allow-credentials"), path).toBeNull();
  }
});
