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
  const { checksQueue, alertsQueue, environment, jwtSecret } = use(Pipeline);
  const webOrigin = process.env.WEB_ORIGIN ?? "*";
  stack.addDefaultFunctionEnv({ ...environment, WEB_ORIGIN: webOrigin });

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
  // Subscribing to a status page queues its confirmation mail.
  alertsQueue.cdk.queue.grantSendMessages(functions.publicPages);

  const origins = webOrigin.split(",").map((o) => o.trim());
  const api = new HttpApi(stack, "Api", {
    cors: {
      allowOrigins: origins,
      // Browsers refuse credentialed responses with a wildcard origin, and API Gateway rejects the combination.
      allowCredentials: !origins.includes("*"),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: ["authorization", "content-type"],
      maxAge: "1 day",
    },
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
  return { api };
}
