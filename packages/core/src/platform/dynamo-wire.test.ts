import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { reloadConfig } from "./config";
import { DynamoWire } from "./dynamo-wire";
import { isConditionalCheckFailed } from "./errors";
import { watchDynamo } from "./table";

interface Seen {
  headers: IncomingMessage["headers"];
  body: any;
}

const saved = { ...process.env };
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
  process.env = { ...saved };
  reloadConfig();
});

/**
 * A stand-in for DynamoDB answering with `answer(n)` to its n-th request (from 0), set as the
 * table's endpoint, or only as the SDK's (AWS_ENDPOINT_URL_DYNAMODB) when `sdkOnly`.
 */
async function standIn(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void, opts: { sdkOnly?: boolean; env?: Record<string, string> } = {}): Promise<Seen[]> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (c) => (text += c));
    req.on("end", () => {
      seen.push({ headers: req.headers, body: text ? JSON.parse(text) : undefined });
      answer(seen.length - 1, req, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  delete process.env.DYNAMODB_ENDPOINT;
  Object.assign(process.env, opts.sdkOnly ? { AWS_ENDPOINT_URL_DYNAMODB: url } : { DYNAMODB_ENDPOINT: url }, opts.env);
  reloadConfig();
  return seen;
}

const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify(body));
const error = (res: ServerResponse, status: number, type: string, message = type) => json(res, status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

describe("DynamoWire", () => {
  it("speaks DynamoDB's JSON protocol, signed, with values marshalled going out and unmarshalled coming back", async () => {
    const seen = await standIn((_, __, res) => json(res, 200, { Item: { pk: { S: "a" }, n: { N: "5" }, e: { M: { k: { S: "[1,2]" } } } } }));
    const got = await DynamoWire.get({ TableName: "t", Key: { pk: "a", sk: "b" }, ConsistentRead: true });
    expect(got.Item).toEqual({ pk: "a", n: 5, e: { k: "[1,2]" } });
    expect(seen[0]!.headers["x-amz-target"]).toBe("DynamoDB_20120810.GetItem");
    expect(seen[0]!.headers["content-type"]).toBe("application/x-amz-json-1.0");
    expect(String(seen[0]!.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=local\/\d{8}\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
    expect(seen[0]!.body).toEqual({ TableName: "t", Key: { pk: { S: "a" }, sk: { S: "b" } }, ConsistentRead: true });

    await DynamoWire.update({ TableName: "t", Key: { pk: "a", sk: "b" }, UpdateExpression: "SET #a = :a", ExpressionAttributeNames: { "#a": "a" }, ExpressionAttributeValues: { ":a": 7, ":gone": undefined } });
    expect(seen[1]!.headers["x-amz-target"]).toBe("DynamoDB_20120810.UpdateItem");
    expect(seen[1]!.body.ExpressionAttributeValues).toEqual({ ":a": { N: "7" } });
  });

  it("tries a throttled or failed request again, up to three times in all", async () => {
    let seen = await standIn((n, _, res) => (n === 0 ? error(res, 400, "ThrottlingException") : n === 1 ? error(res, 500, "InternalServerError") : json(res, 200, {})));
    await DynamoWire.put({ TableName: "t", Item: { pk: "a" } });
    expect(seen).toHaveLength(3);
    server!.close();

    seen = await standIn((_, __, res) => error(res, 503, "ServiceUnavailable", "try later"));
    const err = await DynamoWire.put({ TableName: "t", Item: { pk: "a" } }).catch((e) => e);
    expect(err).toMatchObject({ name: "ServiceUnavailable", message: "try later", $metadata: { httpStatusCode: 503 } });
    expect(seen).toHaveLength(3);
  });

  it("throws a refused condition at once, named as the SDK names it", async () => {
    const seen = await standIn((_, __, res) => error(res, 400, "ConditionalCheckFailedException", "The conditional request failed"));
    const err = await DynamoWire.put({ TableName: "t", Item: { pk: "a" }, ConditionExpression: "attribute_not_exists(pk)" }).catch((e) => e);
    expect(err.name).toBe("ConditionalCheckFailedException");
    expect(isConditionalCheckFailed(err)).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it("sends a request again on a new connection when the one it used breaks", async () => {
    const seen = await standIn((n, req, res) => (n === 0 ? req.socket.destroy() : json(res, 200, {})));
    await DynamoWire.put({ TableName: "t", Item: { pk: "a" } });
    expect(seen).toHaveLength(2);
  });

  it("shows every request to the watchers, which may change it", async () => {
    const seen = await standIn((_, __, res) => json(res, 200, { ConsumedCapacity: { CapacityUnits: 1 } }));
    const commands: string[] = [];
    const stop = watchDynamo(async (command, input, next) => {
      commands.push(command);
      const out = await next({ ...input, ReturnConsumedCapacity: "TOTAL" });
      expect(out.ConsumedCapacity.CapacityUnits).toBe(1);
      return out;
    });
    try {
      await DynamoWire.put({ TableName: "t", Item: { pk: "a" } });
    } finally {
      stop();
    }
    await DynamoWire.put({ TableName: "t", Item: { pk: "b" } });
    expect(commands).toEqual(["PutItemCommand"]);
    expect(seen.map((s) => s.body.ReturnConsumedCapacity)).toEqual(["TOTAL", undefined]);
  });

  it("reads many keys with BatchGetItem, asking again for those DynamoDB left unprocessed, and says which stayed unread", async () => {
    const key = (n: number) => ({ pk: { S: `p${n}` }, sk: { S: "s" } });
    const item = (n: number) => ({ ...key(n), v: { N: String(n) } });
    // p1 and p2 found at once, p3 unprocessed twice then found, p4 never processed
    const seen = await standIn((n, _, res) =>
      json(res, 200, {
        Responses: { t: n === 0 ? [item(1), item(2)] : n === 2 ? [item(3)] : [] },
        UnprocessedKeys: { t: { Keys: n === 2 ? [key(4)] : [key(3), key(4)] } },
      }),
    );
    const out = await DynamoWire.batchGet({ TableName: "t", Keys: [1, 2, 3, 4].map((n) => ({ pk: `p${n}`, sk: "s" })) });
    expect(out.Items).toEqual([1, 2, 3].map((n) => ({ pk: `p${n}`, sk: "s", v: n })));
    expect(out.Unread).toEqual([{ pk: "p4", sk: "s" }]);
    expect(seen.map((s) => s.headers["x-amz-target"])).toEqual(Array(3).fill("DynamoDB_20120810.BatchGetItem"));
    expect(seen.map((s) => s.body.RequestItems.t.Keys.length)).toEqual([4, 2, 2]);
  });

  it("leaves the request to the SDK when the environment holds no credentials (outside Lambda)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wire-"));
    writeFileSync(path.join(dir, "credentials"), "[default]\naws_access_key_id = FROMFILE\naws_secret_access_key = secret\n");
    const seen = await standIn((_, __, res) => json(res, 200, { Item: { pk: { S: "a" } } }), {
      sdkOnly: true,
      env: {
        AWS_ACCESS_KEY_ID: "",
        AWS_SECRET_ACCESS_KEY: "",
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "credentials"),
        AWS_CONFIG_FILE: path.join(dir, "config"),
        AWS_EC2_METADATA_DISABLED: "true",
      },
    });
    expect((await DynamoWire.get({ TableName: "t", Key: { pk: "a" } })).Item).toEqual({ pk: "a" });
    expect(String(seen[0]!.headers["user-agent"])).toMatch(/aws-sdk-js/);
    expect(String(seen[0]!.headers.authorization)).toMatch(/Credential=FROMFILE\//);
  });
});
