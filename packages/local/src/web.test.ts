import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApiServer, type ApiServer } from "./server";
import { ensureWebBuild, webResponse, webSourceHash } from "./web";

let parent: string;
let dir: string;
beforeAll(() => {
  parent = mkdtempSync(path.join(tmpdir(), "web-dist-"));
  dir = path.join(parent, "dist");
  mkdirSync(path.join(dir, "assets"), { recursive: true });
  writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>app</title>");
  writeFileSync(path.join(dir, "assets", "index-abc.js"), "console.log(1)");
  writeFileSync(path.join(dir, "assets", "big.js"), "x".repeat(5000));
  writeFileSync(path.join(dir, ".source-hash"), "x");
  writeFileSync(path.join(parent, "secret.txt"), "secret");
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe("webResponse", () => {
  it("serves a build file, with long caching for hashed assets", async () => {
    const res = (await webResponse(dir, "GET", "/assets/index-abc.js"))!;
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(await res.text()).toBe("console.log(1)");
  });

  it("answers app routes with index.html, revalidated", async () => {
    for (const p of ["/", "/login", "/register", "/monitors/new", "/monitors/abc", "/incidents"]) {
      const res = (await webResponse(dir, "GET", p))!;
      expect(res.headers.get("content-type"), p).toMatch(/^text\/html/);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toContain("<title>app</title>");
    }
  });

  it("leaves API paths, missing files, dot files, other methods and paths outside the build to the API", async () => {
    expect(await webResponse(dir, "GET", "/v1/unknown")).toBeUndefined();
    expect(await webResponse(dir, "GET", "/assets/missing.js")).toBeUndefined();
    expect(await webResponse(dir, "GET", "/.source-hash")).toBeUndefined();
    expect(await webResponse(dir, "POST", "/login")).toBeUndefined();
    expect(await webResponse(dir, "GET", "/%2e%2e/secret.txt")).toBeUndefined();
    expect(await webResponse(dir, "GET", "/%E0%A4%A")).toBeUndefined();
  });
});

describe("the API server with a web app", () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer<"docs" | "fallback">({
      routes: { "GET /docs": "docs" },
      defaultRoute: "fallback",
      loadApp: async (name) => new Hono().all("*", (c) => c.json({ fn: name }, name === "fallback" ? 404 : 200)),
      log: () => {},
      webDir: dir,
    });
  });
  afterAll(() => server?.stop());

  it("keeps the API's routes and /v1/* ahead of the app", async () => {
    expect(await (await fetch(`${server.url}/docs`)).json()).toEqual({ fn: "docs" });
    const unknown = await fetch(`${server.url}/v1/nope`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ fn: "fallback" });
  });

  it("compresses what a browser accepts compressed, and leaves small bodies alone", async () => {
    const big = await fetch(`${server.url}/assets/big.js`, { headers: { "accept-encoding": "gzip" } });
    expect(big.headers.get("content-encoding")).toBe("gzip");
    expect(big.headers.get("vary")).toMatch(/Accept-Encoding/i);
    expect(await big.text()).toBe("x".repeat(5000)); // fetch decodes it: the bytes survive
    const small = await fetch(`${server.url}/assets/index-abc.js`, { headers: { "accept-encoding": "gzip" } });
    expect(small.headers.get("content-encoding")).toBeNull();
  });

  it("serves the app at / and its routes", async () => {
    for (const p of ["/", "/monitors/abc"]) {
      const res = await fetch(server.url + p);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("<title>app</title>");
    }
  });
});

describe("webSourceHash", () => {
  it("changes when any source file changes, so npm start rebuilds a stale app", () => {
    const root = mkdtempSync(path.join(tmpdir(), "web-src-"));
    try {
      mkdirSync(path.join(root, "src", "screens"), { recursive: true });
      for (const f of ["index.html", "vite.config.ts", "package.json", "src/main.tsx", "src/screens/a.tsx"]) writeFileSync(path.join(root, f), f);
      const before = webSourceHash(root);
      expect(webSourceHash(root)).toBe(before);
      writeFileSync(path.join(root, "src/screens/a.tsx"), "changed");
      expect(webSourceHash(root)).not.toBe(before);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("ensureWebBuild", () => {
  it("builds once when called twice at the same time (Vite refuses a second build of the project while one runs)", { timeout: 180_000 }, async () => {
    const buildsDir = mkdtempSync(path.join(tmpdir(), "web-builds-"));
    try {
      const [a, b] = await Promise.all([ensureWebBuild({ buildsDir }), ensureWebBuild({ buildsDir })]);
      expect(a.dir).toBe(b.dir);
      expect([a.built, b.built].sort()).toEqual([false, true]);
      expect(existsSync(path.join(a.dir, "index.html"))).toBe(true);
      expect((await ensureWebBuild({ buildsDir })).built).toBe(false);
    } finally {
      rmSync(buildsDir, { recursive: true, force: true });
    }
  });
});
