import { Duration } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { ConfigurationSet, EmailSendingEvent, EventDestination } from "aws-cdk-lib/aws-ses";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Config, Cron, Function, Queue, Stack, StackContext, Topic, use } from "sst/constructs";
import { queueSettings, type QueueName } from "@uptime/core/platform/queues";
import { deployConfig } from "@uptime/core/platform/config";
import { backgroundFunctions } from "@uptime/functions/api/routes";
import { Storage } from "./Storage";

type Settings = (typeof queueSettings)[QueueName];

function queueWithDlq(stack: Stack, id: string, s: Settings) {
  // A FIFO queue needs a FIFO dead-letter queue. Producers set deduplication ids themselves.
  const fifo = s.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
  const dlq = new Queue(stack, `${id}DLQ`, {
    cdk: { queue: { ...fifo, retentionPeriod: Duration.days(14) } },
  });
  return new Queue(stack, id, {
    cdk: {
      queue: {
        ...fifo,
        visibilityTimeout: Duration.seconds(s.visibilityTimeoutSec),
        deadLetterQueue: { queue: dlq.cdk.queue, maxReceiveCount: s.maxReceiveCount },
      },
    },
  });
}

function consume(stack: Stack, queue: Queue, fn: Function, s: Settings, maxConcurrency?: number) {
  queue.addConsumer(stack, {
    function: fn,
    cdk: {
      eventSource: {
        batchSize: s.batchSize,
        maxConcurrency,
        // CDK rejects any batching window (even 0) on FIFO sources.
        maxBatchingWindow: s.fifo ? undefined : Duration.seconds(s.maxBatchingWindowSec),
        reportBatchItemFailures: true,
      },
    },
  });
}

/** Where the Web stack stores its CloudFront address when PUBLIC_URL is "cloudfront" (read by functions at cold start). */
export const publicUrlParameter = (app: { name: string; stage: string }) => `/sst/${app.name}/${app.stage}/uptime/public-url`;

