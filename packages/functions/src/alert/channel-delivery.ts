import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Delivery } from "@uptime/core/channels/delivery";
import { Mail } from "@uptime/core/platform/mail";
import { sesTransport } from "@uptime/core/platform/ses";
import { Telemetry } from "@uptime/core/platform/telemetry";

Mail.useTransport(sesTransport);

/**
 * Deliveries queue consumer: one attempt of one channel delivery per record, side by side (each
 * waits on a different service). Retries are new delayed messages, so a record fails only when
 * our own storage did; it then comes back and the delivery's claim keeps it from sending twice.
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures = await Promise.all(
    event.Records.map(async (record) => {
      try {
        await Delivery.deliver(Delivery.QueueMessage.parse(JSON.parse(record.body)));
        return undefined;
      } catch (err) {
        Telemetry.log.error("delivery failed", { messageId: record.messageId, error: String(err) });
        return { itemIdentifier: record.messageId };
      }
    }),
  );
  return { batchItemFailures: failures.filter((f) => !!f) };
};
