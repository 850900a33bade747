import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Check } from "@uptime/core/check";
import { CheckJob } from "@uptime/core/check-job";

/**
 * Checks queue consumer. Every job in every message runs concurrently; a message is
 * reported failed only if one of its own jobs threw, so one broken monitor never sends
 * its batch-mates back to the queue. Unparseable messages fail until they reach the DLQ.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      const parsed = CheckJob.Message.safeParse(safeJson(record.body));
      if (!parsed.success) {
        console.error(JSON.stringify({ msg: "unparseable check message", messageId: record.messageId }));
        return record.messageId;
      }
      const redelivered = Number(record.attributes.ApproximateReceiveCount) > 1;
      const results = await Promise.allSettled(parsed.data.jobs.map((job) => Check.runJob(job, { redelivered })));
      const failed = results.filter((r) => r.status === "rejected");
      for (const f of failed) console.error(JSON.stringify({ msg: "check job failed", messageId: record.messageId, error: String((f as PromiseRejectedResult).reason) }));
      return failed.length ? record.messageId : undefined;
    }),
  );
  return { batchItemFailures: failures.filter((id): id is string => !!id).map((itemIdentifier) => ({ itemIdentifier })) };
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
