import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { environmentCredentials, signJsonRequest, type Credentials, type JsonRequest } from "./sigv4";

// The SDK's own signer is the reference: whatever it signs, ours must sign the same.
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData) => (typeof d === "string" ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret ? createHmac("sha256", bytes(secret)) : createHash("sha256");
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

async function sdkAuthorization(req: JsonRequest, credentials: Credentials, at: Date): Promise<string> {
  const [hostname, port] = req.host.split(":");
  const signer = new SignatureV4({ service: req.service, region: req.region, sha256: Sha256, credentials, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "https:",
      hostname: hostname!,
      port: port ? Number(port) : undefined,
      path: req.path,
      headers: { host: req.host, "content-type": req.contentType, "x-amz-target": req.target },
      body: req.body,
    },
    { signingDate: at },
  );
  return signed.headers.authorization!;
}

const request: JsonRequest = {
  service: "dynamodb",
  region: "eu-central-1",
  host: "dynamodb.eu-central-1.amazonaws.com",
  path: "/",
  target: "DynamoDB_20120810.PutItem",
  contentType: "application/x-amz-json-1.0",
  body: JSON.stringify({ TableName: "t", Item: { pk: { S: "ünïcödé ✓" } } }),
};

describe("signJsonRequest", () => {
  it("signs as the SDK's SigV4 signer does, with and without a session token, for any day, region and port", async () => {
    const cases: Array<[JsonRequest, Credentials, Date]> = [
      [request, { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, new Date("2026-12-06T08:00:00.123Z")],
      [request, { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "other/secret", sessionToken: "IQoJb3JpZ2luX2VjE//token==" }, new Date("2027-01-01T00:00:00Z")],
      // the key derived for the day before must not be reused
      [request, { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "other/secret" }, new Date("2026-12-31T23:59:59Z")],
      [{ ...request, service: "ssm", region: "us-east-1", host: "127.0.0.1:4566", target: "AmazonSSM.GetParameters", contentType: "application/x-amz-json-1.1", body: "{}" }, { accessKeyId: "local", secretAccessKey: "local" }, new Date("2026-06-01T12:00:00Z")],
    ];
    for (const [req, credentials, at] of cases) {
      const ours = signJsonRequest(req, credentials, at);
      expect(ours.authorization).toBe(await sdkAuthorization(req, credentials, at));
      expect(ours["x-amz-date"]).toBe(at.toISOString().replace(/[-:]|\.\d{3}/g, ""));
      expect(ours["x-amz-security-token"]).toBe(credentials.sessionToken);
    }
  });

  it("changes the signature with the body", () => {
    const credentials = { accessKeyId: "a", secretAccessKey: "b" };
    const at = new Date("2026-12-06T08:00:00Z");
    expect(signJsonRequest(request, credentials, at).authorization).not.toBe(signJsonRequest({ ...request, body: "{}" }, credentials, at).authorization);
  });
});

describe("environmentCredentials", () => {
  it("takes Lambda's variables, the session token when there is one, and nothing without a secret", () => {
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_SESSION_TOKEN: "c" })).toEqual({ accessKeyId: "a", secretAccessKey: "b", sessionToken: "c" });
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b" })).toEqual({ accessKeyId: "a", secretAccessKey: "b" });
    expect(environmentCredentials({ AWS_ACCESS_KEY_ID: "a" })).toBeUndefined();
  });
});
