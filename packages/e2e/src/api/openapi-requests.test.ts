import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { startTestStack, type TestStack } from "@uptime/local/testing";
import { buildDocument } from "@uptime/functions/api/openapi";
import { createUser, type TestUser } from "../kit/test-users";

/**
 * What a validating client does with the OpenAPI document: check each request body against the
 * operation's schema before sending it. Real requests the API accepted must pass ajv; a body the
 * API refuses for a rule the document states must fail it.
 */

let stack: TestStack;
let ada: TestUser;
const doc = JSON.parse(JSON.stringify(buildDocument()));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi.json");
const pointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** ajv's verdict on a JSON body for `method template` (e.g. "post /v1/monitors"). */
function check(method: string, template: string, body: unknown) {
  const ref = `openapi.json#/paths/${pointer(template)}/${method}/requestBody/content/application~1json/schema`;
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no JSON request body for ${method} ${template}`);
  return validate(body) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);
}

beforeAll(async () => {
  stack = await startTestStack({ pollers: false });
  ada = await createUser(stack);
}, 60_000);
afterAll(() => stack?.stop());

describe("request bodies against the OpenAPI document (ajv)", () => {
  it("every pattern is an ECMA-262 regular expression without flags", () => {
    const patterns: string[] = [];
    JSON.stringify(doc, (k, v) => (k === "pattern" && typeof v === "string" && patterns.push(v), v));
    expect(patterns.length).toBeGreaterThan(10);
    for (const p of patterns) expect(() => new RegExp(p), p).not.toThrow();
    for (const p of patterns) expect(p, p).not.toMatch(/\/[a-z]+$|\\p\{/);
  });

  it("accepts the bodies of real requests the API accepted, and refuses a control character like the API", async () => {
    const sent: { method: string; template: string; body: unknown; status: number }[] = [];
    const call = async (method: string, template: string, path: string, body: unknown) => {
      const res = await ada.call(method.toUpperCase(), path, body);
      sent.push({ method, template, body, status: res.status });
      return res;
    };
    const stamp = Date.now().toString(36);
    const monitor = await call("post", "/v1/monitors", "/v1/monitors", { name: "Marketing site", url: "http://127.0.0.1:9/health", intervalSec: 60, slug: `m-${stamp}` });
    await call("patch", "/v1/monitors/{id}", `/v1/monitors/${monitor.body.id}`, { name: "Marketing site (EU)" });
    await call("post", "/v1/orgs", "/v1/orgs", { name: "Acme Ops" });
    await call("patch", "/v1/org", "/v1/org", { name: "Ada's org" });
    const page = await call("post", "/v1/status-pages", "/v1/status-pages", { slug: `p-${stamp}`, title: "Acme", description: "Everything Acme runs", timeZone: "Europe/Berlin" });
    const pageId = page.body.id;
    await call("patch", "/v1/status-pages/{pageId}", `/v1/status-pages/${pageId}`, { title: "Acme Cloud" });
    const group = await call("post", "/v1/status-pages/{pageId}/groups", `/v1/status-pages/${pageId}/groups`, { name: "Services" });
    await call("patch", "/v1/status-pages/{pageId}/groups/{groupId}", `/v1/status-pages/${pageId}/groups/${group.body.id}`, { name: "Core services" });
    const component = await call("post", "/v1/status-pages/{pageId}/components", `/v1/status-pages/${pageId}/components`, { name: "API", groupId: group.body.id, monitorId: monitor.body.id });
    await call("patch", "/v1/status-pages/{pageId}/components/{componentId}", `/v1/status-pages/${pageId}/components/${component.body.id}`, { name: "Public API" });
    const incident = await call("post", "/v1/status-pages/{pageId}/incidents", `/v1/status-pages/${pageId}/incidents`, {
      title: "Slow responses",
      impact: "minor",
      componentIds: [component.body.id],
      update: { message: "We are looking into it.", status: "investigating" },
    });
    await call("patch", "/v1/status-pages/{pageId}/incidents/{incidentId}", `/v1/status-pages/${pageId}/incidents/${incident.body.id}`, { title: "Slow API responses" });
    await call("post", "/v1/status-pages/{pageId}/incidents/{incidentId}/updates", `/v1/status-pages/${pageId}/incidents/${incident.body.id}/updates`, {
      message: "Fixed.\nWe keep watching.",
      status: "resolved",
    });
    const starts = Date.now() + 86_400_000;
    await call("post", "/v1/status-pages/{pageId}/maintenance", `/v1/status-pages/${pageId}/maintenance`, {
      title: "Database upgrade",
      message: "A new major version.",
      startsAt: new Date(starts).toISOString(),
      endsAt: new Date(starts + 3_600_000).toISOString(),
      componentIds: [component.body.id],
    });

    const accepted = sent.filter((r) => r.status >= 200 && r.status < 300);
    expect(accepted.map((r) => `${r.method} ${r.template} ${r.status}`)).toHaveLength(sent.length);
    for (const r of accepted) expect(check(r.method, r.template, r.body), `${r.method} ${r.template} ${JSON.stringify(r.body)}`).toEqual([]);

    // the rule the patterns carry, seen the same way by the API and by ajv
    const withCr = { name: "Evil\rBcc: x", url: "http://127.0.0.1:9/" };
    expect((await ada.call("POST", "/v1/monitors", withCr)).status).toBe(400);
    expect(check("post", "/v1/monitors", withCr)).not.toEqual([]);
  }, 60_000);
});
