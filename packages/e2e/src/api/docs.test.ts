import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { matchRoute } from "@uptime/local/match-route";
import { apiFunctions, apiRoutes, type ApiFunctionName } from "@uptime/functions/api/routes";
import { readFileSync } from "node:fs";
import { buildDocument, documentPath, functionApps } from "@uptime/functions/api/openapi";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
});
afterAll(() => stack?.stop());

/**
 * The routes each function's Hono app really registered. `app.routes` has an entry per handler
 * (validators included), and middleware entries have method "ALL".
 */
function registered() {
  const seen = new Set<string>();
  return (Object.entries(functionApps) as [ApiFunctionName, (typeof functionApps)[ApiFunctionName]][]).flatMap(([fn, app]) =>
    app.routes
      .filter((r) => r.method !== "ALL" && !seen.has(`${fn} ${r.method} ${r.path}`) && seen.add(`${fn} ${r.method} ${r.path}`))
      .map((r) => ({ fn, method: r.method, path: r.path, openapiPath: r.path.replace(/:([^/{}]+)/g, "{$1}") })),
  );
}

/** A concrete path for a route pattern, e.g. /v1/monitors/:id/summary → /v1/monitors/x/summary. */
const sample = (path: string) => path.replace(/:[^/]+/g, "x");

describe("OpenAPI document", () => {
  it("is up to date with the routes and schemas (else run `npm run openapi`)", () => {
    const committed = JSON.parse(readFileSync(documentPath, "utf8"));
    expect(committed, "openapi.json is stale: run `npm run openapi`").toEqual(JSON.parse(JSON.stringify(buildDocument())));
  });

  it("is OpenAPI 3.1 with the bearer scheme", async () => {
    const res = await stack.api("/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe("3.1.0");
    expect(res.body.components.securitySchemes.bearerAuth).toEqual({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
    expect(res.body.paths["/v1/monitors/{id}/summary"].get.security).toEqual([{ bearerAuth: [] }]);
    expect(res.body.paths["/v1/status/{slug}"].get.security).toEqual([]); // public, said explicitly
  });

  it("documents every route every function registers", async () => {
    const doc = (await stack.api("/openapi.json")).body;
    const routes = registered();
    expect(new Set(routes.map((r) => r.fn))).toEqual(new Set(Object.keys(apiFunctions)));
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      expect(doc.paths[r.openapiPath]?.[r.method.toLowerCase()], `${r.method} ${r.openapiPath} (${r.fn})`).toBeDefined();
    }
    // and nothing that is not served
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.openapiPath}`).sort());
  });

  it("carries the request schemas and examples", async () => {
    const doc = (await stack.api("/openapi.json")).body;
    const summary = doc.paths["/v1/monitors/{id}/summary"].get;
    expect(summary.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "id", in: "path", required: true }),
        expect.objectContaining({ name: "range", in: "query", schema: expect.objectContaining({ enum: ["1h", "24h", "7d", "30d", "90d"] }) }),
      ]),
    );
    expect(doc.components.schemas.Summary.example.uptimePercent).toBe(99.954);
    expect(doc.paths["/v1/monitors"].post.requestBody.content["application/json"].schema).toBeDefined();
    expect(Object.keys(doc.paths["/v1/status/{slug}"].get.responses[200].content).sort()).toEqual(["application/json", "text/html"]);
  });
});

describe("routing", () => {
  it("sends every registered route to the function that serves it", () => {
    for (const r of registered()) {
      const match = matchRoute(apiRoutes, r.method, sample(r.path));
      expect(match?.target, `${r.method} ${r.path}`).toBe(r.fn);
    }
  });

  it("serves every API Gateway route key with a registered route of its function", () => {
    const routes = registered();
    for (const [key, fn] of Object.entries(apiRoutes)) {
      const [method, path] = key.split(" ") as [string, string];
      const pattern = new RegExp(
        "^" + path.replace(/\{[^}]+\+\}/g, ".+").replace(/\{[^}]+\}/g, "[^/]+") + "$",
      );
      const served = routes.some((r) => r.fn === fn && (method === "ANY" || r.method === method) && pattern.test(sample(r.path)));
      expect(served, key).toBe(true);
    }
  });
});

describe("interactive docs", () => {
  it("serves Swagger UI pointed at the document", async () => {
    const res = await stack.api("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.body).toContain("SwaggerUIBundle");
    expect(res.body).toContain("'/openapi.json'");
  });

  it("loads Swagger UI from this origin only, so the docs work offline", async () => {
    const res = await stack.api("/docs");
    expect(res.body).toContain('src="/docs-assets/swagger-ui-bundle.js"');
    expect(res.body).toContain('href="/docs-assets/swagger-ui.css"');
    expect(res.body).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
