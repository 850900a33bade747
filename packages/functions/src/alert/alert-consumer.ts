import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { Alert } from "@uptime/core/alert/alert";
import { Delivery } from "@uptime/core/channels/delivery";
import { SubscriberMail } from "@uptime/core/status-pages/notify";
import { Mail } from "@uptime/core/platform/mail";
import { sesTransport } from "@uptime/core/platform/ses";
import { Telemetry } from "@uptime/core/platform/telemetry";

Mail.useTransport(sesTransport);

/**
 * Alerts queue consumer (FIFO): incident mails, alert-recipient confirmation mails and status-page
 * subscriber mails (confirmations, fan-out, deliveries). Records
 * of one message group (a monitor) must not overtake each other: once a record fails, later
 * records are reported failed too and come back in order.
 */
export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  Telemetry.withTelemetry("alertConsumer", event.Records[0]?.messageId, () => consume(event));

async function consume(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const record of event.Records) {
    if (batchItemFailures.length) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      const body: unknown = JSON.parse(record.body);
      if (SubscriberMail.isOurs(body)) {
        const message = SubscriberMail.QueueMessage.parse(body);
        await SubscriberMail.handle(message);
        // A posted status page incident's news also reaches the channels that asked for it.
        if (message.type === "subscribers.fanout") await Delivery.fanOutStatusPage(message.pageId, message.event);
      }
      else await Alert.handle(Alert.Event.parse(body));
    } catch (err) {
      Telemetry.metric("AlertsFailed", 1, { channel: "email" });
      Telemetry.log.error("alert failed", { messageId: record.messageId, error: String(err) });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
