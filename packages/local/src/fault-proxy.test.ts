import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SendEmailCommand } from "@aws-sdk/client-sesv2";
import { dynamo } from "@uptime/core/platform/table";
import { sqs } from "@uptime/core/platform/aws";
import { ses } from "@uptime/core/platform/ses";
import { config } from "@uptime/core/platform/config";
import { startTestStack, type TestStack } from "./testing";

/*
 * The proxies answer as the services do, so the real SDK clients classify the faults as they
 * would from AWS: throttling and 500s are retried, then surface under the service's error name.
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ pollers: false, faults: {}, queueOverrides: { checks: { visibilityTimeoutSec: 1 } } });
});
afterAll(() => stack?.stop());

const key = (id: string) => ({ pk: { S: `fault-test#${id}` }, sk: { S: "x" } });
const error = (p: Promise<unknown>) => p.then(() => undefined, (e: Error & { $retryable?: unknown; $metadata?: { attempts?: number } }) => e);

describe("fault proxy", () => {
  it("DynamoDB throttling reaches the SDK as ThrottlingException, retried before it gives up", async () => {
    stack.faults!.dynamodb.setRates({ throttle: 1 });
    const err = await error(dynamo().send(new GetItemCommand({ TableName: config().TABLE_NAME, Key: key("a") })));
    stack.faults!.dynamodb.setRates({});
    expect(err?.name).toBe("ThrottlingException");
    expect(err?.$metadata?.attempts).toBeGreaterThan(1);
    expect(stack.faults!.dynamodb.injected.get("throttle GetItem")).toBe(err?.$metadata?.attempts);
  });

  it("a lost response hides a write that happened: the item is there although the call failed", async () => {
    stack.faults!.dynamodb.setRates({ lostResponse: 1 });
    const err = await error(
      dynamo().send(new PutItemCommand({ TableName: config().TABLE_NAME, Item: { ...key("b"), v: { N: "1" } }, ConditionExpression: "attribute_not_exists(pk)" })),
    );
    stack.faults!.dynamodb.setRates({});
    // The SDK retried the conditional put, which now finds its own first write.
    expect(err?.name).toBe("ConditionalCheckFailedException");
    const { Item } = await dynamo().send(new GetItemCommand({ TableName: config().TABLE_NAME, Key: key("b"), ConsistentRead: true }));
    expect(Item?.v).toEqual({ N: "1" });
  });

  it("atLeastOnce injects each kind given a rate into the first request it applies to, then only at its rate", async () => {
    stack.faults!.dynamodb.setRates({ lostResponse: 1e-9, throttle: 1e-9, atLeastOnce: true });
    const before = new Map(stack.faults!.dynamodb.injected);
    const put = (id: string) => dynamo().send(new PutItemCommand({ TableName: config().TABLE_NAME, Item: { ...key(id), v: { N: "1" } } }));
    // The first request is throttled (the SDK retries it); the retry's write loses its answer, retried again.
    await put("c");
    await put("d");
    stack.faults!.dynamodb.setRates({});
    const added = (k: string) => (stack.faults!.dynamodb.injected.get(k) ?? 0) - (before.get(k) ?? 0);
    expect(added("throttle PutItem")).toBe(1);
    expect(added("lostResponse PutItem")).toBe(1);
  });

  it("SQS: a dropped delete delivers the message again after its visibility timeout", async () => {
    const QueueUrl = stack.queueUrls.checks;
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: "twice" }));
    const first = await sqs().send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(first.Messages?.[0]?.Body).toBe("twice");
    stack.faults!.sqs.setRates({ redeliver: 1 });
    await sqs().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    stack.faults!.sqs.setRates({});
    const again = await sqs().send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 3 }));
    expect(again.Messages?.[0]?.Body).toBe("twice");
    expect(again.Messages?.[0]?.MessageId).toBe(first.Messages![0]!.MessageId);
    await sqs().send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
  });

  it("SQS throttling and SES's maximum sending rate reach the SDKs under their own names, and nothing is sent", async () => {
    stack.faults!.sqs.setRates({ throttle: 1 });
    const sqsErr = await error(sqs().send(new SendMessageCommand({ QueueUrl: stack.queueUrls.checks, MessageBody: "never" })));
    stack.faults!.sqs.setRates({});
    expect(sqsErr?.name).toBe("RequestThrottled");

    await stack.clearEmails();
    stack.faults!.ses.setRates({ throttle: 1 });
    const sesErr = await error(
      ses().send(
        new SendEmailCommand({
          FromEmailAddress: config().MAIL_FROM,
          Destination: { ToAddresses: ["ops@example.com"] },
          Content: { Simple: { Subject: { Data: "never" }, Body: { Text: { Data: "x" } } } },
        }),
      ),
    );
    stack.faults!.ses.setRates({});
    expect(sesErr?.name).toBe("TooManyRequestsException");
    expect(await stack.emails()).toEqual([]);
  });
});
