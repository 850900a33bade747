import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Alert } from "@uptime/core/alert/alert";
import { Incident } from "@uptime/core/incident/incident";

/**
 * Alerts queue consumer (FIFO). Records of one monitor share a message group, so after a
 * failure the rest of that group must not overtake it: once a record fails, later records
 * are reported failed too and come back in order.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (batchItemFailures.length) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await Alert.notify(Incident.Event.parse(JSON.parse(record.body)));
    } catch (err) {
      console.error(JSON.stringify({ msg: "alert failed", messageId: record.messageId, error: String(err) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
