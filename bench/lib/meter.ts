/**
 * Counting what AWS would bill, from inside the process that makes the calls.
 *
 * DynamoDB: a watcher (core/platform/table.ts `watchDynamo`, which sees the SDK client's requests
 * and the checker's signed ones) asks every request for `ReturnConsumedCapacity: "TOTAL"` and
 * adds up what comes back. dynalite computes consumed capacity with DynamoDB's size rules, but
 * only for the table itself, so two things are added here the way DynamoDB bills them:
 *   - writes to an item that lives in global secondary indexes also write each index
 *     (all our GSIs project ALL attributes, so the same units again per index; an update that
 *     changes an index key is a delete plus a put in that index, two writes);
 *   - a conditional write whose condition fails is still billed (1 write unit for items up to 1 KB);
 *   - a query that returns nothing still costs the minimum read (dynalite reports 0).
 *
 * SQS: a middleware on `sqs()` counts requests by operation and the payload bytes of sends,
 * because SQS bills every 64 KiB chunk of a request's payload as one request.
 */
import { HeartbeatEntity } from "@uptime/core/heartbeat/entity";
import { IncidentEntity } from "@uptime/core/incident/incident";
import { MonitorEntity } from "@uptime/core/monitors/entity";
import { sqs } from "@uptime/core/platform/aws";
import { watchDynamo } from "@uptime/core/platform/table";

/** Entities whose items live in global secondary indexes, with those indexes as the entities declare them. */
const GSIS_BY_ENTITY: Record<string, string[]> = Object.fromEntries(
  [MonitorEntity, IncidentEntity, HeartbeatEntity].map((e) => [
    e.schema.model.entity,
    Object.values(e.schema.indexes as Record<string, { index?: string }>).flatMap((i) => (i.index ? [i.index] : [])),
  ]),
);

export interface DynamoCounts {
  requests: Record<string, number>;
  /** Read request units, as consumed capacity reports them (eventually consistent = half). */
  readUnits: number;
  /** Write units of the table itself. */
  tableWriteUnits: number;
  /** Write units of index maintenance (added here; dynalite does not report them). */
  gsiWriteUnits: number;
  /** Conditional writes refused by their condition (billed by DynamoDB, reported as errors). */
  failedConditionalWrites: number;
  /** Items a query or scan examined (what read units are paid for). */
  itemsScanned: number;
  /** Items returned by queries, scans and gets. */
  itemsReturned: number;
}

export interface SqsCounts {
  requests: Record<string, number>;
  /** Messages sent (entries of batches, plus single sends). */
  messagesSent: number;
  /** Payload bytes of all sends. */
  bytesSent: number;
  /** Send requests as billed: each started 64 KiB of one request's payload is one request. */
  billedSendRequests: number;
}

export const emptyDynamo = (): DynamoCounts => ({
  requests: {},
  readUnits: 0,
  tableWriteUnits: 0,
  gsiWriteUnits: 0,
  failedConditionalWrites: 0,
  itemsScanned: 0,
  itemsReturned: 0,
});
export const emptySqs = (): SqsCounts => ({ requests: {}, messagesSent: 0, bytesSent: 0, billedSendRequests: 0 });

/** Total write units as billed: table + indexes + refused conditional writes. */
export const writeUnits = (d: DynamoCounts) => d.tableWriteUnits + d.gsiWriteUnits + d.failedConditionalWrites;

export const dynamoTotals: DynamoCounts = emptyDynamo();
export const sqsTotals: SqsCounts = emptySqs();

const WRITE_COMMANDS = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);

/** A plain string whether the input is in document form or in attribute-value form. */
const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof (v as { S?: unknown })?.S === "string" ? (v as { S: string }).S : undefined;

