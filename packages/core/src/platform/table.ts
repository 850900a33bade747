import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createConversions, type Entity } from "electrodb";
import { config, onConfigReload } from "./config";
import { VisibleError } from "./errors";

/**
 * The single table, defined once. The SST stack (stacks/Storage.ts) and the local
 * runtime (packages/local) both build the table from this, so they cannot drift.
 * Keys stay generic; entities name their indexes for the access pattern they serve.
 */
export const tableSchema = {
  fields: {
    pk: "string",
    sk: "string",
    gsi1pk: "string",
    gsi1sk: "string",
    gsi2pk: "string",
    gsi2sk: "string",
  },
  primaryIndex: { partitionKey: "pk", sortKey: "sk" },
  globalIndexes: {
    gsi1: { partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    gsi2: { partitionKey: "gsi2pk", sortKey: "gsi2sk" },
  },
  /** Epoch seconds; DynamoDB deletes expired items (check results, sessions, throttles). */
  timeToLiveAttribute: "expiresAt",
} as const;

/** CreateTable input for emulators; mirrors what the SST Table construct creates. */
export function createTableInput(tableName: string) {
  const attr = Object.entries(tableSchema.fields).map(([AttributeName]) => ({
    AttributeName,
    AttributeType: "S" as const,
  }));
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: attr,
    KeySchema: [
      { AttributeName: tableSchema.primaryIndex.partitionKey, KeyType: "HASH" as const },
      { AttributeName: tableSchema.primaryIndex.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: Object.entries(tableSchema.globalIndexes).map(([IndexName, idx]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: idx.partitionKey, KeyType: "HASH" as const },
        { AttributeName: idx.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
  };
}

/** Emulators accept any credentials; these keep the SDK from looking for real ones. */
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" };

let client: DynamoDBClient | undefined;
let docClient: DynamoDBDocumentClient | undefined;
onConfigReload(() => {
  client = undefined;
  docClient = undefined;
});

/**
 * Sees every DynamoDB request, whichever client sends it (the SDK's, or platform/dynamo-wire.ts on
 * the checker's hot path): `next` sends it (with the input as the watcher passes it on) and
 * returns DynamoDB's answer. Commands are named as the SDK names them ("PutItemCommand"); inputs
 * may be in document or attribute-value form. For tests and the bench, which count and meter.
 */
export type DynamoWatcher = (command: string, input: any, next: (input: any) => Promise<any>) => Promise<any>;
const watchers: DynamoWatcher[] = [];

/** Adds a watcher; the function returned removes it. */
export function watchDynamo(watcher: DynamoWatcher): () => void {
  watchers.push(watcher);
  return () => {
    const i = watchers.indexOf(watcher);
    if (i >= 0) watchers.splice(i, 1);
  };
}

/** Sends `input` through every watcher, the first added outermost, and then through `send`. */
export function throughWatchers(command: string, input: any, send: (input: any) => Promise<any>): Promise<any> {
  let next = send;
  for (let i = watchers.length - 1; i >= 0; i--) {
    const watcher = watchers[i]!;
    const inner = next;
    next = (x) => watcher(command, x, inner);
  }
  return next(input);
}

/** Created once per container, outside handlers. */
export function dynamo(): DynamoDBClient {
  if (!client) {
    const c = config();
    client = new DynamoDBClient({
      region: c.AWS_REGION,
      ...(c.DYNAMODB_ENDPOINT
        ? { endpoint: c.DYNAMODB_ENDPOINT, credentials: localCredentials }
        : {}),
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (watchers.length === 0) return next(args);
        let response: Awaited<ReturnType<typeof next>> | undefined;
        await throughWatchers(context.commandName ?? "unknown", args.input, async (input) => {
          response = await next({ ...args, input });
          return response.output;
        });
        return response!;
      },
      { step: "initialize", name: "watchers" },
    );
  }
  return client;
}

export function documentClient(): DynamoDBDocumentClient {
  if (!docClient) {
    docClient = DynamoDBDocumentClient.from(dynamo(), { marshallOptions: { removeUndefinedValues: true } });
  }
  return docClient;
}

export const tableName = () => config().TABLE_NAME;

/**
 * What every ElectroDB entity is built with. The client is a thin forwarder so entities can
 * be declared at module load while the real client is created lazily from config (the local
 * runtime chooses its endpoints after start-up).
 */
export const electroClient = {
  send: (command: any) => documentClient().send(command),
};

const tableBound: Array<(name: string) => void> = [];
onConfigReload(() => {
  for (const setTableName of tableBound) setTableName(config().TABLE_NAME);
});

export function entityOptions() {
  return { client: electroClient, table: process.env.TABLE_NAME || "uptime-local" };
}

/** Entities register so a config reload re-points them at TABLE_NAME. */
export function bindToTable<T extends { setTableName(name: string): void }>(entity: T): T {
  tableBound.push((name) => entity.setTableName(name));
  return entity;
}

/**
 * An entity built on first use, bound to the table like bindToTable's. Building an ElectroDB entity
 * validates its model against ElectroDB's JSON schema (twice), some milliseconds each on a cold
 * Lambda; shared modules bring dozens of entities into every function, which touches a few per
 * request, so building them all at import was about a third of cold init (BENCHMARKS.md section 6).
 */
export function lazyEntity<T extends { setTableName(name: string): void }>(build: () => T): T {
  let entity: T | undefined;
  let reloadedName: string | undefined;
  tableBound.push((name) => (entity ? entity.setTableName(name) : (reloadedName = name)));
  const built = (): T => {
    if (!entity) {
      entity = build();
      if (reloadedName !== undefined) entity.setTableName(reloadedName);
    }
    return entity;
  };
  // Every operation reaches the entity (methods run with `this` = the proxy, and ElectroDB keeps no
  // private fields), so a spy or a property defined on the proxy lands on the entity itself.
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(built(), key),
    set: (_, key, value) => Reflect.set(built(), key, value),
    has: (_, key) => Reflect.has(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
    ownKeys: () => Reflect.ownKeys(built()),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(built(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(built(), key),
    // A proxy may not report a non-configurable property its empty target lacks.
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(built(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

/** What assertCursorFor needs of a query: ElectroDB's `query.<pattern>(...).params()`. */
export interface QueryParams {
  KeyConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** DynamoDB's limits on key attribute values, in UTF-8 bytes. */
const MAX_PARTITION_KEY_BYTES = 2048;
const MAX_SORT_KEY_BYTES = 1024;

/** DynamoDB orders string keys by their UTF-8 bytes. */
const compareKeys = (a: string, b: string) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/** Whether `sk` lies inside the sort key condition ElectroDB wrote for the query. */
function withinKeyCondition(sk: string, params: QueryParams): boolean {
  const expr = params.KeyConditionExpression ?? "";
  const v = (name: string) => params.ExpressionAttributeValues?.[name];
  const m = /^#pk = :pk(?: and (.+))?$/.exec(expr);
  if (!m) throw new Error(`assertCursorFor does not know the key condition "${expr}"`);
  const cond = m[1];
  if (!cond) return true;
  const lo = v(":sk1");
  const hi = v(":sk2");
  if (typeof lo !== "string") throw new Error(`assertCursorFor does not know the key condition "${expr}"`);
  if (cond === "begins_with(#sk1, :sk1)") return sk.startsWith(lo);
  if (cond === "#sk1 BETWEEN :sk1 AND :sk2" && typeof hi === "string") return compareKeys(sk, lo) >= 0 && compareKeys(sk, hi) <= 0;
  const c = compareKeys(sk, lo);
  switch (cond) {
    case "#sk1 = :sk1": return c === 0;
    case "#sk1 < :sk1": return c < 0;
    case "#sk1 <= :sk1": return c <= 0;
    case "#sk1 > :sk1": return c > 0;
    case "#sk1 >= :sk1": return c >= 0;
  }
  throw new Error(`assertCursorFor does not know the key condition "${expr}"`);
}

export const badCursor = () => new VisibleError("invalid", "invalid_cursor", "The cursor does not belong to this listing");

/** A cursor's JSON object (cursors are base64url JSON); anything else is a 400. */
export function cursorObject(cursor: string): Record<string, unknown> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (!key || typeof key !== "object" || Array.isArray(key)) throw badCursor();
  return key as Record<string, unknown>;
}

/**
 * ElectroDB cursors are the encoded LastEvaluatedKey, which a client can forge. DynamoDB
 * refuses (a 500) a start key that is malformed, oversized or outside the query's key
 * condition, and would happily start in another partition. So a cursor is accepted only if it
 * is exactly the key ElectroDB writes for some item of this access pattern: the query's
 * partition, composite attributes of the right type (numbers are epoch ms here, strings hold
 * no key delimiter), a sort key inside the query's range. Anything else is a 400.
 */
export function assertCursorFor(
  cursor: string | null | undefined,
  entity: Entity<any, any, any, any>,
  accessPattern: string,
  params: QueryParams,
) {
  if (!cursor) return;
  const bad = badCursor;
  const given = cursorObject(cursor);
  const names = params.ExpressionAttributeNames ?? {};
  const pkField = names["#pk"];
  const skField = names["#sk1"];
  if (!pkField || given[pkField] !== params.ExpressionAttributeValues?.[":pk"]) throw bad();

  const { partitionKey, sortKey } = tableSchema.primaryIndex;
  const partitionFields = new Set([partitionKey, pkField]);
  const expected = new Set([partitionKey, sortKey, pkField, skField].filter((f): f is string => !!f));
  const entries = Object.entries(given);
  if (entries.length !== expected.size) throw bad();
  for (const [field, value] of entries) {
    if (!expected.has(field) || typeof value !== "string" || value.length === 0) throw bad();
    const limit = partitionFields.has(field) ? MAX_PARTITION_KEY_BYTES : MAX_SORT_KEY_BYTES;
    if (Buffer.byteLength(value, "utf8") > limit) throw bad();
  }
  const keys = given as Record<string, string>;
  if (skField && !withinKeyCondition(keys[skField]!, params)) throw bad();

  // Round trip through ElectroDB: the composite attributes it reads back must write the very same keys.
  let rebuilt: Record<string, unknown>;
  try {
    const pattern = createConversions(entity).byAccessPattern[accessPattern]!;
    const composite = pattern.fromKeys.toComposite(keys) as Record<string, unknown>;
    for (const value of Object.values(composite)) {
      const ok = typeof value === "number" ? Number.isSafeInteger(value) && value >= 0 : typeof value === "string" && value.length > 0 && !value.includes("#");
      if (!ok) throw bad();
    }
    rebuilt = JSON.parse(Buffer.from(pattern.fromComposite.toCursor(composite as never), "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (Object.keys(rebuilt).length !== expected.size || entries.some(([field, value]) => rebuilt[field] !== value)) throw bad();
}

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_WRITE_MAX = 25;

/**
 * Deletes every item a paged key query yields, one batch of keys at a time, so memory and each
 * request stay small whatever the count. BatchWriteItem may leave requests unprocessed (throttling):
 * those are retried with backoff before the next page is read.
 */
export async function deleteAllPaged<K>(
  pageOf: (cursor: string | null) => Promise<{ data: K[]; cursor: string | null }>,
  deleteBatch: (keys: K[]) => Promise<{ unprocessed: unknown[] }>,
  opts: { attempts?: number; backoffMs?: number } = {},
): Promise<number> {
  const attempts = opts.attempts ?? 6;
  let deleted = 0;
  let cursor: string | null = null;
  do {
    const page: { data: K[]; cursor: string | null } = await pageOf(cursor);
    for (let start = 0; start < page.data.length; start += BATCH_WRITE_MAX) {
      let pending = page.data.slice(start, start + BATCH_WRITE_MAX);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= attempts) throw new Error(`${pending.length} deletes still unprocessed after ${attempt} attempts`);
        if (attempt > 0) await new Promise((r) => setTimeout(r, (opts.backoffMs ?? 50) * 2 ** attempt));
        const { unprocessed } = await deleteBatch(pending);
        deleted += pending.length - unprocessed.length;
        pending = unprocessed as K[];
      }
    }
    cursor = page.cursor;
  } while (cursor);
  return deleted;
}
