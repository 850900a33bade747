import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Checker } from "@uptime/core/check/checker";
import { CheckJob } from "@uptime/core/check/check-job";
import { Telemetry } from "@uptime/core/platform/telemetry";

/**
 * Checks queue consumer. All jobs of the batch run together, each result written as its probe
 * ends; the batch returns (and Lambda deletes its messages) once every job is settled. A
 * message is reported failed only if one of its own jobs threw, so one broken monitor never
 * sends its batch-mates back to the queue. Unparseable messages fail until they reach the DLQ.
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  Telemetry.withTelemetry("checkConsumer", event.Records[0]?.messageId, () => consume(event));

async function consume(event: SQSEvent): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const work: Array<Checker.Delivery & { messageId: string }> = [];
  for (const record of event.Records) {
    const parsed = CheckJob.Message.safeParse(safeJson(record.body));
    if (!parsed.success) {
      Telemetry.log.error("unparseable check message", { messageId: record.messageId });
      failed.add(record.messageId);
      continue;
    }
    const redelivered = Number(record.attributes.ApproximateReceiveCount) > 1;
    for (const job of parsed.data.jobs) work.push({ messageId: record.messageId, job, redelivered });
  }
  const settled = await Checker.runJobs(work);
  work.forEach((w, i) => {
    const s = settled[i]!;
    if (s.status === "fulfilled" && s.value.created) {
      Telemetry.metric("ChecksCompleted", 1);
      if (!s.value.result.ok) Telemetry.metric("ChecksFailed", 1);
      // Results are stored as each probe ends, so its end is when the slot's result became known.
      Telemetry.metric("SlotLagMs", Math.max(0, s.value.result.checkedAt - w.job.dueAt));
    }
    if (s.status === "rejected") {
      Telemetry.metric("CheckErrors", 1);
      Telemetry.log.error("check job failed", { messageId: w.messageId, monitorId: w.job.monitor.monitorId, error: String(s.reason) });
      failed.add(w.messageId);
    }
  });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
