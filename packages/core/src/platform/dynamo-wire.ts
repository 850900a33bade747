export * as DynamoWire from "./dynamo-wire";

import http from "node:http";
import https from "node:https";
import { BatchGetItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { config, onConfigReload } from "./config";
import { environmentCredentials, signJsonRequest, type Credentials } from "./sigv4";
import { dynamo, localCredentials, throughWatchers } from "./table";

/**
 * GetItem, PutItem, UpdateItem and BatchGetItem as one signed HTTP request each, for the checker's hot path
 * (a cohort's result slot and live item, several requests per 100 checks). The SDK runs a
 * middleware stack, endpoint rules, an async signer and a retry strategy around every call, which
 * a Lambda's CPU share pays for: a request cost 0.61-0.88 ms of CPU through it on the bench
 * machine, 0.11-0.19 ms through this (BENCHMARKS.md §2, "One hot-path DynamoDB request, by
 * client"). What the SDK gives that matters here is kept:
 * retries with backoff for throttling, 5xx and broken connections; errors named as the SDK
 * names them (ConditionalCheckFailedException, ...); DynamoDB's own endpoint per region.
 *
 * Inputs and outputs are in document form, as the SDK's document client takes them. Without
 * credentials in the environment (not in Lambda, no emulator) every call goes through the SDK
 * client instead, whose credential chain knows more places to look.
 */

type Doc = Record<string, any>;
type Op = "GetItem" | "PutItem" | "UpdateItem" | "BatchGetItem";

const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 50;
/** A request with no answer by then is abandoned and tried again (DynamoDB answers in milliseconds). */
const REQUEST_TIMEOUT_MS = 5000;

const RETRYABLE_TYPES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "LimitExceededException",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionInProgressException",
]);

interface Wire {
  url: URL;
  region: string;
  credentials: Credentials;
  agent: http.Agent;
}

let wire: Wire | null | undefined;
onConfigReload(() => {
  wire?.agent.destroy();
  wire = undefined;
});

function current(): Wire | null {
  if (wire === undefined) {
    const c = config();
    const credentials = c.DYNAMODB_ENDPOINT ? localCredentials : environmentCredentials();
    if (!credentials) return (wire = null);
    const url = new URL(c.DYNAMODB_ENDPOINT ?? `https://dynamodb.${c.AWS_REGION}.amazonaws.com/`);
    // As the SDK's handler: connections kept open between requests (and invocations), 50 at most.
    const agent = new (url.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 50 });
    wire = { url, region: c.AWS_REGION, credentials, agent };
  }
  return wire;
}

/** An error as the SDK would throw it: `name` is DynamoDB's error type. */
export class DynamoError extends Error {
  constructor(
    public readonly name: string,
    message: string,
    public readonly $metadata: { httpStatusCode?: number; requestId?: string },
  ) {
    super(message);
  }
  get retryable(): boolean {
    return RETRYABLE_TYPES.has(this.name) || (this.$metadata.httpStatusCode ?? 0) >= 500;
  }
}

/** Node's errors for a connection that broke or never answered: the request may be sent again. */
const isNetworkError = (err: unknown) => !(err instanceof DynamoError) && typeof (err as NodeJS.ErrnoException)?.code === "string";

function once(w: Wire, op: Op, body: string): Promise<Doc> {
  const headers = signJsonRequest(
    { service: "dynamodb", region: w.region, host: w.url.host, path: "/", target: `DynamoDB_20120810.${op}`, contentType: "application/x-amz-json-1.0", body },
    w.credentials,
  );
  return new Promise((resolve, reject) => {
    const req = (w.url.protocol === "https:" ? https : http).request(
      { protocol: w.url.protocol, hostname: w.url.hostname, port: w.url.port, path: "/", method: "POST", agent: w.agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(parts).toString("utf8");
          let json: Doc = {};
          try {
            json = text ? JSON.parse(text) : {};
          } catch {
            // a proxy's or load balancer's page: the status says what happened
          }
          const status = res.statusCode ?? 0;
          if (status === 200) return resolve(json);
          const type = String(json.__type ?? "").split("#").pop() || (status >= 500 ? "InternalServerError" : "UnknownError");
          reject(new DynamoError(type, String(json.message ?? json.Message ?? `DynamoDB answered ${status}`), { httpStatusCode: status, requestId: String(res.headers["x-amzn-requestid"] ?? "") || undefined }));
        });
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("DynamoDB request timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end(body);
  });
}

/** The wait before another attempt: full jitter, as the SDK's standard retry mode. */
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * BASE_DELAY_MS * 2 ** attempt));

