import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { jwtSecret, reloadConfig } from "./config";

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  reloadConfig();
});

const text = (key: Uint8Array) => new TextDecoder().decode(key);

describe("jwtSecret", () => {
  it("prefers JWT_SECRET (local)", async () => {
    process.env.JWT_SECRET = "l".repeat(40);
    process.env.SST_Secret_value_JWT_SECRET = "b".repeat(40);
    reloadConfig();
    expect(text(await jwtSecret())).toBe("l".repeat(40));
  });

  it("refuses a short secret", async () => {
    process.env.JWT_SECRET = "";
    delete process.env.JWT_SECRET;
    process.env.SST_Secret_value_JWT_SECRET = "short";
    reloadConfig();
    await expect(jwtSecret()).rejects.toThrow(/shorter than 32/);
  });

  // No emulator serves SSM, so a tiny server speaks its JSON protocol for GetParameters.
  it("reads an SST-bound secret from SSM at the stage path, falling back to the app-wide one", async () => {
    const asked: string[][] = [];
    const headers: Record<string, string | string[] | undefined>[] = [];
    const server = createServer((req, res) => {
      headers.push(req.headers);
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const { Names } = JSON.parse(body) as { Names: string[] };
        asked.push(Names);
        res.setHeader("content-type", "application/x-amz-json-1.1");
        res.end(JSON.stringify({ Parameters: [{ Name: Names[1], Value: "f".repeat(48) }], InvalidParameters: [Names[0]] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      delete process.env.JWT_SECRET;
      Object.assign(process.env, {
        SST_Secret_value_JWT_SECRET: "__FETCH_FROM_SSM__",
        SST_APP: "uptime",
        SST_STAGE: "prod",
        SST_REGION: "eu-west-1",
        SST_SSM_PREFIX: "/sst/uptime/prod/",
        AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_SESSION_TOKEN: "session",
      });
      reloadConfig();
      expect(text(await jwtSecret())).toBe("f".repeat(48));
      expect(asked).toEqual([["/sst/uptime/prod/Secret/JWT_SECRET/value", "/sst/uptime/.fallback/Secret/JWT_SECRET/value"]]);
      // Signed as SSM expects: SigV4 for ssm in the function's region, with the session token.
      expect(headers[0]!["x-amz-target"]).toBe("AmazonSSM.GetParameters");
      expect(headers[0]!["x-amz-security-token"]).toBe("session");
      expect(headers[0]!.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/ssm\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
      );
      expect(String(headers[0]!.authorization)).toContain("x-amz-target");
    } finally {
      server.close();
    }
  });
});
