import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it } from "vitest";
import { putEvent } from "./eventbridge";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

it("puts one entry on the named bus with a SigV4-signed AWSEvents.PutEvents call, and reports a refused entry", async () => {
  const seen: Array<{ headers: Record<string, unknown>; body: any }> = [];
  let answer = { FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: JSON.parse(body) });
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  try {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    });
    const entry = { EventBusName: "test-uptime-alerts", Source: "uptime", DetailType: "monitor.down", Detail: JSON.stringify({ type: "monitor.down" }) };
    expect(await putEvent("eu-west-1", entry)).toMatchObject({ ok: true, status: 200 });
    expect(seen[0]!.body).toEqual({ Entries: [entry] });
    expect(seen[0]!.headers["x-amz-target"]).toBe("AWSEvents.PutEvents");
    expect(String(seen[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/events\/aws4_request/);
    answer = { FailedEntryCount: 1, Entries: [{ ErrorCode: "NotAuthorized" } as never] };
    expect((await putEvent("eu-west-1", entry)).ok).toBe(false);
  } finally {
    server.close();
  }
});
