import type { SNSEvent } from "aws-lambda";
import { MailSuppression } from "@uptime/core/platform/mail-suppression";
import { Telemetry } from "@uptime/core/platform/telemetry";

/**
 * SES bounce and complaint notifications, through the SNS topic of the configuration set
 * (stacks/Pipeline.ts): each permanently bouncing or complaining address is suppressed. A
 * record that does not parse is logged and skipped; a failed write throws so SNS retries.
 */
export const handler = async (event: SNSEvent) => {
  for (const record of event.Records) {
    let parsed;
    try {
      parsed = MailSuppression.SesNotification.parse(JSON.parse(record.Sns.Message));
    } catch (err) {
      Telemetry.log.error("unreadable SES notification", { messageId: record.Sns.MessageId, error: String(err) });
      continue;
    }
    const suppressed = await MailSuppression.record(parsed);
    if (suppressed.length) Telemetry.log.info("suppressed", { count: suppressed.length, kind: parsed.eventType ?? parsed.notificationType });
  }
};
