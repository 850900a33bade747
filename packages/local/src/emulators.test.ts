import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { createTableInput } from "@uptime/core/platform/table";
import { queueSettings } from "@uptime/core/platform/queues";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localCredentials, startEmulators, type Emulators } from "./emulators";

const region = "us-east-1";
const quiet = () => {};

describe("startEmulators (in memory)", () => {
  let emu: Emulators;
  let dynamo: DynamoDBClient;
  let sqs: SQSClient;
  beforeAll(async () => {
    emu = await startEmulators({
      inMemory: true,
      tableName: "emu-test",
      stage: "t",
      queueOverrides: { alerts: { visibilityTimeoutSec: 2, maxReceiveCount: 7 } },
      log: quiet,
    });
    dynamo = new DynamoDBClient({ region, endpoint: emu.endpoints.dynamodb, credentials: localCredentials });
    sqs = new SQSClient({ region, endpoint: emu.endpoints.sqs, credentials: localCredentials });
  });
  afterAll(async () => {
    dynamo?.destroy();
    sqs?.destroy();
    await emu?.stop();
  });

  it("binds every emulator to 127.0.0.1", () => {
    for (const url of Object.values(emu.endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.dynamoDataDir).toBeUndefined();
  });

  it("creates the table with the key schema and GSIs of createTableInput", async () => {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: "emu-test" }));
    const want = createTableInput("emu-test");
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual(want.KeySchema);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const gsis = (Table?.GlobalSecondaryIndexes ?? [])
      .map((g) => ({ IndexName: g.IndexName, KeySchema: g.KeySchema, Projection: g.Projection }))
      .sort((a, b) => a.IndexName!.localeCompare(b.IndexName!));
    expect(gsis).toEqual(want.GlobalSecondaryIndexes);
    expect(gsis.map((g) => g.IndexName)).toEqual(["gsi1", "gsi2"]);
  });

  it("creates the checks queue with its DLQ and redrive policy from queueSettings", async () => {
    const q = emu.queues.checks;
    expect(q.name).toBe("t-checks");
    expect(q.dlq.name).toBe("t-checks-dlq");
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["All"] }));
    expect(Attributes?.VisibilityTimeout).toBe("240");
    expect(Attributes?.FifoQueue).toBeUndefined();
    expect(JSON.parse(Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: q.dlq.arn, maxReceiveCount: queueSettings.checks.maxReceiveCount });
  });

  it("creates FIFO alerts queues and applies test overrides", async () => {
    const q = emu.queues.alerts;
    expect([q.name, q.dlq.name]).toEqual(["t-alerts.fifo", "t-alerts-dlq.fifo"]);
    const main = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["All"] }));
    const dlq = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.dlq.url, AttributeNames: ["All"] }));
    expect(main.Attributes?.FifoQueue).toBe("true");
    expect(dlq.Attributes?.FifoQueue).toBe("true");
    expect(main.Attributes?.VisibilityTimeout).toBe("2");
    expect(JSON.parse(main.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: q.dlq.arn, maxReceiveCount: 7 });
  });

  it("reports queue counts for all six queues", async () => {
    const counts = await emu.queueCounts();
    expect(Object.keys(counts).sort()).toEqual(["t-alerts-dlq.fifo", "t-alerts.fifo", "t-checks", "t-checks-dlq", "t-deliveries", "t-deliveries-dlq"]);
    expect(counts["t-checks"]).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("serves SESv2 SendEmail and shows it in the mail store", async () => {
    const ses = new SESv2Client({ region, endpoint: emu.endpoints.ses, credentials: localCredentials });
    try {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: "alerts@uptime.local",
          Destination: { ToAddresses: ["someone@example.com"] },
          Content: { Simple: { Subject: { Data: "emulator test" }, Body: { Text: { Data: "hello" } } } },
        }),
      );
    } finally {
      ses.destroy();
    }
    const store = (await (await fetch(`${emu.mailUrl}/store`)).json()) as { emails: Array<{ subject: string; destination: { to: string[] } }> };
    expect(store.emails.some((e) => e.subject === "emulator test" && e.destination.to.includes("someone@example.com"))).toBe(true);
  });
});

