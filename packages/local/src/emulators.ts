import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { config } from "@uptime/core/platform/config";
import { queueSettings, type QueueName } from "@uptime/core/platform/queues";
import { createTableInput, localCredentials } from "@uptime/core/platform/table";
import sesModule from "aws-ses-v2-local";
import dynalite from "dynalite";
import { buildApp } from "fauxqs";

// aws-ses-v2-local is CommonJS with `exports.default`; depending on the loader the function is
// the default import itself or its `.default`.
const startSesServer: typeof sesModule =
  (sesModule as unknown as { default?: typeof sesModule }).default ?? sesModule;

/** Any credentials work against the emulators; the SDK only insists that some exist. */
export { localCredentials };

/**
 * TEST-ONLY knobs: the deployed queues always use `queueSettings`. Tests shorten the visibility
 * timeout (240 s for checks) so redelivery and dead-lettering can be observed in seconds.
 */
export type QueueOverrides = Partial<Record<QueueName, { visibilityTimeoutSec?: number; maxReceiveCount?: number }>>;

export interface EmulatorOptions {
  /** Root directory for persisted data; DynamoDB data lives in `<dataDir>/dynamodb`. Omit for in-memory. */
  dataDir?: string;
  /** Ignore dataDir and keep everything in memory. */
  inMemory?: boolean;
  /** 0 (default) picks a free port. All emulators bind to 127.0.0.1 only. */
  dynamoPort?: number;
  sqsPort?: number;
  mailPort?: number;
  /**
   * Defaults to config().TABLE_NAME. With an external in-memory DynamoDB (see dynamoEndpoint) the
   * default gets a random suffix, so stacks sharing one DynamoDB Local never share a table.
   */
  tableName?: string;
  /**
   * Use this DynamoDB instead of starting dynalite, e.g. DynamoDB Local for a fidelity check
   * (packages/local/FIDELITY.md). Defaults to the LOCAL_DYNAMODB_ENDPOINT environment variable;
   * unset (the default) starts dynalite. The table is still created from createTableInput if absent.
   * dynamoPort and the dataDir's DynamoDB part are then unused. A table given a random suffix is
   * deleted again by stop().
   */
  dynamoEndpoint?: string;
  /** Queue names are `<stage>-checks` etc.; defaults to config().STAGE. */
  stage?: string;
  /** Defaults to config().AWS_REGION; used in queue URLs and ARNs. */
  region?: string;
  queueOverrides?: QueueOverrides;
  log?: (line: string) => void;
}

export interface QueueRef {
  name: string;
  url: string;
  arn: string;
}

export interface EmulatorQueue extends QueueRef {
  dlq: QueueRef;
}

/** Message counts as fauxqs tracks them (not approximations, unlike real SQS). */
export interface QueueCounts {
  /** Ready to be received. */
  visible: number;
  /** Received and neither deleted nor returned yet (includes expired ones fauxqs has not swept back yet). */
  inFlight: number;
  /** Sent with DelaySeconds and not yet visible. */
  delayed: number;
}

export interface Emulators {
  endpoints: { dynamodb: string; sqs: string; ses: string };
  /** The SES emulator's mail viewer (same server as endpoints.ses). */
  mailUrl: string;
  tableName: string;
  region: string;
  queues: Record<QueueName, EmulatorQueue>;
  /** Where DynamoDB persists, or undefined when in memory (or in an external DynamoDB). */
  dynamoDataDir?: string;
  /** A consistent snapshot of every queue (main queues and DLQs), keyed by queue name. */
  queueCounts(): Promise<Record<string, QueueCounts>>;
  stop(): Promise<void>;
}

/**
 * dynalite opens leveldb lazily and throws an uncaught error from its request handler when the
 * directory is locked (another local stack using it), crashing the process. Opening it once first,
 * with the same `level` dynalite resolves, turns that into a clear start-up error.
 */
