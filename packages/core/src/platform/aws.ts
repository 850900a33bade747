import { SQSClient } from "@aws-sdk/client-sqs";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { config, onConfigReload } from "./config";
import { localCredentials } from "./table";


let sqsClient: SQSClient | undefined;
let sesClient: SESv2Client | undefined;
onConfigReload(() => {
  sqsClient = undefined;
  sesClient = undefined;
});

/** Created once per container; points at the emulator when SQS_ENDPOINT is set. */
export function sqs(): SQSClient {
  if (!sqsClient) {
    const c = config();
    sqsClient = new SQSClient({
      region: c.AWS_REGION,
      ...(c.SQS_ENDPOINT ? { endpoint: c.SQS_ENDPOINT, credentials: localCredentials } : {}),
    });
  }
  return sqsClient;
}

export function ses(): SESv2Client {
  if (!sesClient) {
    const c = config();
    sesClient = new SESv2Client({
      region: c.AWS_REGION,
      ...(c.SES_ENDPOINT ? { endpoint: c.SES_ENDPOINT, credentials: localCredentials } : {}),
    });
  }
  return sesClient;
}
