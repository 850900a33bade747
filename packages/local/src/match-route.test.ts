import { describe, expect, it } from "vitest";
import { apiRoutes } from "@uptime/functions/api/routes";
import { matchRoute } from "./match-route";

const table = {
  "GET /a/b": "exact",
  "GET /a/{id}": "param",
  "ANY /m": "m-root",
  "ANY /m/{proxy+}": "m-greedy",
  "GET /m/{id}/summary": "m-summary",
  "GET /x": "x-get",
  "ANY /x": "x-any",
  "GET /{first}/left": "left-param",
  "GET /l/{second}": "left-literal",
  "ANY /p/{proxy+}": "p-greedy",
  "ANY /p/{id}": "p-param",
};
// Specificity, not declaration order, must decide: every case runs against both orders.
const orders = { declared: table, reversed: Object.fromEntries(Object.entries(table).reverse()) };

describe.each(Object.entries(orders))("matchRoute (%s order)", (_, routes) => {
  it("prefers an exact segment over a {param}", () => {
    expect(matchRoute(routes, "GET", "/a/b")?.target).toBe("exact");
    const m = matchRoute(routes, "GET", "/a/c");
    expect(m).toEqual({ routeKey: "GET /a/{id}", target: "param", pathParameters: { id: "c" } });
  });

  it("prefers a {param} over {proxy+}, but only when the method matches", () => {
    expect(matchRoute(routes, "GET", "/m/42/summary")?.target).toBe("m-summary");
    expect(matchRoute(routes, "PATCH", "/p/1")?.target).toBe("p-param");
    expect(matchRoute(routes, "PATCH", "/p/1/2")?.target).toBe("p-greedy");
    expect(matchRoute(routes, "POST", "/m/42/summary")?.target).toBe("m-greedy");
    expect(matchRoute(routes, "GET", "/m/42/other")).toEqual({
      routeKey: "ANY /m/{proxy+}",
      target: "m-greedy",
      pathParameters: { proxy: "42/other" },
    });
  });

  it("needs at least one segment for {proxy+}", () => {
    expect(matchRoute(routes, "DELETE", "/m")?.target).toBe("m-root");
    expect(matchRoute({ "ANY /m/{proxy+}": "g" }, "GET", "/m")).toBeUndefined();
    expect(matchRoute({ "ANY /m/{proxy+}": "g" }, "GET", "/m/")).toBeUndefined();
  });

  it("prefers a method route over ANY on the same path, case-insensitively", () => {
    expect(matchRoute(routes, "get", "/x")?.target).toBe("x-get");
    expect(matchRoute(routes, "PUT", "/x")?.target).toBe("x-any");
  });

  it("decides by the leftmost differing segment", () => {
    expect(matchRoute(routes, "GET", "/l/left")?.target).toBe("left-literal");
  });

  it("returns undefined when nothing matches (API Gateway's $default)", () => {
    expect(matchRoute(routes, "GET", "/nope")).toBeUndefined();
    expect(matchRoute(routes, "GET", "/a/b/")).toBeUndefined();
    expect(matchRoute(routes, "POST", "/a/b")).toBeUndefined();
    expect(matchRoute(routes, "GET", "/a//")).toBeUndefined();
  });

  it("decodes path parameters", () => {
    expect(matchRoute(routes, "GET", "/a/hello%20world")?.pathParameters).toEqual({ id: "hello world" });
  });

});

describe("matchRoute", () => {
  it("rejects malformed route keys", () => {
    expect(() => matchRoute({ "GET /a/{proxy+}/b": 1 }, "GET", "/a")).toThrow(/last segment/);
    expect(() => matchRoute({ "/a": 1 }, "GET", "/a")).toThrow(/METHOD \/path/);
  });

  it("routes every apiRoutes key to its own function", () => {
    for (const [key, fn] of Object.entries(apiRoutes)) {
      const [method, path] = key.split(" ");
      const concrete = path.replace(/\{[^}]+\+\}/, "p1/p2").replace(/\{[^}]+\}/g, "x1");
      const m = matchRoute(apiRoutes, method === "ANY" ? "DELETE" : method, concrete);
      expect(m, key).toMatchObject({ routeKey: key, target: fn });
    }
  });
});
