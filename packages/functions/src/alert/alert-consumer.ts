import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Alert } from "@uptime/core/alert/alert";

/**
 * Alerts queue consumer (FIFO): incident mails and alert-recipient confirmation mails. Records
 * of one message group (a monitor) must not overtake each other: once a record fails, later
 * records are reported failed too and come back in order.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (batchItemFailures.length) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await Alert.handle(Alert.Event.parse(JSON.parse(record.body)));
    } catch (err) {
      console.error(JSON.stringify({ msg: "alert failed", messageId: record.messageId, error: String(err) }));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
