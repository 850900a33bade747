import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Api as HttpApi, Function, StackContext, use } from "sst/constructs";
import {
  apiFunctions,
  apiRoutes,
  defaultRouteFunction,
  type ApiFunctionName,
} from "@uptime/functions/api/routes";
import { Storage } from "./Storage";
import { Pipeline } from "./Pipeline";

export function Api({ stack }: StackContext) {
  const { table } = use(Storage);
  const { checksQueue, alertsQueue, deliveriesQueue, alertBus, channelKey, environment, jwtSecret } = use(Pipeline);
  // Web apps on other origins that may use the API with cookies; the app CloudFront serves needs none (same origin).
  const webOrigin = process.env.WEB_ORIGIN ?? "";
  // Generated once per stage; CloudFront sends it to the API (stacks/Web.ts), which trusts the
  // viewer address it forwards only alongside it. CloudFormation resolves it at deploy time.
  const originVerify = new Secret(stack, "OriginVerify", {
    description: "CloudFront -> API origin header: requests carrying it came through the distribution",
    generateSecretString: { passwordLength: 48, excludePunctuation: true },
  });
  const originVerifySecret = originVerify.secretValue.unsafeUnwrap();
  stack.addDefaultFunctionEnv({ ...environment, WEB_ORIGIN: webOrigin, ORIGIN_VERIFY_SECRET: originVerifySecret });

  // One Lambda per function name, shared by all of its routes.
  const functions = {} as Record<ApiFunctionName, Function>;
  for (const [name, { handler }] of Object.entries(apiFunctions) as [ApiFunctionName, { handler: string }][]) {
    const fn = new Function(stack, `Api_${name}`, { handler, timeout: 29, bind: [jwtSecret] });
    table.cdk.table.grantReadWriteData(fn);
    functions[name] = fn;
  }
  // Manual checks run through the same queues and rules as scheduled ones.
  checksQueue.cdk.queue.grantSendMessages(functions.monitors);
  alertsQueue.cdk.queue.grantSendMessages(functions.monitors);
  // Password reset mails go out through the alert function, like every other mail.
  alertsQueue.cdk.queue.grantSendMessages(functions.auth);
  // Subscribing to a status page queues its confirmation mail.
  alertsQueue.cdk.queue.grantSendMessages(functions.publicPages);
  // Posting an incident or moving maintenance queues the subscribers' mail.
  alertsQueue.cdk.queue.grantSendMessages(functions.statusPages);

  // Channels: "Send test" opens a channel's secrets and calls it (or queues an email channel's test); acknowledging queues the news.
  functions.channels.bind([channelKey]);
  deliveriesQueue.cdk.queue.grantSendMessages(functions.channels);
  alertsQueue.cdk.queue.grantSendMessages(functions.channels);
  alertBus.grantPutEventsTo(functions.channels);

  const api = new HttpApi(stack, "Api", {
    // CORS is answered by the functions (functions/src/api/http.ts): public status JSON, feeds and
    // badges must be readable from any origin while authenticated routes allow only WEB_ORIGIN, and
    // API Gateway's own CORS would put one policy on every route and hide the functions' headers.
    cors: false,
    routes: {
      ...Object.fromEntries(Object.entries(apiRoutes).map(([key, name]) => [key, functions[name]])),
      $default: functions[defaultRouteFunction],
    },
  });

  stack.addOutputs({
    ApiUrl: api.url,
    TableName: table.tableName,
    ChecksQueueUrl: checksQueue.queueUrl,
    AlertsQueueUrl: alertsQueue.queueUrl,
  });
  return { api, originVerifySecret };
}