export function Pipeline({ stack, app }: StackContext) {
  const { table } = use(Storage);
  // Fails the synthesis when MAIL_FROM or PUBLIC_URL is missing: nothing deploys with a silent default.
  const deploy = deployConfig(app.stage);
  const checks = queueWithDlq(stack, "Checks", queueSettings.checks);
  const alerts = queueWithDlq(stack, "Alerts", queueSettings.alerts);
  const mail = { address: deploy.MAIL_FROM };
  // The HMAC key of status-page links (subscriber mails) and of access cookies; the API binds it too.
  const jwtSecret = new Config.Secret(stack, "JWT_SECRET");
  // Every mail goes out through this configuration set, so SES reports its bounces and complaints.
  const configurationSet = new ConfigurationSet(stack, "Mail", {});

  // ---- alert channels (issue 16): deliveries queue, their consumer, the key of channel secrets, the stage's bus ----
  const deliveries = queueWithDlq(stack, "Deliveries", queueSettings.deliveries);
  const channelKey = new Config.Secret(stack, "CHANNEL_SECRET_KEY");
  const alertBus = new EventBus(stack, "AlertEvents", { eventBusName: `${app.stage}-${app.name}-alerts` });

  const environment = {
    TABLE_NAME: table.tableName,
    DELIVERIES_QUEUE_URL: deliveries.queueUrl,
    EVENT_BUS_NAME: alertBus.eventBusName,
    CHECKS_QUEUE_URL: checks.queueUrl,
    ALERTS_QUEUE_URL: alerts.queueUrl,
    MAIL_FROM: mail.address,
    SES_CONFIGURATION_SET: configurationSet.configurationSetName,
    STAGE: app.stage,
    RESULT_RETENTION_DAYS: process.env.RESULT_RETENTION_DAYS ?? "30",
    // Links in mails: a custom domain as given, or the distribution's own address, which the stacks
    // before Web cannot reference (it depends on the API), so functions read it from SSM.
    ...(deploy.PUBLIC_URL === "cloudfront" ? { PUBLIC_URL_PARAMETER: publicUrlParameter(app) } : { PUBLIC_URL: deploy.PUBLIC_URL }),
  };
  stack.addDefaultFunctionEnv(environment);
  // What every function may do beyond its own grants; the API stack adds these to its functions too.
  const defaultPermissions =
    deploy.PUBLIC_URL === "cloudfront"
      ? [
          new PolicyStatement({
            actions: ["ssm:GetParameters"],
            resources: [stack.formatArn({ service: "ssm", resource: "parameter", resourceName: publicUrlParameter(app).slice(1) })],
          }),
        ]
      : [];
  stack.addDefaultFunctionPermissions(defaultPermissions);

  const tick = new Cron(stack, "Tick", {
    schedule: "rate(1 minute)",
    job: {
      // Must finish well inside its one-minute window.
      function: { handler: backgroundFunctions.tick.handler, timeout: 50, memorySize: 256 },
      // A retried tick fans out windows that are already claimed or passed: one retry, within two minutes.
      cdk: { target: { retryAttempts: 1, maxEventAge: Duration.minutes(2) } },
    },
  }).jobFunction;
  // Lambda's own async retries of the same event (EventBridge invokes asynchronously): none kept past two minutes.
  tick.configureAsyncInvoke({ retryAttempts: 1, maxEventAge: Duration.minutes(2) });
  const rollup = new Cron(stack, "Rollup", {
    // Twenty minutes past the hour: the hour just ended, once late results are in (ROLLUP_GRACE_SEC,
    // ~18 minutes: redeliveries of a check message). A missed run is caught up by the next one.
    schedule: "cron(20 * * * ? *)",
    job: { function: { handler: backgroundFunctions.rollup.handler, timeout: 900, memorySize: 512 } },
  }).jobFunction;
  /*
   * Sizing (BENCHMARKS.md, checker bench "By batch size"): a batch of 100 checks on one thread counts
   * its own queueing as the sites' latency (0% of checks within 5 ms of the truth), one message of up
   * to 10 checks 95-100%. So the mapping hands over one message per invocation (queueSettings.checks.
   * batchSize), and 512 MB (~0.3 vCPU) is enough for 10 concurrent probes (~14 ms CPU here, ~50 ms on
   * Lambda); more memory would only multiply the GB-seconds of an invocation that mostly waits on the
   * network. Cost: ~0.013 GB-s per check instead of ~0.003 at full batches, about 0.6¢ per 1-minute
   * monitor-month (bench/cost-model.ts), for response times that mean something.
   */
  const checker = new Function(stack, "CheckConsumer", {
    handler: backgroundFunctions.checkConsumer.handler,
    timeout: queueSettings.checks.functionTimeoutSec,
    memorySize: 512,
  });
  const alerter = new Function(stack, "AlertConsumer", {
    handler: backgroundFunctions.alertConsumer.handler,
    timeout: queueSettings.alerts.functionTimeoutSec,
    memorySize: 256,
    bind: [jwtSecret],
  });

  /*
   * SES bounce and complaint events → SNS → the sesFeedback function, which suppresses the address.
   * Event publishing on the configuration set is all CDK can configure; for feedback on mail sent
   * without it (none of ours), set the identity's bounce/complaint notifications to this topic in
   * the SES console. SES must be out of the sandbox to mail subscribers at all.
   */
  const feedbackTopic = new Topic(stack, "SesFeedback", {
    subscribers: { suppress: { function: { handler: backgroundFunctions.sesFeedback.handler, timeout: 30, memorySize: 256 } } },
  });
  // The event destination adds the topic policy itself: SES may publish only from this account's
  // configuration set (AWS:SourceAccount and AWS:SourceArn conditions), so no grant of our own.
  const sourceArn = stack.formatArn({ service: "ses", resource: "configuration-set", resourceName: configurationSet.configurationSetName });
  configurationSet.addEventDestination("BouncesAndComplaints", {
    destination: EventDestination.snsTopic(feedbackTopic.cdk.topic),
    events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
  });
  const [feedback] = feedbackTopic.subscriberFunctions;
  // Only suppression items are written.
  feedback!.attachPermissions([new PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [table.tableArn] })]);
  /*
   * The checker shares the account's concurrency pool with the API (new accounts may have 10 in all):
   * at most CHECKER_MAX_CONCURRENCY invocations, so a surge of checks or hanging targets cannot
   * throttle the API. Ten invocations of one message each take ~400 checks a second (~24,000
   * one-minute monitors); raise it with the account quota (docs/deploying.md).
   */
  consume(stack, checks, checker, queueSettings.checks, deploy.CHECKER_MAX_CONCURRENCY);
  consume(stack, alerts, alerter, queueSettings.alerts);

  const data = table.cdk.table;
  // The tick reads due monitors and maintenance, writes its per-minute claim item and moves maintenance.
  data.grantReadData(tick);
  tick.attachPermissions([
    // DeleteItem: a failed fan-out releases its window claim so EventBridge's retry can redo it.
    new PolicyStatement({ actions: ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources: [table.tableArn] }),
  ]);
  checks.cdk.queue.grantSendMessages(tick);
  alerts.cdk.queue.grantSendMessages(tick); // maintenance starting and ending: subscriber mail

  // The rollup job reads monitors and results, and writes only rollup items and its watermark.
  data.grantReadData(rollup);
  rollup.attachPermissions([
    new PolicyStatement({ actions: ["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], resources: [table.tableArn] }),
  ]);

  data.grantReadWriteData(checker);
  checks.cdk.queue.grantSendMessages(checker); // delayed re-checks
  alerts.cdk.queue.grantSendMessages(checker);

  data.grantReadWriteData(alerter);
  alerts.cdk.queue.grantSendMessages(alerter); // status-page subscriber fan-out
  /*
   * SES authorizes a send against the sender's identity, the configuration set and, in the sandbox,
   * the recipient's identity too: a grant naming only the sender's identity fails every mail there
   * with AccessDenied. So any identity of this account, but only From MAIL_FROM.
   */
  alerter.attachPermissions([
    new PolicyStatement({
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [stack.formatArn({ service: "ses", resource: "identity", resourceName: "*" }), sourceArn],
      conditions: { StringEquals: { "ses:FromAddress": mail.address } },
    }),
  ]);

  // ---- alert channels ----
  const deliverer = new Function(stack, "ChannelDelivery", {
    handler: backgroundFunctions.channelDelivery.handler,
    timeout: queueSettings.deliveries.functionTimeoutSec,
    memorySize: 256,
    bind: [channelKey],
  });
  consume(stack, deliveries, deliverer, queueSettings.deliveries);
  data.grantReadWriteData(deliverer);
  deliveries.cdk.queue.grantSendMessages(deliverer); // retries, delayed
  deliveries.cdk.queue.grantSendMessages(alerter); // fan-out of incident news to channels
  alertBus.grantPutEventsTo(deliverer);
  // Email channels and the broken-channel notice mail like the alert function, From MAIL_FROM only.
  deliverer.attachPermissions([
    new PolicyStatement({
      actions: ["ses:SendEmail", "ses:SendRawEmail"],
      resources: [stack.formatArn({ service: "ses", resource: "identity", resourceName: "*" }), sourceArn],
      conditions: { StringEquals: { "ses:FromAddress": mail.address } },
    }),
  ]);

  return {
    checksQueue: checks,
    alertsQueue: alerts,
    deliveriesQueue: deliveries,
    alertBus,
    channelKey,
    environment,
    defaultPermissions,
    jwtSecret,
    sesFeedbackTopic: feedbackTopic,
    functions: { tick, checker, alerter, deliverer },
  };
}
