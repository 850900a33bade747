import { SQSClient } from "@aws-sdk/client-sqs";
import { config, onConfigReload } from "./config";
import { localCredentials } from "./table";

// SES lives in ./ses.ts: only the alert function sends mail, and its client is the largest we bundle.
let sqsClient: SQSClient | undefined;
onConfigReload(() => {
  sqsClient = undefined;
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
