import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TextWidget, TreatMissingData, type IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue as SqsQueue, type IQueue } from "aws-cdk-lib/aws-sqs";
import { StackContext, Topic, use } from "sst/constructs";
import { METRIC_NAMESPACE, type MetricName } from "@uptime/core/platform/telemetry";
import { Pipeline } from "./Pipeline";
import { Storage } from "./Storage";

/**
 * SES reviews an account at a 5% bounce rate and 0.1% complaint rate (and may pause sending at
 * 10% and 0.5%); these alarms fire before the review does.
 */
export const SES_BOUNCE_RATE_ALARM = 0.04;
export const SES_COMPLAINT_RATE_ALARM = 0.0008;
/** Check or alert function errors in five minutes before the operator hears of it. */
export const FUNCTION_ERRORS_ALARM = 5;
/** A check stored more than one tick window after its slot: the fleet is falling behind. */
export const SLOT_LAG_ALARM_MS = 60_000;

/** The dead-letter queue Pipeline attached to a queue it created. */
function deadLetterQueueOf(queue: IQueue): IQueue {
  const dlq = queue instanceof SqsQueue ? queue.deadLetterQueue?.queue : undefined;
  if (!dlq) throw new Error(`${queue.node.id} has no dead-letter queue`);
  return dlq;
}

/** The operator's address comes from the deploy environment (or `.env.<stage>`), like MAIL_FROM. */
function operatorEmail(): string | undefined {
  const address = process.env.OPERATOR_EMAIL?.trim();
  if (!address) return undefined;
  if (!/^[^@\s<>]+@[^@\s<>]+$/.test(address)) throw new Error(`OPERATOR_EMAIL must be a bare email address, got "${address}"`);
  return address;
}

/**
 * Whoever deploys a stage runs a monitoring system: these alarms tell them when it stopped
 * monitoring (no tick, checks falling behind, messages dead-lettered, errors, SES reputation,
 * DynamoDB throttling), through one SNS topic that mails OPERATOR_EMAIL.
 */