describe("startEmulators (persistence)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "uptime-emu-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const key = { pk: { S: "persist#1" }, sk: { S: "x" } };
  const getItem = async (emu: Emulators) => {
    const client = new DynamoDBClient({ region, endpoint: emu.endpoints.dynamodb, credentials: localCredentials });
    try {
      return (await client.send(new GetItemCommand({ TableName: "persist-test", Key: key, ConsistentRead: true }))).Item;
    } finally {
      client.destroy();
    }
  };

  // dynalite's own persistence; with LOCAL_DYNAMODB_ENDPOINT (FIDELITY.md) no dynalite runs.
  const dynaliteOnly = it.skipIf(!!process.env.LOCAL_DYNAMODB_ENDPOINT);

  dynaliteOnly("keeps DynamoDB data in <dataDir>/dynamodb across a restart, and not with inMemory", async () => {
    const first = await startEmulators({ dataDir: dir, tableName: "persist-test", log: quiet });
    expect(first.dynamoDataDir).toBe(path.join(dir, "dynamodb"));
    const client = new DynamoDBClient({ region, endpoint: first.endpoints.dynamodb, credentials: localCredentials });
    await client.send(new PutItemCommand({ TableName: "persist-test", Item: { ...key, note: { S: "survives" } } }));
    client.destroy();
    await first.stop();

    // Starting again must find the existing table (creating it again would throw ResourceInUse).
    const second = await startEmulators({ dataDir: dir, tableName: "persist-test", log: quiet });
    try {
      expect((await getItem(second))?.note).toEqual({ S: "survives" });
    } finally {
      await second.stop();
    }

    const memory = await startEmulators({ dataDir: dir, inMemory: true, tableName: "persist-test", log: quiet });
    try {
      expect(await getItem(memory)).toBeUndefined();
    } finally {
      await memory.stop();
    }
  });

  dynaliteOnly("refuses a data dir another stack is using instead of crashing later", async () => {
    const first = await startEmulators({ dataDir: dir, tableName: "persist-test", log: quiet });
    try {
      await expect(startEmulators({ dataDir: dir, tableName: "persist-test", log: quiet })).rejects.toThrow(/in use by another process/);
    } finally {
      await first.stop();
    }
  });

  it("fails with a clear message when a port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", () => r()));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(startEmulators({ inMemory: true, sqsPort: port, log: quiet })).rejects.toThrow(/SQS \(fauxqs\) could not listen.*EADDRINUSE \(another port: SQS_PORT\)/);
      await expect(startEmulators({ inMemory: true, mailPort: port, log: quiet })).rejects.toThrow(/SES .* could not listen.*another port: MAIL_PORT/);
    } finally {
      blocker.close();
    }
  });
});

describe("startEmulators with an external DynamoDB (LOCAL_DYNAMODB_ENDPOINT, see FIDELITY.md)", () => {
  it("uses it instead of dynalite, with a table of its own that stop() deletes", async () => {
    // A dynalite the test starts itself stands in for DynamoDB Local.
    const external = dynalite({ createTableMs: 0, deleteTableMs: 0 });
    await new Promise<void>((r) => external.listen(0, "127.0.0.1", () => r()));
    const endpoint = `http://127.0.0.1:${(external.address() as AddressInfo).port}`;
    const client = new DynamoDBClient({ region, endpoint, credentials: localCredentials });
    const tables = async () => (await client.send(new ListTablesCommand({}))).TableNames ?? [];
    try {
      const a = await startEmulators({ inMemory: true, dynamoEndpoint: endpoint, stage: "x1", log: quiet });
      const b = await startEmulators({ inMemory: true, dynamoEndpoint: endpoint, stage: "x2", log: quiet });
      expect(a.endpoints.dynamodb).toBe(endpoint);
      expect(a.tableName).toMatch(/^uptime-local-[0-9a-f]{8}$/);
      expect(b.tableName).not.toBe(a.tableName);
      expect((await tables()).sort()).toEqual([a.tableName, b.tableName].sort());
      const { Table } = await client.send(new DescribeTableCommand({ TableName: a.tableName }));
      expect(Table?.KeySchema).toEqual(createTableInput(a.tableName).KeySchema);
      await a.stop();
      await b.stop();
      expect(await tables()).toEqual([]);

      // An explicit name is used as given and kept.
      const named = await startEmulators({ inMemory: true, dynamoEndpoint: endpoint, tableName: "given", log: quiet });
      await named.stop();
      expect(await tables()).toEqual(["given"]);
    } finally {
      client.destroy();
      await new Promise<void>((r) => {
        external.close(() => r());
        external.closeAllConnections();
      });
    }
  });

  it("rejects an endpoint that is not a URL", async () => {
    await expect(startEmulators({ inMemory: true, dynamoEndpoint: "localhost:8000", log: quiet })).rejects.toThrow(/must be a URL/);
  });
});