async function assertDataDirUsable(dir: string) {
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve("dynalite"));
  const { Level } = fromDynalite("level") as {
    Level: new (location: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new Level(dir);
  try {
    await db.open();
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    if (cause?.code === "LEVEL_LOCKED") {
      throw new Error(`DynamoDB data in ${dir} is in use by another process (is another \`npm start\` running?)`, { cause: err });
    }
    throw new Error(`Cannot open DynamoDB data in ${dir}`, { cause: err });
  } finally {
    await db.close().catch(() => {});
  }
}

/** What `npm start` reads each port from, named in the error when one is taken (docs/configuration.md). */
const portSetting = { dynamodb: "DYNAMO_PORT", sqs: "SQS_PORT", ses: "MAIL_PORT" } as const;

function listen(server: Server, port: number, what: string, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(new Error(`${what} could not listen on 127.0.0.1:${port}: ${err.code ?? err.message} (another port: ${setting})`));
    };
    server.once("error", onError);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Close an http server; open keep-alive sockets from SDK clients would otherwise hold it open. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const force = setTimeout(() => server.closeAllConnections(), 2000);
    server.close((err) => {
      clearTimeout(force);
      if (err && (err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") reject(err);
      else resolve();
    });
    server.closeIdleConnections();
  });
}

async function ensureTable(client: DynamoDBClient, tableName: string, log: (line: string) => void, dataDir?: string) {
  const input = createTableInput(tableName);
  let table: TableDescription | undefined;
  try {
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  if (!table) {
    try {
      table = (await client.send(new CreateTableCommand(input))).TableDescription;
    } catch (err) {
      // A shared external DynamoDB: another stack created the same (explicitly named) table meanwhile.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  } else {
    const have = new Set((table.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
    const missing = input.GlobalSecondaryIndexes.map((i) => i.IndexName).filter((n) => !have.has(n));
    if (missing.length) {
      log(`WARNING: persisted table ${tableName} lacks indexes ${missing.join(", ")} (schema changed); delete ${dataDir ?? "the data dir"} to recreate it`);
    }
  }
  // dynalite flips CREATING to ACTIVE on a timer even with createTableMs: 0.
  for (let i = 0; table?.TableStatus !== "ACTIVE"; i++) {
    if (i > 500) throw new Error(`Table ${tableName} did not become ACTIVE`);
    await new Promise((r) => setTimeout(r, 10));
    table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  }
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<QueueRef> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  return { name, url: QueueUrl!, arn: Attributes!.QueueArn! };
}

/** The external DynamoDB to use instead of dynalite, if any (EmulatorOptions.dynamoEndpoint). */
function externalDynamoEndpoint(opts: EmulatorOptions): string | undefined {
  const raw = opts.dynamoEndpoint ?? process.env.LOCAL_DYNAMODB_ENDPOINT;
  if (!raw) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new Error(`LOCAL_DYNAMODB_ENDPOINT must be a URL such as http://127.0.0.1:8000, not "${raw}"`);
  }
  return url.origin;
}

/**
 * Start DynamoDB (dynalite, or an external DynamoDB given by LOCAL_DYNAMODB_ENDPOINT), SQS (fauxqs)
 * and SES (aws-ses-v2-local) in this process, with the table and queues created.
 */
export async function startEmulators(opts: EmulatorOptions = {}): Promise<Emulators> {
  const c = config();
  const externalDynamo = externalDynamoEndpoint(opts);
  const stage = opts.stage ?? c.STAGE;
  const region = opts.region ?? c.AWS_REGION;
  const log = opts.log ?? ((line: string) => console.log(line));
  const persistent = !opts.inMemory && !!opts.dataDir;
  const dynamoDataDir = persistent && !externalDynamo ? path.resolve(opts.dataDir!, "dynamodb") : undefined;
  // An ephemeral stack on a shared DynamoDB gets a table of its own (test files run in parallel);
  // a persistent one (npm start) keeps the fixed name so its data is found again after a restart.
  const ownTable = !!externalDynamo && !persistent && opts.tableName === undefined;
  const tableName = opts.tableName ?? (ownTable ? `${c.TABLE_NAME}-${randomBytes(4).toString("hex")}` : c.TABLE_NAME);

  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err) => errors.push(err));
    }
    if (errors.length) throw new AggregateError(errors, "Stopping the emulators failed");
  };

  try {
    let dynamodbEndpoint: string;
    if (externalDynamo) {
      dynamodbEndpoint = externalDynamo;
      log(`DynamoDB: using ${externalDynamo} (LOCAL_DYNAMODB_ENDPOINT) instead of dynalite, table ${tableName}`);
    } else {
      if (dynamoDataDir) {
        mkdirSync(dynamoDataDir, { recursive: true });
        await assertDataDirUsable(dynamoDataDir);
      }
      const dynamo = dynalite({ path: dynamoDataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      const dynamoPort = await listen(dynamo, opts.dynamoPort ?? 0, "DynamoDB (dynalite)", portSetting.dynamodb);
      // Closing dynalite also closes leveldb, which is what flushes persisted data.
      cleanups.push(() => closeServer(dynamo));
      dynamodbEndpoint = `http://127.0.0.1:${dynamoPort}`;
    }

    const fauxqs = buildApp({ logger: false, defaultRegion: region });
    // startFauxqs() would bind 0.0.0.0; building the app ourselves keeps it on loopback.
    const sqsEndpoint = await fauxqs.listen({ port: opts.sqsPort ?? 0, host: "127.0.0.1" }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`SQS (fauxqs) could not listen on 127.0.0.1:${opts.sqsPort ?? 0}: ${err.code ?? err.message} (another port: ${portSetting.sqs})`);
    });
    cleanups.push(() => fauxqs.close());

    const ses = await startSesServer({ host: "127.0.0.1", port: opts.mailPort ?? 0 });
    // Its listen callback also runs on errors, so a taken port shows up only as a server not listening.
    if (!ses.listening) throw new Error(`SES (aws-ses-v2-local) could not listen on 127.0.0.1:${opts.mailPort ?? 0} (port in use? another port: ${portSetting.ses})`);
    cleanups.push(() => closeServer(ses));
    const sesEndpoint = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

    const dynamoClient = new DynamoDBClient({ region, endpoint: dynamodbEndpoint, credentials: localCredentials });
    const sqsClient = new SQSClient({ region, endpoint: sqsEndpoint, credentials: localCredentials });
    let queues: Record<QueueName, EmulatorQueue>;
    try {
      await ensureTable(dynamoClient, tableName, log, dynamoDataDir);
      if (ownTable) {
        cleanups.push(async () => {
          const client = new DynamoDBClient({ region, endpoint: dynamodbEndpoint, credentials: localCredentials });
          try {
            await client.send(new DeleteTableCommand({ TableName: tableName }));
          } catch (err) {
            if (!(err instanceof ResourceNotFoundException)) throw err;
          } finally {
            client.destroy();
          }
        });
      }
      const make = async (key: QueueName): Promise<EmulatorQueue> => {
        const s = queueSettings[key];
        const o = opts.queueOverrides?.[key] ?? {};
        const suffix = s.fifo ? ".fifo" : "";
        const fifo: Record<string, string> = s.fifo ? { FifoQueue: "true" } : {};
        const dlq = await createQueue(sqsClient, `${stage}-${key}-dlq${suffix}`, { ...fifo });
        const main = await createQueue(sqsClient, `${stage}-${key}${suffix}`, {
          ...fifo,
          VisibilityTimeout: String(o.visibilityTimeoutSec ?? s.visibilityTimeoutSec),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlq.arn,
            maxReceiveCount: o.maxReceiveCount ?? s.maxReceiveCount,
          }),
        });
        return { ...main, dlq };
      };
      queues = { checks: await make("checks"), alerts: await make("alerts"), deliveries: await make("deliveries") };
    } finally {
      dynamoClient.destroy();
      sqsClient.destroy();
    }

    return {
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint, ses: sesEndpoint },
      mailUrl: sesEndpoint,
      tableName,
      region,
      queues,
      dynamoDataDir,
      async queueCounts() {
        // In-process and synchronous inside fauxqs, so all queues are read at the same instant.
        const res = await fauxqs.inject({ method: "GET", url: "/_fauxqs/queues" });
        const rows = res.json() as Array<{
          name: string;
          approximateMessageCount: number;
          approximateInflightCount: number;
          approximateDelayedCount: number;
        }>;
        return Object.fromEntries(
          rows.map((r) => [
            r.name,
            { visible: r.approximateMessageCount, inFlight: r.approximateInflightCount, delayed: r.approximateDelayedCount },
          ]),
        );
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