export function Monitoring({ stack, app }: StackContext) {
  const { table } = use(Storage);
  const { checksQueue, alertsQueue, deliveriesQueue, functions } = use(Pipeline);

  const topic = new Topic(stack, "OperatorAlarms");
  const email = operatorEmail();
  if (email) topic.cdk.topic.addSubscription(new EmailSubscription(email));
  const notify = new SnsAction(topic.cdk.topic);

  // Powertools adds the service dimension to every document; ours add the stage.
  const ours = (name: MetricName, statistic: string, period = Duration.minutes(1)) =>
    new Metric({ namespace: METRIC_NAMESPACE, metricName: name, dimensionsMap: { service: "uptime", stage: app.stage }, statistic, period });

  const alarm = (id: string, description: string, metric: IMetric, threshold: number, periods: number, opts: { missing?: TreatMissingData; below?: boolean } = {}) => {
    const a = new Alarm(stack, id, {
      alarmName: `${app.name}-${app.stage}-${id}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      comparisonOperator: opts.below ? ComparisonOperator.LESS_THAN_THRESHOLD : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: opts.missing ?? TreatMissingData.NOT_BREACHING,
    });
    a.addAlarmAction(notify);
    a.addOkAction(notify);
    return a;
  };

  // A tick that failed or never ran emits nothing: missing data is the failure.
  alarm("TickStopped", "The tick has not run for 3 minutes: no check is being scheduled.", ours("TickRan", "Sum"), 1, 3, { below: true, missing: TreatMissingData.BREACHING });
  const dlqs = [
    ["ChecksDeadLetters", checksQueue],
    ["AlertsDeadLetters", alertsQueue],
    // Alert channel deliveries (issue 16): a delivery our own storage kept failing.
    ["DeliveriesDeadLetters", deliveriesQueue],
  ] as const;
  for (const [id, queue] of dlqs) {
    const dlq = deadLetterQueueOf(queue.cdk.queue);
    alarm(id, `A message reached ${id === "ChecksDeadLetters" ? "the checks" : id === "AlertsDeadLetters" ? "the alerts" : "the channel deliveries"} dead-letter queue: a check, mail or channel delivery was given up after every retry.`, dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }), 1, 1);
  }
  for (const [id, fn] of [["CheckerErrors", functions.checker], ["AlertErrors", functions.alerter], ["TickErrors", functions.tick]] as const) {
    alarm(id, `The ${fn.node.id} function failed ${FUNCTION_ERRORS_ALARM} or more times in 5 minutes.`, fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }), FUNCTION_ERRORS_ALARM, 1);
  }
  alarm("SlotLag", `Checks are stored more than ${SLOT_LAG_ALARM_MS / 1000} s after their slot (p95) for 5 minutes.`, ours("SlotLagMs", "p95"), SLOT_LAG_ALARM_MS, 5);
  const ses = (name: string) => new Metric({ namespace: "AWS/SES", metricName: name, statistic: "Maximum", period: Duration.hours(1) });
  alarm("SesBounceRate", `SES bounce rate at ${SES_BOUNCE_RATE_ALARM * 100}%: SES reviews the account at 5%.`, ses("Reputation.BounceRate"), SES_BOUNCE_RATE_ALARM, 1);
  alarm("SesComplaintRate", `SES complaint rate at ${SES_COMPLAINT_RATE_ALARM * 100}%: SES reviews the account at 0.1%.`, ses("Reputation.ComplaintRate"), SES_COMPLAINT_RATE_ALARM, 1);
  const throttles = new MathExpression({
    expression: "reads + writes",
    usingMetrics: {
      reads: table.cdk.table.metric("ReadThrottleEvents", { statistic: "Sum", period: Duration.minutes(5) }),
      writes: table.cdk.table.metric("WriteThrottleEvents", { statistic: "Sum", period: Duration.minutes(5) }),
    },
    period: Duration.minutes(5),
  });
  alarm("DynamoThrottling", "DynamoDB throttled reads or writes on the table.", throttles, 1, 1);

  const dashboard = new Dashboard(stack, "Dashboard", { dashboardName: `${app.name}-${app.stage}` });
  const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width: 12, height: 6 });
  dashboard.addWidgets(
    new TextWidget({ markdown: `# ${app.name} ${app.stage}\nAlarms mail the OperatorAlarms topic. What each means: docs/operating.md.`, width: 24, height: 2 }),
  );
  dashboard.addWidgets(
    graph("Checks per minute", [ours("ChecksCompleted", "Sum"), ours("ChecksFailed", "Sum")]),
    graph("Slot lag (ms)", [ours("SlotLagMs", "p50"), ours("SlotLagMs", "p95")]),
  );
  dashboard.addWidgets(
    graph("Tick", [ours("TickDurationMs", "Maximum")], [ours("JobsEnqueued", "Sum")]),
    graph("Mail and alerts", [
      ours("MailsSent", "Sum"),
      // Alerts carry the channel type as a dimension of their own: one line per channel.
      ...(["AlertsSent", "AlertsFailed"] as const).map(
        (name) => new MathExpression({ expression: `SEARCH('{${METRIC_NAMESPACE},channel,service,stage} MetricName="${name}" stage="${app.stage}"', 'Sum', 60)`, label: name, period: Duration.minutes(1) }),
      ),
    ]),
  );
  dashboard.addWidgets(
    graph("Dead-letter queues", dlqs.map(([, q]) => deadLetterQueueOf(q.cdk.queue).metricApproximateNumberOfMessagesVisible({ statistic: "Maximum" }))),
    graph("Function errors and DynamoDB throttles", [functions.checker.metricErrors(), functions.alerter.metricErrors(), functions.tick.metricErrors()], [throttles]),
  );

  stack.addOutputs({ OperatorAlarmsTopicArn: topic.topicArn });
  return { operatorTopic: topic, dashboard };
}