/** Which ElectroDB entity a write targets: from the item, the update's values, or the sort key ("$monitor_1"). */
function entityOf(input: any): string | undefined {
  const fromItem = str(input.Item?.__edb_e__);
  if (fromItem) return fromItem;
  for (const [k, v] of Object.entries(input.ExpressionAttributeValues ?? {})) if (k.startsWith(":__edb_e__")) return str(v);
  const sk = str(input.Key?.sk);
  const m = sk ? /^\$([a-z]+)_\d/i.exec(sk) : null;
  if (!m) return undefined;
  return Object.keys(GSIS_BY_ENTITY).find((e) => e.toLowerCase() === m[1]!.toLowerCase()) ?? m[1];
}

/** Index writes of one write request whose table write cost `units`. */
function gsiUnitsOf(command: string, input: any, units: number): number {
  const gsis = GSIS_BY_ENTITY[entityOf(input) ?? ""] ?? [];
  if (!gsis.length) return 0;
  if (command !== "UpdateItemCommand") return gsis.length * units;
  // an update that rewrites an index key moves the item within that index: delete + put
  const setsKey = (gsi: string) =>
    Object.entries(input.ExpressionAttributeNames ?? {}).some(
      ([alias, name]) => (name === `${gsi}pk` || name === `${gsi}sk`) && String(input.UpdateExpression ?? "").includes(alias),
    );
  return gsis.reduce((n, gsi) => n + (setsKey(gsi) ? 2 : 1) * units, 0);
}

const capacityOf = (cc: unknown): number =>
  [cc].flat().reduce((s: number, c: any) => s + Number(c?.CapacityUnits ?? 0), 0);

const installed = new WeakSet<object>();

/** Adds the counting middlewares to the current shared clients (call again after a config reload). */
export function installMeters() {
  // A watcher sees the SDK client's requests and the hot path's signed ones (platform/dynamo-wire.ts) alike.
  if (!installed.has(dynamoTotals)) {
    installed.add(dynamoTotals);
    watchDynamo(async (command, input, next) => {
      const totals = dynamoTotals;
      totals.requests[command] = (totals.requests[command] ?? 0) + 1;
      if (command !== "DescribeTableCommand" && command !== "CreateTableCommand") input = { ...input, ReturnConsumedCapacity: "TOTAL" };
      try {
        const out = (await next(input)) ?? {};
        const units = capacityOf(out.ConsumedCapacity);
        const isWrite = WRITE_COMMANDS.has(command) || command === "BatchWriteItemCommand" || command === "TransactWriteItemsCommand";
        if (isWrite) {
          totals.tableWriteUnits += units;
          if (WRITE_COMMANDS.has(command)) totals.gsiWriteUnits += gsiUnitsOf(command, input, units);
          if (command === "BatchWriteItemCommand") {
            // per item: dynalite reports one total per table, so split it evenly over the requests
            const reqs = Object.values(input.RequestItems ?? {}).flat() as any[];
            const per = reqs.length ? units / reqs.length : 0;
            for (const r of reqs) {
              if (r.PutRequest) totals.gsiWriteUnits += gsiUnitsOf("PutItemCommand", r.PutRequest, per);
              if (r.DeleteRequest) totals.gsiWriteUnits += gsiUnitsOf("DeleteItemCommand", r.DeleteRequest, per);
            }
          }
        } else if (units === 0 && (command === "QueryCommand" || command === "ScanCommand")) {
          // DynamoDB bills a query that finds nothing its minimum (0.5 RRU eventually consistent,
          // 1 strongly); dynalite reports 0 for it.
          totals.readUnits += input.ConsistentRead ? 1 : 0.5;
        } else {
          totals.readUnits += units;
        }
        if (typeof out.ScannedCount === "number") totals.itemsScanned += out.ScannedCount;
        if (Array.isArray(out.Items)) totals.itemsReturned += out.Items.length;
        else if (out.Item) totals.itemsReturned += 1;
        else if (out.Responses && !Array.isArray(out.Responses)) {
          for (const list of Object.values(out.Responses as Record<string, unknown[]>)) totals.itemsReturned += list.length;
        }
        return out;
      } catch (err: any) {
        if (err?.name === "ConditionalCheckFailedException" && WRITE_COMMANDS.has(command)) totals.failedConditionalWrites += 1;
        throw err;
      }
    });
  }
  const q = sqs();
  if (!installed.has(q)) {
    installed.add(q);
    q.middlewareStack.add(
      (next: any, context: any) => async (args: any) => {
        const command: string = context.commandName ?? "unknown";
        const totals = sqsTotals;
        totals.requests[command] = (totals.requests[command] ?? 0) + 1;
        let bodies: string[] = [];
        if (command === "SendMessageBatchCommand") bodies = (args.input.Entries ?? []).map((e: any) => e.MessageBody ?? "");
        else if (command === "SendMessageCommand") bodies = [args.input.MessageBody ?? ""];
        if (bodies.length) {
          const bytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
          totals.messagesSent += bodies.length;
          totals.bytesSent += bytes;
          totals.billedSendRequests += Math.max(1, Math.ceil(bytes / 65536));
        }
        return next(args);
      },
      { step: "initialize", name: "benchSqsRequests", override: true },
    );
  }
}

