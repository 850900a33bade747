import { randomUUID } from "node:crypto";
import { CheckJob } from "@uptime/core/check/check-job";
import { toSqsRecord } from "@uptime/local/poller";

const CHECKS_QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:local-checks";

/** Jobs grouped into queue messages the way CheckJob.enqueue does (JOBS_PER_MESSAGE a message). */
export function messagesOf(jobs: CheckJob.Job[]): CheckJob.Message[] {
  const out: CheckJob.Message[] = [];
  for (let i = 0; i < jobs.length; i += CheckJob.JOBS_PER_MESSAGE) out.push({ v: 1, jobs: jobs.slice(i, i + CheckJob.JOBS_PER_MESSAGE) });
  return out;
}

/** An SQS event as Lambda's event source mapping would deliver `messages` to the check consumer. */
export function sqsEvent(messages: CheckJob.Message[], receiveCount = 1) {
  return {
    Records: messages.map((m, i) =>
      toSqsRecord(
        {
          MessageId: `fixture-${i}-${randomUUID()}`,
          ReceiptHandle: "fixture",
          Body: JSON.stringify(m),
          Attributes: { ApproximateReceiveCount: String(receiveCount), SenderId: "fixture" },
        },
        CHECKS_QUEUE_ARN,
        "us-east-1",
      ),
    ),
  };
}
