import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
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

const tableBound: Array<{ setTableName(name: string): void }> = [];
onConfigReload(() => {
  for (const e of tableBound) e.setTableName(config().TABLE_NAME);
});

export function entityOptions() {
  return { client: electroClient, table: process.env.TABLE_NAME || "uptime-local" };
}

/** Entities register so a config reload re-points them at TABLE_NAME. */
export function bindToTable<T extends { setTableName(name: string): void }>(entity: T): T {
  tableBound.push(entity);
  return entity;
}

/**
 * ElectroDB cursors are the encoded LastEvaluatedKey. One from another listing (or forged)
 * would make DynamoDB reject the query, a 500; checking that it names the same partition as
 * the query makes it a 400, and means a cursor can never reach into someone else's partition.
 */
export function assertCursorFor(
  cursor: string | null | undefined,
  params: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> },
) {
  if (!cursor) return;
  const bad = () => new VisibleError("invalid", "invalid_cursor", "The cursor does not belong to this listing");
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  const names = params.ExpressionAttributeNames ?? {};
  const field = names["#pk"];
  if (!key || typeof key !== "object" || !field || (key as Record<string, unknown>)[field] !== params.ExpressionAttributeValues?.[":pk"]) {
    throw bad();
  }
  // Exactly the table's and the index's key attributes, all strings: anything else is refused by DynamoDB (a 500).
  const expected = new Set([tableSchema.primaryIndex.partitionKey, tableSchema.primaryIndex.sortKey, field, names["#sk1"]].filter(Boolean));
  const entries = Object.entries(key as Record<string, unknown>);
  if (entries.length !== expected.size || entries.some(([k, v]) => !expected.has(k) || typeof v !== "string")) throw bad();
}