async function call(op: Op, input: Doc): Promise<Doc> {
  const w = current()!;
  const body = JSON.stringify(input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(w, op, body);
    } catch (err) {
      const again = attempt < MAX_ATTEMPTS && ((err instanceof DynamoError && err.retryable) || isNetworkError(err));
      if (!again) throw err;
      await backoff(attempt);
    }
  }
}

const marshalled = (doc: Doc | undefined) => (doc === undefined ? undefined : marshall(doc, { removeUndefinedValues: true }));

/** The document-form input in DynamoDB's own form. */
function lowLevel(input: Doc): Doc {
  const out: Doc = { ...input };
  if (input.Item) out.Item = marshalled(input.Item);
  if (input.Key) out.Key = marshalled(input.Key);
  if (input.ExpressionAttributeValues) out.ExpressionAttributeValues = marshalled(input.ExpressionAttributeValues);
  return out;
}

const SDK_COMMANDS = { GetItem: GetItemCommand, PutItem: PutItemCommand, UpdateItem: UpdateItemCommand, BatchGetItem: BatchGetItemCommand };

/** Sends a request in DynamoDB's own form; without credentials of our own the SDK sends it (its middleware shows it to the watchers). */
async function sendLowLevel(op: Op, input: Doc): Promise<Doc> {
  if (current()) return throughWatchers(`${op}Command`, input, (i) => call(op, i));
  return (await dynamo().send(new (SDK_COMMANDS[op] as any)(input))) as Doc;
}

/** Sends a single-item request given in document form; the item in the answer comes back in document form. */
async function send(op: Op, input: Doc): Promise<Doc> {
  const out = await sendLowLevel(op, lowLevel(input));
  if (out.Item) out.Item = unmarshall(out.Item);
  if (out.Attributes) out.Attributes = unmarshall(out.Attributes);
  return out;
}

export const get = (input: Doc) => send("GetItem", input) as Promise<{ Item?: Doc; ConsumedCapacity?: { CapacityUnits?: number } }>;
export const put = (input: Doc) => send("PutItem", input) as Promise<{ Attributes?: Doc; ConsumedCapacity?: { CapacityUnits?: number } }>;
export const update = (input: Doc) => send("UpdateItem", input) as Promise<{ Attributes?: Doc; ConsumedCapacity?: { CapacityUnits?: number } }>;

/**
 * BatchGetItem of up to 100 keys of one table. Keys DynamoDB leaves unprocessed (it may, under
 * load) are asked for again, up to three requests in all; those still unread are returned as such.
 */
export async function batchGet(input: { TableName: string; Keys: Doc[]; ConsistentRead?: boolean }): Promise<{ Items: Doc[]; Unread: Doc[] }> {
  const items: Doc[] = [];
  let keys = input.Keys.map((k) => marshalled(k)!);
  for (let attempt = 1; keys.length > 0; attempt++) {
    const out = await sendLowLevel("BatchGetItem", { RequestItems: { [input.TableName]: { Keys: keys, ...(input.ConsistentRead && { ConsistentRead: true }) } } });
    for (const item of out.Responses?.[input.TableName] ?? []) items.push(unmarshall(item));
    keys = out.UnprocessedKeys?.[input.TableName]?.Keys ?? [];
    if (keys.length === 0 || attempt >= MAX_ATTEMPTS) break;
    await backoff(attempt);
  }
  return { Items: items, Unread: keys.map((k) => unmarshall(k)) };
}
