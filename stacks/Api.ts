import { RemovalPolicy } from "aws-cdk-lib";
import { CfnLogGroup } from "aws-cdk-lib/aws-logs";
import { Api as HttpApi, Config, Function, StackContext, use } from "sst/constructs";
import {
  apiFunctions,
  apiRoutes,
  defaultRouteFunction,
  type ApiFunctionName,
} from "@uptime/functions/api/routes";
import { deployConfig } from "@uptime/core/platform/config";
import { Storage } from "./Storage";
import { Pipeline } from "./Pipeline";

/**
 * What each API function may do with the table. Docs serves a static page and needs none; the others
 * keep sessions, counters and audit entries beside what they read, so they read and write.
 */
const tableAccess: Record<ApiFunctionName, "none" | "readWrite"> = {
  auth: "readWrite",
  monitors: "readWrite",
  alertRecipients: "readWrite",
  dashboards: "readWrite",
  apiKeys: "readWrite",
  statusPages: "readWrite",
  orgs: "readWrite",
  status: "readWrite",
  publicPages: "readWrite",
  docs: "none",
  channels: "readWrite",
  ping: "readWrite",
};

export function Api({ stack, app }: StackContext) {
  const { table } = use(Storage);
  const { checksQueue, alertsQueue, deliveriesQueue, alertBus, channelKey, environment, defaultPermissions, jwtSecret } = use(Pipeline);
  const deploy = deployConfig(app.stage);
  // Web apps on other origins that may use the API with cookies; the app CloudFront serves needs none (same origin).
  const webOrigin = process.env.WEB_ORIGIN ?? "";
  /*
   * CloudFront sends this to the API (stacks/Web.ts), which trusts the viewer address it forwards only
   * alongside it. An SST secret (an SSM SecureString: no monthly fee, unlike Secrets Manager) set with
   * `sst secrets set ORIGIN_VERIFY_SECRET`; functions read it at run time and accept every
   * comma-separated value, so it rotates without downtime (docs/deploying.md).
   */
  const originVerify = new Config.Secret(stack, "ORIGIN_VERIFY_SECRET");
  stack.addDefaultFunctionEnv({ ...environment, WEB_ORIGIN: webOrigin });
  stack.addDefaultFunctionPermissions(defaultPermissions);

  // One Lambda per function name, shared by all of its routes.
  const functions = {} as Record<ApiFunctionName, Function>;
  for (const [name, { handler }] of Object.entries(apiFunctions) as [ApiFunctionName, { handler: string }][]) {
    const needsData = tableAccess[name] !== "none";
    const fn = new Function(stack, `Api_${name}`, { handler, timeout: 29, bind: needsData ? [jwtSecret, originVerify] : [] });
    if (needsData) table.cdk.table.grantReadWriteData(fn);
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

  // A ping that changes a heartbeat's health settles it like a check: incidents and their alerts.
  checksQueue.cdk.queue.grantSendMessages(functions.ping);
  alertsQueue.cdk.queue.grantSendMessages(functions.ping);

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
    // Access logs: a month is enough to investigate, and never forever.
    accessLog: { retention: "one_month" },
    defaults: {
      // The stage's default route throttle: a flood answers 429 from API Gateway instead of taking
      // the account's Lambda concurrency from the checker (per-client limits live in the functions).
      throttle: { rate: deploy.API_THROTTLE_RATE, burst: deploy.API_THROTTLE_BURST },
    },
    routes: {
      ...Object.fromEntries(Object.entries(apiRoutes).map(([key, name]) => [key, functions[name]])),
      $default: functions[defaultRouteFunction],
    },
  });
  // The access log group goes with the stage (CDK's default would keep it after `sst remove`).
  const accessLogGroup = api.cdk.accessLogGroup?.node.defaultChild;
  if (accessLogGroup instanceof CfnLogGroup) accessLogGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);

  stack.addOutputs({
    ApiUrl: api.url,
    TableName: table.tableName,
    ChecksQueueUrl: checksQueue.queueUrl,
    AlertsQueueUrl: alertsQueue.queueUrl,
  });
  return { api, originVerify };
}
