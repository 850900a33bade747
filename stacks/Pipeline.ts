import { Duration } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { ConfigurationSet, EmailSendingEvent, EventDestination } from "aws-cdk-lib/aws-ses";
import { EventBus } from "aws-cdk-lib/aws-events";
import { Config, Cron, Function, Queue, Stack, StackContext, Topic, use } from "sst/constructs";
import { queueSettings, type QueueName } from "@uptime/core/platform/queues";
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

/**
 * No maximum concurrency: Lambda adds invocations while others wait on slow targets (a batch
 * lasts as long as its slowest check, up to 30 s), so a hanging site never holds the queue.
 */
function consume(stack: Stack, queue: Queue, fn: Function, s: Settings) {
  queue.addConsumer(stack, {
    function: fn,
    cdk: {
      eventSource: {
        batchSize: s.batchSize,
        // CDK rejects any batching window (even 0) on FIFO sources.
        maxBatchingWindow: s.fifo ? undefined : Duration.seconds(s.maxBatchingWindowSec),
        reportBatchItemFailures: true,
      },
    },
  });
}

/** MAIL_FROM is fixed at synth time so the SES grant can name its identity instead of "*". */
function mailFrom() {
  const address = process.env.MAIL_FROM ?? "alerts@example.com";
  const domain = /^[^@\s<>]+@([^@\s<>]+)$/.exec(address)?.[1];
  if (!domain) throw new Error(`MAIL_FROM must be a bare email address, got "${address}"`);
  return { address, domain };
}

export function Pipeline({ stack, app }: StackContext) {
  const { table } = use(Storage);
  const checks = queueWithDlq(stack, "Checks", queueSettings.checks);
  const alerts = queueWithDlq(stack, "Alerts", queueSettings.alerts);
  const mail = mailFrom();
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
    // The API's public address, for links in emails (recipient confirmations); the stack cannot know it before the API exists.
    ...(process.env.PUBLIC_URL ? { PUBLIC_URL: process.env.PUBLIC_URL } : {}),
  };
  stack.addDefaultFunctionEnv(environment);

  const tick = new Cron(stack, "Tick", {
    schedule: "rate(1 minute)",
    // Must finish well inside its one-minute window.
    job: { function: { handler: backgroundFunctions.tick.handler, timeout: 50, memorySize: 256 } },
  }).jobFunction;
  const rollup = new Cron(stack, "Rollup", {
    // Twelve minutes past the hour: the hour just ended, once late results are in (ROLLUP_GRACE_SEC,
    // ~10 minutes: redeliveries of a check message). A missed run is caught up by the next one.
    schedule: "cron(12 * * * ? *)",
    job: { function: { handler: backgroundFunctions.rollup.handler, timeout: 900, memorySize: 512 } },
  }).jobFunction;
  const checker = new Function(stack, "CheckConsumer", {
    handler: backgroundFunctions.checkConsumer.handler,
    timeout: queueSettings.checks.functionTimeoutSec,
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
  feedbackTopic.cdk.topic.grantPublish(new ServicePrincipal("ses.amazonaws.com"));
  configurationSet.addEventDestination("BouncesAndComplaints", {
    destination: EventDestination.snsTopic(feedbackTopic.cdk.topic),
    events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
  });
  const [feedback] = feedbackTopic.subscriberFunctions;
  // Only suppression items are written.
  feedback!.attachPermissions([new PolicyStatement({ actions: ["dynamodb:PutItem"], resources: [table.tableArn] })]);
  consume(stack, checks, checker, queueSettings.checks);
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
  // SES authorizes against whichever identity is verified: the address or its domain.
  const identities = [
    ...[mail.address, mail.domain].map((name) => stack.formatArn({ service: "ses", resource: "identity", resourceName: name })),
    // Sending with a configuration set is authorized against it too.
    stack.formatArn({ service: "ses", resource: "configuration-set", resourceName: configurationSet.configurationSetName }),
  ];
  alerter.attachPermissions([
    new PolicyStatement({ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: identities }),
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
  // Email channels and the broken-channel notice mail like the alert function.
  deliverer.attachPermissions([new PolicyStatement({ actions: ["ses:SendEmail", "ses:SendRawEmail"], resources: identities })]);

  return { checksQueue: checks, alertsQueue: alerts, deliveriesQueue: deliveries, alertBus, channelKey, environment, jwtSecret, sesFeedbackTopic: feedbackTopic };
}