/** What happened between two snapshots. */
export function snapshot() {
  return { dynamo: structuredClone(dynamoTotals), sqs: structuredClone(sqsTotals) };
}
export type Snapshot = ReturnType<typeof snapshot>;

function diffRecord(a: Record<string, number>, b: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    if (d) out[k] = d;
  }
  return out;
}

export function since(before: Snapshot): Snapshot {
  const now = snapshot();
  const d = now.dynamo;
  const b = before.dynamo;
  return {
    dynamo: {
      requests: diffRecord(b.requests, d.requests),
      readUnits: d.readUnits - b.readUnits,
      tableWriteUnits: d.tableWriteUnits - b.tableWriteUnits,
      gsiWriteUnits: d.gsiWriteUnits - b.gsiWriteUnits,
      failedConditionalWrites: d.failedConditionalWrites - b.failedConditionalWrites,
      itemsScanned: d.itemsScanned - b.itemsScanned,
      itemsReturned: d.itemsReturned - b.itemsReturned,
    },
    sqs: {
      requests: diffRecord(before.sqs.requests, now.sqs.requests),
      messagesSent: now.sqs.messagesSent - before.sqs.messagesSent,
      bytesSent: now.sqs.bytesSent - before.sqs.bytesSent,
      billedSendRequests: now.sqs.billedSendRequests - before.sqs.billedSendRequests,
    },
  };
}

export const sqsRequestCount = (s: SqsCounts) => Object.values(s.requests).reduce((n, v) => n + v, 0);

/** Adds up what a sequence of metered calls cost, leaving out whatever runs between them. */
export function accumulator() {
  let total: Snapshot = { dynamo: emptyDynamo(), sqs: emptySqs() };
  return {
    async run<T>(fn: () => Promise<T>): Promise<T> {
      const before = snapshot();
      try {
        return await fn();
      } finally {
        total = add(total, since(before));
      }
    },
    get total() {
      return total;
    },
  };
}

function addRecord(a: Record<string, number>, b: Record<string, number>) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export function add(a: Snapshot, b: Snapshot): Snapshot {
  return {
    dynamo: {
      requests: addRecord(a.dynamo.requests, b.dynamo.requests),
      readUnits: a.dynamo.readUnits + b.dynamo.readUnits,
      tableWriteUnits: a.dynamo.tableWriteUnits + b.dynamo.tableWriteUnits,
      gsiWriteUnits: a.dynamo.gsiWriteUnits + b.dynamo.gsiWriteUnits,
      failedConditionalWrites: a.dynamo.failedConditionalWrites + b.dynamo.failedConditionalWrites,
      itemsScanned: a.dynamo.itemsScanned + b.dynamo.itemsScanned,
      itemsReturned: a.dynamo.itemsReturned + b.dynamo.itemsReturned,
    },
    sqs: {
      requests: addRecord(a.sqs.requests, b.sqs.requests),
      messagesSent: a.sqs.messagesSent + b.sqs.messagesSent,
      bytesSent: a.sqs.bytesSent + b.sqs.bytesSent,
      billedSendRequests: a.sqs.billedSendRequests + b.sqs.billedSendRequests,
    },
  };
}
