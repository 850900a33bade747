/**
 * Fidelity check (FIDELITY.md): a DynamoDB proxy that makes global secondary indexes lag behind
 * the table, as they do in real DynamoDB (dynalite and DynamoDB Local update them synchronously).
 *
 *   npx tsx packages/local/src/gsi-lag-proxy.ts <port> <upstream, e.g. http://127.0.0.1:8765> [lagMs=1000]
 *   LOCAL_DYNAMODB_ENDPOINT=http://127.0.0.1:<port> npx vitest run packages
 *
 * Every table T created through the proxy gets a shadow table T__gsilag with the same schema.
 * Table reads and writes go to T unchanged; each successful write is copied to the shadow lagMs
 * later (by re-reading the item consistently, per key in order, so the shadow converges), and
 * Query/Scan with an IndexName are answered from the shadow's index. A test that fails only
 * behind this proxy reads an index right after writing what it expects to find there.
 */
import { createServer } from "node:http";

const [portArg, upstream, lagArg] = process.argv.slice(2);
if (!portArg || !upstream) {
  console.error("usage: gsi-lag-proxy.ts <port> <upstream endpoint> [lagMs]");
  process.exit(2);
}
const LAG_MS = Number(lagArg ?? 1000);
const SUFFIX = "__gsilag";
/** The key attributes of every table made from createTableInput. */
const KEY = ["pk", "sk"];
type Item = Record<string, unknown>;

async function call(target: string, body: unknown): Promise<any> {
  const res = await fetch(upstream!, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${target}`,
      // Emulators do not check signatures, but want the header.
      authorization: "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${target}: ${JSON.stringify(json)}`);
  return json;
}

const chains = new Map<string, Promise<void>>();
function copyLater(table: string, item: Item | undefined) {
  if (!item) return;
  const key = Object.fromEntries(KEY.filter((k) => item[k]).map((k) => [k, item[k]]));
  const id = `${table}|${JSON.stringify(key)}`;
  setTimeout(() => {
    const next = (chains.get(id) ?? Promise.resolve())
      .then(async () => {
        const { Item } = await call("GetItem", { TableName: table, Key: key, ConsistentRead: true });
        if (Item) await call("PutItem", { TableName: table + SUFFIX, Item });
        else await call("DeleteItem", { TableName: table + SUFFIX, Key: key });
      })
      .catch((err: Error) => {
        // The table (and its shadow) may be gone by now.
        if (!/ResourceNotFound/.test(err.message)) console.error("copy failed", id, err.message);
      });
    chains.set(id, next);
    void next.then(() => chains.get(id) === next && chains.delete(id));
  }, LAG_MS);
}

const server = createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  let raw = Buffer.concat(chunks).toString("utf8");
  const op = String(req.headers["x-amz-target"] ?? "").split(".")[1];
  try {
    const body = raw ? JSON.parse(raw) : {};
    if ((op === "Query" || op === "Scan") && body.IndexName) {
      body.TableName += SUFFIX;
      raw = JSON.stringify(body);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length") headers[k] = v;
    const up = await fetch(upstream!, { method: "POST", headers, body: raw });
    const text = await up.text();
    if (up.ok) {
      if (op === "CreateTable") await call("CreateTable", { ...body, TableName: body.TableName + SUFFIX });
      if (op === "DeleteTable") await call("DeleteTable", { TableName: body.TableName + SUFFIX }).catch(() => {});
      if (op === "PutItem") copyLater(body.TableName, body.Item);
      if (op === "UpdateItem" || op === "DeleteItem") copyLater(body.TableName, body.Key);
      if (op === "BatchWriteItem") {
        // Unprocessed requests are retried by the caller and copied then.
        const unprocessed = JSON.stringify(JSON.parse(text).UnprocessedItems ?? {});
        for (const [table, reqs] of Object.entries(body.RequestItems ?? {}) as Array<[string, any[]]>) {
          for (const r of reqs) if (!unprocessed.includes(JSON.stringify(r))) copyLater(table, r.PutRequest?.Item ?? r.DeleteRequest?.Key);
        }
      }
      if (op === "TransactWriteItems") {
        for (const t of body.TransactItems ?? []) {
          const w = t.Put ?? t.Update ?? t.Delete;
          if (w) copyLater(w.TableName, w.Item ?? w.Key);
        }
      }
    }
    const out: Record<string, string> = {};
    for (const h of ["content-type", "x-amz-crc32", "x-amzn-requestid"]) {
      const v = up.headers.get(h);
      if (v) out[h] = v;
    }
    res.writeHead(up.status, out);
    res.end(text);
  } catch (err) {
    console.error("proxy error", op, err);
    res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
    res.end(JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: String(err) }));
  }
});
server.listen(Number(portArg), "127.0.0.1", () => console.log(`GSI-lag proxy on http://127.0.0.1:${portArg} -> ${upstream}, indexes ${LAG_MS} ms behind`));
