import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * SSM GetParameters as one signed HTTPS request. The full SSM client adds ~240 KB to every API
 * function for a call made once per cold start; SigV4 comes from the same @smithy signer the
 * SDK uses. Credentials are the Lambda's (environment variables, always set in Lambda).
 */
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

export interface Parameter {
  Name: string;
  Value: string;
}

/** One AWS JSON-protocol call (x-amz-json-1.1), SigV4-signed with the Lambda's credentials; the answer's status and text. */
export async function awsJsonCall(opts: { service: string; target: string; region: string; endpoint: URL; body: string }) {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error(`No AWS credentials in the environment to call ${opts.service}`);
  const { endpoint, body } = opts;
  const signer = new SignatureV4({
    service: opts.service,
    region: opts.region,
    sha256: Sha256,
    credentials: { accessKeyId, secretAccessKey, sessionToken: process.env.AWS_SESSION_TOKEN },
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: endpoint.pathname,
    headers: { host: endpoint.host, "content-type": "application/x-amz-json-1.1", "x-amz-target": opts.target },
    body,
  });
  const res = await fetch(endpoint, { method: "POST", headers: signed.headers as Record<string, string>, body });
  return { ok: res.ok, status: res.status, text: await res.text() };
}

export async function getParameters(names: string[], region: string): Promise<Parameter[]> {
  // The SDK's own variable for a service endpoint, so tests can point this at a local stand-in.
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_SSM ?? `https://ssm.${region}.amazonaws.com/`);
  const body = JSON.stringify({ Names: names, WithDecryption: true });
  const res = await awsJsonCall({ service: "ssm", target: "AmazonSSM.GetParameters", region, endpoint, body });
  if (!res.ok) throw new Error(`SSM GetParameters answered ${res.status}: ${res.text.slice(0, 300)}`);
  return ((JSON.parse(res.text) as { Parameters?: Parameter[] }).Parameters ?? []);
}
