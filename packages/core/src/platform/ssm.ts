import { environmentCredentials, signJsonRequest } from "./sigv4";

/**
 * SSM GetParameters as one signed HTTPS request. The full SSM client adds ~240 KB to every API
 * function for a call made once per cold start. Credentials are the Lambda's (environment
 * variables, always set in Lambda).
 */

export interface Parameter {
  Name: string;
  Value: string;
}

/** One AWS JSON-protocol call (x-amz-json-1.1), SigV4-signed with the Lambda's credentials; the answer's status and text. */
export async function awsJsonCall(opts: { service: string; target: string; region: string; endpoint: URL; body: string }) {
  const credentials = environmentCredentials();
  if (!credentials) throw new Error(`No AWS credentials in the environment to call ${opts.service}`);
  const { endpoint, body } = opts;
  const { host, ...headers } = signJsonRequest(
    { service: opts.service, region: opts.region, host: endpoint.host, path: endpoint.pathname, target: opts.target, contentType: "application/x-amz-json-1.1", body },
    credentials,
  );
  // fetch sends the same Host (the endpoint's host and port) itself
  const res = await fetch(endpoint, { method: "POST", headers, body });
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
