import { describe, expect, it } from "vitest";
import { customDomainPath, viewerRequestFunction } from "./custom-domain";

/** Runs the CloudFront Function's code as CloudFront would: one viewer request in, the request out. */
function runAtEdge(code: string, host: string, uri: string) {
  const handler = new Function(`${code}; return handler;`)() as (event: unknown) => { uri: string; headers: Record<string, { value: string }> };
  return handler({ viewer: { ip: "203.0.113.7" }, request: { method: "GET", uri, querystring: {}, headers: { host: { value: host } }, cookies: {} } });
}

describe("the custom-domain edge function", () => {
  it.each(["/", "/api/v2/summary.json", "/feed.atom", "/badge.svg", "/subscribe"])("maps %s as the local server does", (path) => {
    const out = runAtEdge(viewerRequestFunction("x-viewer-address"), "Status.Acme.com", path);
    expect(out.uri).toBe(customDomainPath("status.acme.com", path));
    expect(out.uri.startsWith("/status/status.acme.com")).toBe(true);
  });

  it("passes the viewer's address on, overwriting what the caller sent", () => {
    const out = runAtEdge(viewerRequestFunction("x-viewer-address"), "status.acme.com", "/");
    expect(out.headers["x-viewer-address"]).toEqual({ value: "203.0.113.7" });
  });
});
