import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer, type FetchApp } from "./server";

type Fn = "alpha" | "beta" | "fallback" | "broken" | "limited";

/** An app that echoes what it was given, so dispatch can be asserted. */
function echoApp(name: string): FetchApp {
  const app = new Hono<{ Bindings: any }>();
  app.all("*", async (c) =>
    c.json({
      fn: name,
      method: c.req.method,
      path: c.req.path,
      query: c.req.query("q") ?? null,
      body: await c.req.text(),
      xff: c.req.header("x-forwarded-for") ?? null,
      routeKey: c.env?.event?.routeKey ?? null,
      pathParameters: c.env?.event?.pathParameters ?? null,
      sourceIp: c.env?.requestContext?.http?.sourceIp ?? null,
      remainingMs: c.env?.lambdaContext?.getRemainingTimeInMillis?.() ?? null,
    }),
  );
  return app;
}

describe("startApiServer", () => {
  let server: ApiServer;
  const lines: string[] = [];
  const errors: string[] = [];
  const loads: string[] = [];
  beforeAll(async () => {
    server = await startApiServer<Fn>({
      routes: { "POST /v1/things": "alpha", "ANY /v1/things/{proxy+}": "beta", "GET /v1/things/{id}/special": "alpha", "GET /v1/broken": "broken", "POST /v1/limited": "limited" },
      defaultRoute: "fallback",
      loadApp: async (name) => {
        loads.push(name);
        if (name === "broken") throw new Error("import failed");
        if (name === "limited") {
          // Answers 413 from the Content-Length alone, before reading the body.
          const app = new Hono();
          app.use(bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: "too large" }, 413) }));
          app.post("*", (c) => c.json({ ok: true }));
          return app;
        }
        return echoApp(name);
      },
      log: (l) => lines.push(l),
      logError: (m, err) => errors.push(`${m} ${(err as Error).message}`),
    });
  });
  afterAll(() => server?.stop());

  it("listens on 127.0.0.1", () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it("dispatches to the most specific route's app with the full request", async () => {
    const res = await fetch(`${server.url}/v1/things?q=1`, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      fn: "alpha",
      method: "POST",
      path: "/v1/things",
      query: "1",
      body: '{"a":1}',
      xff: "127.0.0.1",
      routeKey: "POST /v1/things",
      sourceIp: "127.0.0.1",
    });
    const special = await (await fetch(`${server.url}/v1/things/7/special`)).json();
    expect(special).toMatchObject({ fn: "alpha", routeKey: "GET /v1/things/{id}/special", pathParameters: { id: "7" } });
    const other: any = await (await fetch(`${server.url}/v1/things/7/other`, { method: "DELETE", headers: { "x-forwarded-for": "10.0.0.1" } })).json();
    expect(other).toMatchObject({ fn: "beta", routeKey: "ANY /v1/things/{proxy+}", pathParameters: { proxy: "7/other" }, xff: "10.0.0.1, 127.0.0.1" });
    expect(other.remainingMs).toBeGreaterThan(25_000);
  });

  it("sends unmatched requests to the default route's app", async () => {
    const res = await (await fetch(`${server.url}/nowhere`)).json();
    expect(res).toMatchObject({ fn: "fallback", routeKey: "$default", pathParameters: null });
  });

  it("answers like API Gateway when the function cannot load, and logs every request", async () => {
    const res = await fetch(`${server.url}/v1/broken`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal Server Error" });
    expect(errors).toContain("[api] broken failed: import failed");
    expect(lines).toContainEqual(expect.stringMatching(/^\[api\] GET \/v1\/broken 500 \d+ms \(broken\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[api\] POST \/v1\/things 200 \d+ms \(alpha\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^\[api\] GET \/nowhere 200 \d+ms \(fallback\)$/));
  });

  it("reads the whole body first, like API Gateway, so an early answer never races the upload", async () => {
    const big = "x".repeat(300_000);
    for (let i = 0; i < 15; i++) {
      const res = await fetch(`${server.url}/v1/limited`, { method: "POST", body: big });
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error: "too large" });
    }
    const tooBig = await fetch(`${server.url}/v1/limited`, { method: "POST", body: new Uint8Array(10 * 1024 * 1024 + 1) });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({ message: "Request Entity Too Large" });
  });

  it("loads each function once, but retries a failed load", async () => {
    await fetch(`${server.url}/v1/broken`);
    expect(loads.filter((n) => n === "alpha")).toHaveLength(1);
    expect(loads.filter((n) => n === "broken").length).toBeGreaterThanOrEqual(2);
  });
});

describe("methods no route takes", () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer<Fn>({ routes: {}, defaultRoute: "fallback", loadApp: async (name) => echoApp(name), log: () => {}, logError: () => {} });
  });
  afterAll(() => server?.stop());

  it("answers TRACE with 405, not a 500 (fetch cannot send it, so raw HTTP)", async () => {
    const { request } = await import("node:http");
    for (const method of ["TRACE"]) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${server.url}/v1/things`, { method }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      expect(status, method).toBe(405);
    }
  });
});
