import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Template } from "aws-cdk-lib/assertions";
import { initProject } from "sst/project.js";
import { App, getStack } from "sst/constructs";
import { createTableInput, tableSchema } from "@uptime/core/platform/table";
import { queueSettings, type QueueName } from "@uptime/core/platform/queues";
import { config } from "@uptime/core/platform/config";
import {
  apiFunctions,
  apiRoutes,
  backgroundFunctions,
  defaultRouteFunction,
  type ApiFunctionName,
} from "@uptime/functions/api/routes";
import sstConfig from "../sst.config";
import { Storage } from "./Storage";
import { Pipeline } from "./Pipeline";
import { Api } from "./Api";
import { ORIGIN_VERIFY_HEADER, VIEWER_ADDRESS_HEADER } from "@uptime/functions/api/edge-headers";
import { apiPaths, Web } from "./Web";
import { FUNCTION_ERRORS_ALARM, Monitoring, SES_BOUNCE_RATE_ALARM, SES_COMPLAINT_RATE_ALARM, SLOT_LAG_ALARM_MS } from "./Monitoring";
import { METRIC_NAMESPACE } from "@uptime/core/platform/telemetry";

/*
 * Synthesizes the real app offline (every handler is bundled by esbuild, nothing is deployed)
 * and checks the CloudFormation that `sst deploy` would submit.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const STATUS_CERTIFICATE = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
// Non-default values, so the test proves they flow through rather than matching defaults.
const synthEnv = {
  MAIL_FROM: "alerts@status.example.org",
  PUBLIC_URL: "cloudfront",
  WEB_ORIGIN: "https://app.example.org",
  RESULT_RETENTION_DAYS: "45",
  OPERATOR_EMAIL: "oncall@example.org",
  STATUS_DOMAINS: "Status.Acme.example, *.status.example.org",
  STATUS_DOMAINS_CERTIFICATE_ARN: STATUS_CERTIFICATE,
  // App.finish() only skips AWS look-ups (bootstrap bucket) when NODE_ENV is "test".
  NODE_ENV: "test",
};
const savedEnv: Record<string, string | undefined> = {};
// The runtime default, read before the deploy-time environment (PUBLIC_URL=cloudfront is not a runtime value).
const rollupGraceSec = config().ROLLUP_GRACE_SEC;
const savedCwd = process.cwd();
// CDK would otherwise leave a cdk.out copy of every bundle in the system temp dir on each run.
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "uptime-synth-"));

type Resource = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
let storage: Template;
let pipeline: Template;
let api: Template;
let web: Template;
let monitoring: Template;

beforeAll(async () => {
  process.chdir(root); // handler paths are relative to the repo root
  await initProject({ stage: "test" }); // loads .env files, so our overrides come after
  for (const [k, v] of Object.entries(synthEnv)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  const app = new App(
    { mode: "deploy", stage: "test", name: "uptime", region: REGION, account: ACCOUNT },
    { outdir },
  );
  await sstConfig.stacks(app);
  await app.finish();
  storage = Template.fromStack(getStack(Storage));
  pipeline = Template.fromStack(getStack(Pipeline));
  api = Template.fromStack(getStack(Api));
  web = Template.fromStack(getStack(Web));
  monitoring = Template.fromStack(getStack(Monitoring));
}, 300_000); // bundling every function takes over two minutes on a busy shared machine

afterAll(() => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.chdir(savedCwd);
  fs.rmSync(outdir, { recursive: true, force: true });
});

/** Synthesizes only the Storage stack (fast: no bundling) for a stage, with this environment. */
async function synthStorage(stage: string, env: Record<string, string | undefined>): Promise<Template> {
  const saved = { ...process.env };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "uptime-synth-storage-"));
  try {
    for (const k of ["MAIL_FROM", "PUBLIC_URL", "PRODUCTION", "STATUS_DOMAINS", "STATUS_DOMAINS_CERTIFICATE_ARN"]) delete process.env[k];
    for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
    const app = new App({ mode: "deploy", stage, name: "uptime", region: REGION, account: ACCOUNT }, { outdir: dir });
    app.stack(Storage);
    await app.finish();
    return Template.fromStack(getStack(Storage));
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- helpers over the synthesized templates ----

const templates = () => [storage, pipeline, api];
const resources = (t: Template, type: string) => Object.entries(t.findResources(type)) as [string, Resource][];
function only(t: Template, type: string): [string, Resource] {
  const found = resources(t, type);
  expect(found, type).toHaveLength(1);
  return found[0];
}
const resource = (t: Template, id: string) => t.toJSON().Resources[id] as Resource;
/** SST functions carry SST_APP; CDK's helper Lambdas (log retention, custom resources) do not. */
const sstFunctions = (t: Template) =>
  resources(t, "AWS::Lambda::Function").filter(([, r]) => r.Properties.Environment?.Variables?.SST_APP);
const allSstFunctions = () => templates().flatMap((t) => sstFunctions(t).map(([id, r]) => ({ t, id, r })));
function fnByHandler(t: Template, handler: string): [string, Resource] {
  const found = sstFunctions(t).filter(([, r]) => r.Properties.Handler === handler);
  expect(found, handler).toHaveLength(1);
  return found[0];
}
function statementsOf(t: Template, fnId: string): Statement[] {
  const roleId = resource(t, fnId).Properties.Role["Fn::GetAtt"][0];
  return resources(t, "AWS::IAM::Policy")
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}
const actions = (s: Statement) => [s.Action].flat();
const targets = (s: Statement) => [s.Resource].flat();
const granting = (stmts: Statement[], action: string) => stmts.filter((s) => actions(s).includes(action));
/** Renders intrinsic functions to a string so ARNs can be compared. */
function str(v: any): string {
  if (typeof v === "string") return v;
  if (v["Fn::Join"]) return v["Fn::Join"][1].map(str).join(v["Fn::Join"][0]);
  if (v.Ref) return `\${${v.Ref}}`;
  return JSON.stringify(v);
}
/** Whether a value (Ref, GetAtt or cross-stack import) points at the given logical id. */
const refersTo = (v: unknown, logicalId: string) => JSON.stringify(v).includes(logicalId);
/** Logical id of a main (non-DLQ) queue, found by the name SST gives it. */
function queueId(name: QueueName): string {
  const queueName = `test-uptime-${name[0].toUpperCase()}${name.slice(1)}${queueSettings[name].fifo ? ".fifo" : ""}`;
  const found = resources(pipeline, "AWS::SQS::Queue").filter(([, q]) => q.Properties.QueueName === queueName);
  expect(found, queueName).toHaveLength(1);
  return found[0][0];
}

// ---- Storage ----

describe("Storage", () => {
  it("builds the single table from tableSchema", () => {
    const [, table] = only(storage, "AWS::DynamoDB::Table");
    const p = table.Properties;
    expect(p.KeySchema).toEqual([
      { AttributeName: tableSchema.primaryIndex.partitionKey, KeyType: "HASH" },
      { AttributeName: tableSchema.primaryIndex.sortKey, KeyType: "RANGE" },
    ]);
    expect(p.GlobalSecondaryIndexes).toEqual(
      Object.entries(tableSchema.globalIndexes).map(([IndexName, idx]) => ({
        IndexName,
        KeySchema: [
          { AttributeName: idx.partitionKey, KeyType: "HASH" },
          { AttributeName: idx.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    );
    const byName = (a: { AttributeName: string }, b: { AttributeName: string }) =>
      a.AttributeName.localeCompare(b.AttributeName);
    expect([...p.AttributeDefinitions].sort(byName)).toEqual(
      Object.entries(tableSchema.fields)
        .map(([AttributeName, type]) => ({ AttributeName, AttributeType: type === "string" ? "S" : type }))
        .sort(byName),
    );
  });

  it("matches the table the local emulator creates", () => {
    const p = only(storage, "AWS::DynamoDB::Table")[1].Properties;
    const local = createTableInput("local");
    expect(p.BillingMode).toBe(local.BillingMode);
    expect(p.KeySchema).toEqual(local.KeySchema);
    expect(p.GlobalSecondaryIndexes).toEqual(local.GlobalSecondaryIndexes);
  });

  it("is on-demand, point-in-time recoverable, expires items on expiresAt, and goes with a non-production stage", () => {
    const [, table] = only(storage, "AWS::DynamoDB::Table");
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(tableSchema.timeToLiveAttribute).toBe("expiresAt");
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    // A retained table of fixed name would make redeploying a removed stage fail ("already exists").
    expect(table.DeletionPolicy).toBe("Delete");
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
  });

  it.each([
    ["prod", {}, true],
    ["production", {}, true],
    ["staging", { PRODUCTION: "true" }, true],
    ["prod", { PRODUCTION: "false" }, false],
    ["pr-42", {}, false],
  ])("stage %s (%o): retained with deletion protection only in production", async (stage, extra, production) => {
    const table = only(await synthStorage(stage, { ...synthEnv, ...extra }), "AWS::DynamoDB::Table")[1];
    expect(table.DeletionPolicy).toBe(production ? "Retain" : "Delete");
    expect(table.UpdateReplacePolicy).toBe(production ? "Retain" : "Delete");
    expect(table.Properties.DeletionProtectionEnabled).toBe(production);
  });

  it.each(["MAIL_FROM", "PUBLIC_URL"])("fails the synthesis of a stage without %s", async (name) => {
    const env: Record<string, string | undefined> = { ...synthEnv, [name]: undefined };
    await expect(synthStorage("prod", env)).rejects.toThrow(new RegExp(`Cannot deploy stage "prod"[^]*${name}`));
    await expect(synthStorage("dev", env)).rejects.toThrow(name);
  });

  it("takes PUBLIC_URL as a custom domain's URL or \"cloudfront\", nothing else", async () => {
    await expect(synthStorage("prod", { ...synthEnv, PUBLIC_URL: "https://status.example.org" })).resolves.toBeDefined();
    await expect(synthStorage("prod", { ...synthEnv, PUBLIC_URL: "status.example.org" })).rejects.toThrow("PUBLIC_URL");
  });

  it("takes status pages' custom domains only with a certificate in us-east-1, where CloudFront reads them", async () => {
    await expect(synthStorage("prod", { ...synthEnv, STATUS_DOMAINS: "status.acme.example", STATUS_DOMAINS_CERTIFICATE_ARN: undefined })).rejects.toThrow(
      "STATUS_DOMAINS needs STATUS_DOMAINS_CERTIFICATE_ARN",
    );
    const elsewhere = STATUS_CERTIFICATE.replace("us-east-1", "eu-west-1");
    await expect(synthStorage("prod", { ...synthEnv, STATUS_DOMAINS_CERTIFICATE_ARN: elsewhere })).rejects.toThrow("must be an ACM certificate in us-east-1");
    await expect(synthStorage("prod", { ...synthEnv, STATUS_DOMAINS: "status acme" })).rejects.toThrow("STATUS_DOMAINS must be hostnames");
  });
});

// ---- Pipeline ----

const consumerHandlers: Record<QueueName, string> = {
  checks: backgroundFunctions.checkConsumer.handler,
  alerts: backgroundFunctions.alertConsumer.handler,
  deliveries: backgroundFunctions.channelDelivery.handler,
};

describe("Pipeline", () => {
  it("has exactly the three queues and their dead-letter queues", () => {
    expect(resources(pipeline, "AWS::SQS::Queue")).toHaveLength(6);
  });

  it.each(Object.keys(queueSettings) as QueueName[])("%s queue: redrive, visibility, FIFO-ness", (name) => {
    const s = queueSettings[name];
    const q = resource(pipeline, queueId(name)).Properties;
    expect(q.VisibilityTimeout).toBe(s.visibilityTimeoutSec);
    expect(q.RedrivePolicy.maxReceiveCount).toBe(s.maxReceiveCount);
    // AWS's advice: throttled receives count too, so fewer would dead-letter work Lambda never saw.
    expect(q.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const dlqId = q.RedrivePolicy.deadLetterTargetArn["Fn::GetAtt"][0];
    const dlq = resource(pipeline, dlqId).Properties;
    expect(dlq.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    if (s.fifo) {
      expect(q.FifoQueue).toBe(true);
      expect(q.ContentBasedDeduplication).toBe(false);
      expect(dlq.FifoQueue).toBe(true);
      expect(dlq.QueueName).toMatch(/\.fifo$/);
    } else {
      expect(q.FifoQueue).toBeUndefined();
      expect(dlq.FifoQueue).toBeUndefined();
    }
  });

  it.each(Object.keys(queueSettings) as QueueName[])("%s consumer: batching, partial failures, timeout", (name) => {
    const s = queueSettings[name];
    const queue = queueId(name);
    const mappings = resources(pipeline, "AWS::Lambda::EventSourceMapping").filter(([, m]) =>
      refersTo(m.Properties.EventSourceArn, queue),
    );
    expect(mappings).toHaveLength(1);
    const m = mappings[0][1].Properties;
    expect(m.BatchSize).toBe(s.batchSize);
    expect(m.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect(m.MaximumBatchingWindowInSeconds).toBe(s.fifo ? undefined : s.maxBatchingWindowSec);
    const [fnId, fn] = fnByHandler(pipeline, consumerHandlers[name]);
    expect(m.FunctionName).toEqual({ Ref: fnId });
    expect(fn.Properties.Timeout).toBe(s.functionTimeoutSec);
    // AWS: visibility timeout at least 6x the consumer timeout, or retried batches get redelivered early.
    expect(resource(pipeline, queue).Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
  });

  it("caps the checks consumer's concurrency (the API shares the pool) and sizes it for honest latencies", () => {
    const [, mapping] = resources(pipeline, "AWS::Lambda::EventSourceMapping").find(([, m]) => refersTo(m.Properties.EventSourceArn, queueId("checks")))!;
    // Unbounded, the checker could take the whole account pool (10 on new accounts) and throttle the API.
    expect(mapping.Properties.ScalingConfig?.MaximumConcurrency).toBe(10);
    // One message (at most 10 checks) per invocation: 100 probes on one thread measure their own queueing.
    expect(mapping.Properties.BatchSize).toBe(1);
    const [, checker] = fnByHandler(pipeline, consumerHandlers.checks);
    expect(checker.Properties.MemorySize).toBe(512);
    // The slowest check a monitor may ask for (timeoutMs up to 30 s), plus its writes, fits in one invocation.
    expect(checker.Properties.Timeout).toBeGreaterThan(30);
  });

  /** The one schedule rule that invokes this function. */
  function ruleFor(fnId: string): Resource {
    const found = resources(pipeline, "AWS::Events::Rule").filter(([, r]) => refersTo(r.Properties.Targets, fnId));
    expect(found, fnId).toHaveLength(1);
    return found[0][1];
  }

  it("has exactly two schedules: the tick and the rollup job", () => {
    expect(resources(pipeline, "AWS::Events::Rule")).toHaveLength(2);
  });

  it("runs the tick every minute, finishing within the minute", () => {
    const [tickId, tick] = fnByHandler(pipeline, backgroundFunctions.tick.handler);
    const rule = ruleFor(tickId);
    expect(rule.Properties.ScheduleExpression).toBe("rate(1 minute)");
    expect(rule.Properties.State).toBe("ENABLED");
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ "Fn::GetAtt": [tickId, "Arn"] });
    expect(tick.Properties.Timeout).toBeLessThan(60);
  });

  it("drops tick events older than two minutes instead of retrying them for hours", () => {
    const [tickId] = fnByHandler(pipeline, backgroundFunctions.tick.handler);
    expect(ruleFor(tickId).Properties.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 120, MaximumRetryAttempts: 1 });
    const configs = resources(pipeline, "AWS::Lambda::EventInvokeConfig").filter(([, c]) => refersTo(c.Properties.FunctionName, tickId));
    expect(configs).toHaveLength(1);
    expect(configs[0][1].Properties).toMatchObject({ MaximumEventAgeInSeconds: 120, MaximumRetryAttempts: 1 });
  });

  it("runs the rollup job hourly, after the hour's late results are in", () => {
    const [rollupId] = fnByHandler(pipeline, backgroundFunctions.rollup.handler);
    const rule = ruleFor(rollupId);
    expect(rule.Properties.ScheduleExpression).toBe("cron(20 * * * ? *)");
    // The run must come after the grace for late results, or late redeliveries are never counted.
    expect(20 * 60).toBeGreaterThanOrEqual(rollupGraceSec);
    expect(rule.Properties.State).toBe("ENABLED");
    expect(rule.Properties.Targets[0].Arn).toEqual({ "Fn::GetAtt": [rollupId, "Arn"] });
  });

  it("rollup job: reads the table, writes only rollups and its watermark, sends no messages", () => {
    const [rollupId] = fnByHandler(pipeline, backgroundFunctions.rollup.handler);
    const stmts = statementsOf(pipeline, rollupId);
    expect(granting(stmts, "dynamodb:Query")).toHaveLength(1);
    const writes = stmts.flatMap(actions).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a));
    expect(writes.sort()).toEqual(["dynamodb:BatchWriteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    expect(granting(stmts, "sqs:SendMessage")).toHaveLength(0);
  });

  it("tick: reads the table, writes its claim and maintenance, sends to the checks queue and the alerts queue (subscriber mail)", () => {
    const [tickId] = fnByHandler(pipeline, backgroundFunctions.tick.handler);
    const stmts = statementsOf(pipeline, tickId);
    expect(granting(stmts, "dynamodb:Query")).toHaveLength(1);
    const writes = stmts.flatMap(actions).filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a));
    expect(writes.sort()).toEqual(["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
    const sends = granting(stmts, "sqs:SendMessage").flatMap(targets);
    expect(sends).toHaveLength(2);
    expect(sends.some((r) => refersTo(r, queueId("checks")))).toBe(true);
    expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
  });

  it("check consumer: reads/writes the table, sends to both queues", () => {
    const [id] = fnByHandler(pipeline, backgroundFunctions.checkConsumer.handler);
    const stmts = statementsOf(pipeline, id);
    for (const a of ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"]) expect(granting(stmts, a)).toHaveLength(1);
    const sends = granting(stmts, "sqs:SendMessage").flatMap(targets);
    expect(sends).toHaveLength(2);
    expect(sends.some((r) => refersTo(r, queueId("checks")))).toBe(true);
    expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
  });

  it("alert consumer: reads/writes the table, may email only From MAIL_FROM (to any recipient identity: the sandbox checks those too), sends to the alerts queue (subscriber fan-out) and the deliveries queue (channels)", () => {
    const [id] = fnByHandler(pipeline, backgroundFunctions.alertConsumer.handler);
    const stmts = statementsOf(pipeline, id);
    expect(granting(stmts, "dynamodb:PutItem")).toHaveLength(1);
    const sends = granting(stmts, "sqs:SendMessage").flatMap(targets);
    expect(sends).toHaveLength(2);
    expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
    expect(sends.some((r) => refersTo(r, queueId("deliveries")))).toBe(true);
    const ses = stmts.filter((s) => actions(s).some((a) => a.startsWith("ses:")));
    expect(ses).toHaveLength(1);
    expect(actions(ses[0]).sort()).toEqual(["ses:SendEmail", "ses:SendRawEmail"]);
    const [setId] = only(pipeline, "AWS::SES::ConfigurationSet");
    const resources = targets(ses[0]);
    expect(resources.filter((r) => typeof r === "string" || !refersTo(r, setId)).map(str)).toEqual([`arn:\${AWS::Partition}:ses:${REGION}:${ACCOUNT}:identity/*`]);
    expect(resources.some((r) => refersTo(r, setId))).toBe(true);
    expect((ses[0] as any).Condition).toEqual({ StringEquals: { "ses:FromAddress": synthEnv.MAIL_FROM } });
  });

  it("SES bounces and complaints reach the sesFeedback function through SNS, which may only write suppression items", () => {
    const [setId] = only(pipeline, "AWS::SES::ConfigurationSet");
    const [topicId] = only(pipeline, "AWS::SNS::Topic");
    const [, dest] = only(pipeline, "AWS::SES::ConfigurationSetEventDestination");
    expect(dest.Properties.ConfigurationSetName).toEqual({ Ref: setId });
    expect(dest.Properties.EventDestination.Enabled).toBe(true);
    expect(dest.Properties.EventDestination.MatchingEventTypes.sort()).toEqual(["bounce", "complaint"]);
    expect(dest.Properties.EventDestination.SnsDestination.TopicARN).toEqual({ Ref: topicId });
    const [fnId] = fnByHandler(pipeline, backgroundFunctions.sesFeedback.handler);
    const [, sub] = only(pipeline, "AWS::SNS::Subscription");
    expect(sub.Properties.TopicArn).toEqual({ Ref: topicId });
    expect(sub.Properties.Endpoint).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
    const [, policy] = only(pipeline, "AWS::SNS::TopicPolicy");
    const sesStatements = (policy.Properties.PolicyDocument.Statement as any[]).filter((st) => JSON.stringify(st.Principal).includes("ses.amazonaws.com"));
    expect(sesStatements).toHaveLength(1);
    // Only this account's configuration set may publish: no statement lets any SES sender in.
    expect(sesStatements[0].Condition.StringEquals["AWS:SourceAccount"]).toBe(ACCOUNT);
    expect(str(sesStatements[0].Condition.StringEquals["AWS:SourceArn"])).toContain(`:ses:${REGION}:${ACCOUNT}:configuration-set/`);
    const writes = statementsOf(pipeline, fnId).flatMap(actions).filter((a) => a.startsWith("dynamodb:"));
    expect(writes).toEqual(["dynamodb:PutItem"]);
    // Every function sends through the configuration set.
    for (const { r } of allSstFunctions()) expect(refersTo(r.Properties.Environment.Variables.SES_CONFIGURATION_SET, setId), r.Properties.Handler).toBe(true);
  });

  it("grants SES to no other function", () => {
    const sesHolders = allSstFunctions().filter(({ t, id }) =>
      statementsOf(t, id).some((s) => actions(s).some((a) => a.startsWith("ses:"))),
    );
    expect(sesHolders.map(({ r }) => r.Properties.Handler).sort()).toEqual([backgroundFunctions.alertConsumer.handler, backgroundFunctions.channelDelivery.handler].sort());
  });

  it("channel delivery: one EventBridge bus, PutEvents granted only on it, to the delivery function and the channels API (send test)", () => {
    const [busId, bus] = only(pipeline, "AWS::Events::EventBus");
    expect(bus.Properties.Name).toMatch(/alerts$/);
    const [deliverId, deliverer] = fnByHandler(pipeline, backgroundFunctions.channelDelivery.handler);
    expect(refersTo(deliverer.Properties.Environment.Variables.EVENT_BUS_NAME, busId)).toBe(true);
    const holders = allSstFunctions().filter(({ t, id }) => granting(statementsOf(t, id), "events:PutEvents").length > 0);
    expect(holders.map(({ r }) => r.Properties.Handler).sort()).toEqual([backgroundFunctions.channelDelivery.handler, apiFunctions.channels.handler].sort());
    for (const { t, id } of holders) {
      const put = granting(statementsOf(t, id), "events:PutEvents").flatMap(targets);
      expect(put.length).toBeGreaterThan(0);
      // Scoped to the bus (its ARN, imported across stacks for the API), never "*".
      for (const r of put) expect(str(r)).not.toBe("*");
    }
    expect(granting(statementsOf(pipeline, deliverId), "events:PutEvents").flatMap(targets).every((r) => refersTo(r, busId))).toBe(true);
    const sends = granting(statementsOf(pipeline, deliverId), "sqs:SendMessage").flatMap(targets);
    expect(sends).toHaveLength(1);
    expect(refersTo(sends[0], queueId("deliveries"))).toBe(true);
  });

  it("binds the channel secret key only to the delivery function and the channels API", () => {
    for (const { r } of allSstFunctions()) {
      const bound = r.Properties.Environment.Variables.SST_Secret_value_CHANNEL_SECRET_KEY !== undefined;
      const expected = [backgroundFunctions.channelDelivery.handler, apiFunctions.channels.handler].includes(r.Properties.Handler);
      expect(bound, r.Properties.Handler).toBe(expected);
    }
  });
});

// ---- Api ----

describe("Api", () => {
  const apiFn = (name: ApiFunctionName) => fnByHandler(api, apiFunctions[name].handler);

  it("declares exactly the routes in apiRoutes plus $default", () => {
    const keys = resources(api, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey);
    expect(keys.sort()).toEqual([...Object.keys(apiRoutes), "$default"].sort());
  });

  it("sends each route to the Lambda for its function name", () => {
    const expected: Record<string, ApiFunctionName> = { ...apiRoutes, $default: defaultRouteFunction };
    for (const [, route] of resources(api, "AWS::ApiGatewayV2::Route")) {
      const integrationId = route.Properties.Target["Fn::Join"][1][1].Ref;
      const uri = resource(api, integrationId).Properties.IntegrationUri;
      const [fnId] = apiFn(expected[route.Properties.RouteKey]);
      expect(uri, route.Properties.RouteKey).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
    }
  });

  it("creates one Lambda per function name, shared by its routes", () => {
    const handlers = sstFunctions(api).map(([, r]) => r.Properties.Handler);
    expect(handlers.sort()).toEqual(Object.values(apiFunctions).map((f) => f.handler).sort());
  });

  it("has the statusPages function for the status pages admin API: its two routes, the table, only the alerts queue (subscriber mail)", () => {
    const [fnId, fn] = apiFn("statusPages");
    expect(fn.Properties.Handler).toBe("packages/functions/src/api/status-pages.handler");
    const integrationOf = (route: Resource) => resource(api, route.Properties.Target["Fn::Join"][1][1].Ref).Properties.IntegrationUri;
    const routes = resources(api, "AWS::ApiGatewayV2::Route").filter(([, r]) => refersTo(integrationOf(r), fnId));
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(["ANY /v1/status-pages", "ANY /v1/status-pages/{proxy+}"]);
    const stmts = statementsOf(api, fnId);
    for (const a of ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]) {
      expect(granting(stmts, a), a).toHaveLength(1);
    }
    const sends = granting(stmts, "sqs:SendMessage").flatMap(targets);
    expect(sends).toHaveLength(1);
    expect(refersTo(sends[0], queueId("alerts"))).toBe(true);
  });

  it("serves heartbeat pings from their own function on public routes: no authorizer, the token is the credential", () => {
    const [fnId, fn] = apiFn("ping");
    expect(fn.Properties.Handler).toBe("packages/functions/src/api/ping.handler");
    const integrationOf = (route: Resource) => resource(api, route.Properties.Target["Fn::Join"][1][1].Ref).Properties.IntegrationUri;
    const routes = resources(api, "AWS::ApiGatewayV2::Route").filter(([, r]) => refersTo(integrationOf(r), fnId));
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(["ANY /ping/{token}", "ANY /ping/{token}/{signal}"]);
    for (const [, r] of routes) {
      expect(r.Properties.AuthorizerId).toBeUndefined();
      expect(r.Properties.AuthorizationType ?? "NONE").toBe("NONE");
    }
    const stmts = statementsOf(api, fnId);
    for (const a of ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]) expect(granting(stmts, a), a).toHaveLength(1);
  });

  it("leaves CORS to the functions (per route: public reads for anyone, the rest for WEB_ORIGIN); preflights reach them", () => {
    const [, httpApi] = only(api, "AWS::ApiGatewayV2::Api");
    expect(httpApi.Properties.ProtocolType).toBe("HTTP");
    // API Gateway's CORS would answer every route with one policy and drop the functions' headers.
    expect(httpApi.Properties.CorsConfiguration).toBeUndefined();
    // OPTIONS of a method-specific route (POST /v1/auth/login) falls through to $default, a function.
    const routes = resources(api, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey);
    expect(routes).toContain("$default");
    for (const [, r] of sstFunctions(api)) expect(r.Properties.Environment.Variables.WEB_ORIGIN).toBe(synthEnv.WEB_ORIGIN);
  });

  it("wires the JWT secret to the API functions but docs, and the alert consumer (subscriber links) only", () => {
    const paramArn = `arn:\${AWS::Partition}:ssm:${REGION}:${ACCOUNT}:parameter/sst/uptime/test/Secret/JWT_SECRET/value`;
    for (const { t, id, r } of allSstFunctions()) {
      const isApi = (t === api && r.Properties.Handler !== apiFunctions.docs.handler) || r.Properties.Handler === backgroundFunctions.alertConsumer.handler;
      const env = r.Properties.Environment.Variables;
      expect(env.SST_Secret_value_JWT_SECRET, r.Properties.Handler).toBe(isApi ? "__FETCH_FROM_SSM__" : undefined);
      const readable = granting(statementsOf(t, id), "ssm:GetParameters").flatMap(targets).map(str);
      expect(readable.includes(paramArn), r.Properties.Handler).toBe(isApi);
    }
  });

  it("lets only the monitors function enqueue checks, and only it, auth (reset mails), publicPages (subscriber confirmations) and statusPages (subscriber news) enqueue alerts", () => {
    for (const name of Object.keys(apiFunctions) as ApiFunctionName[]) {
      const [id] = apiFn(name);
      const stmts = statementsOf(api, id);
      expect(granting(stmts, "dynamodb:PutItem"), name).toHaveLength(name === "docs" ? 0 : 1);
      const sends = granting(stmts, "sqs:SendMessage").flatMap(targets);
      if (name === "monitors") {
        expect(sends.some((r) => refersTo(r, queueId("checks")))).toBe(true);
        expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
      } else if (name === "ping") {
        // a ping that changes a heartbeat's health settles it like a check (retry jobs, incident mail)
        expect(sends, name).toHaveLength(2);
        expect(sends.some((r) => refersTo(r, queueId("checks")))).toBe(true);
        expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
      } else if (name === "channels") {
        expect(sends, name).toHaveLength(2);
        expect(sends.some((r) => refersTo(r, queueId("alerts")))).toBe(true);
        expect(sends.some((r) => refersTo(r, queueId("deliveries")))).toBe(true);
      } else if (name === "auth" || name === "publicPages" || name === "statusPages") {
        expect(sends, name).toHaveLength(1);
        expect(refersTo(sends[0], queueId("alerts"))).toBe(true);
      } else {
        expect(sends, name).toHaveLength(0);
      }
    }
  });

  it("keeps API functions inside API Gateway's 30 s limit and gives them WEB_ORIGIN", () => {
    for (const [, r] of sstFunctions(api)) {
      expect(r.Properties.Timeout).toBe(29);
      expect(r.Properties.Environment.Variables.WEB_ORIGIN).toBe(synthEnv.WEB_ORIGIN);
    }
  });

  it("grants the table per function: docs (a static page) gets no table access and no secrets", () => {
    const [docsId, docs] = apiFn("docs");
    expect(statementsOf(api, docsId).flatMap(actions).filter((a) => /^(dynamodb|sqs):/.test(a))).toEqual([]);
    // Only the public address (PUBLIC_URL=cloudfront) is read from SSM, no secret.
    expect(granting(statementsOf(api, docsId), "ssm:GetParameters").flatMap(targets).map(str).filter((arn) => arn.includes("/Secret/"))).toEqual([]);
    expect(Object.keys(docs.Properties.Environment.Variables).filter((k) => k.startsWith("SST_Secret"))).toEqual([]);
    const [authId] = apiFn("auth");
    expect(granting(statementsOf(api, authId), "dynamodb:Query")).toHaveLength(1);
  });

  it("throttles the API's default route, so a flood gets 429s rather than the account's Lambda concurrency", () => {
    const [, stage] = only(api, "AWS::ApiGatewayV2::Stage");
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
  });

  it("keeps access logs a month and removes them with the stage", () => {
    const [stageId, stage] = only(api, "AWS::ApiGatewayV2::Stage");
    const groups = resources(api, "AWS::Logs::LogGroup").filter(([id]) => refersTo(stage.Properties.AccessLogSettings.DestinationArn, id));
    expect(groups, stageId).toHaveLength(1);
    expect(groups[0][1].Properties.RetentionInDays).toBe(30);
    expect(groups[0][1].DeletionPolicy).toBe("Delete");
  });

  it("has no Secrets Manager secret ($0.40 a month each) in any stack", () => {
    for (const t of [...templates(), web]) expect(resources(t, "AWS::SecretsManager::Secret")).toHaveLength(0);
  });

  it("outputs the API URL", () => {
    const [httpApiId] = only(api, "AWS::ApiGatewayV2::Api");
    expect(api.toJSON().Outputs.ApiUrl.Value).toEqual({ "Fn::GetAtt": [httpApiId, "ApiEndpoint"] });
  });
});

// ---- every function ----

describe("Web", () => {
  const distributions = () => resources(web, "AWS::CloudFront::Distribution").map(([, d]) => d.Properties.DistributionConfig);
  // the app's distribution: the one without alternate domain names (SST's StaticSite, no customDomain)
  const distribution = () => {
    const found = distributions().filter((d) => !d.Aliases?.length);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it("sends the API's paths to API Gateway with every method, unstored but compressed except status pages", () => {
    const behaviors = distribution().CacheBehaviors as any[];
    expect(behaviors.map((b) => b.PathPattern).sort()).toEqual([...apiPaths].sort());
    const apiOrigin = (distribution().Origins as any[]).find((o) => o.Id === behaviors[0].TargetOriginId);
    // The API Gateway endpoint of the Api stack, imported across stacks.
    expect(JSON.stringify(apiOrigin.DomainName)).toMatch(/Fn::ImportValue.*ApiEndpoint/);
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe("https-only");
    for (const b of behaviors) {
      expect(b.TargetOriginId).toBe(apiOrigin.Id);
      expect(b.AllowedMethods).toEqual(expect.arrayContaining(["GET", "POST", "PATCH", "DELETE", "OPTIONS"]));
      if (b.PathPattern === "/status/*") continue;
      const policy = resource(web, b.CachePolicyId.Ref).Properties.CachePolicyConfig;
      // Nothing kept unless the origin allows it, and then a second at most; but compressed (CachingDisabled does not compress).
      expect([policy.DefaultTTL, policy.MinTTL, policy.MaxTTL]).toEqual([0, 0, 1]);
      const key = policy.ParametersInCacheKeyAndForwardedToOrigin;
      expect([key.EnableAcceptEncodingGzip, key.EnableAcceptEncodingBrotli]).toEqual([true, true]);
      // Whoever is asking is part of the key: a response is never served to another caller.
      expect(key.HeadersConfig.Headers).toEqual(expect.arrayContaining(["Authorization", "X-Org-Id"]));
      expect(key.CookiesConfig.CookieBehavior).toBe("all");
      expect(key.QueryStringsConfig.QueryStringBehavior).toBe("all");
      expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac"); // AllViewerExceptHostHeader
    }
  });

  it("puts HSTS and nosniff on every response, and frame-ancestors where the origin set none", () => {
    const [policyId, policy] = only(web, "AWS::CloudFront::ResponseHeadersPolicy");
    const h = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(h.StrictTransportSecurity).toMatchObject({ Override: true });
    expect(h.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31536000);
    expect(h.ContentTypeOptions).toEqual({ Override: true });
    // Status pages say frame-ancestors * themselves (embeddable); the policy must not overrule them.
    expect(h.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: "frame-ancestors 'none'", Override: false });
    const d = distribution();
    for (const b of [d.DefaultCacheBehavior, ...d.CacheBehaviors]) expect(b.ResponseHeadersPolicyId, b.PathPattern).toEqual({ Ref: policyId });
  });

  it("reads the app's bucket through Origin Access Control (no legacy OAI), over TLS only", () => {
    expect(resources(web, "AWS::CloudFront::CloudFrontOriginAccessIdentity")).toHaveLength(0);
    const [oacId, oac] = only(web, "AWS::CloudFront::OriginAccessControl");
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4" });
    const s3Origin = (distribution().Origins as any[]).find((o) => o.Id === distribution().DefaultCacheBehavior.TargetOriginId);
    expect(s3Origin.OriginAccessControlId).toEqual({ "Fn::GetAtt": [oacId, "Id"] });
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe("");
    const [bucketId] = only(web, "AWS::S3::Bucket");
    const [, bucketPolicy] = only(web, "AWS::S3::BucketPolicy");
    expect(bucketPolicy.Properties.Bucket).toEqual({ Ref: bucketId });
    const statements = bucketPolicy.Properties.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    expect(statements.some((st) => st.Effect === "Allow" && JSON.stringify(st.Principal).includes("cloudfront.amazonaws.com"))).toBe(true);
  });

  it("caches only hashed build files as immutable: Swagger UI's unhashed docs-assets for an hour", () => {
    const [, uploader] = only(web, "Custom::S3Uploader");
    const options = uploader.Properties.fileOptions as { files: string | string[]; cacheControl: string }[];
    const immutable = options.findIndex((o) => o.cacheControl.includes("immutable"));
    const docs = options.findIndex((o) => [o.files].flat().some((f) => f.startsWith("docs-assets/")));
    // Options apply in order, so the docs-assets rule must come after the immutable one.
    expect(docs).toBeGreaterThan(immutable);
    expect(options[docs].cacheControl).not.toContain("immutable");
  });

  it("with PUBLIC_URL=cloudfront, stores the distribution's address where every function reads it", () => {
    const params = resources(web, "AWS::SSM::Parameter").filter(([, p]) => p.Properties.Name === "/sst/uptime/test/uptime/public-url");
    expect(params).toHaveLength(1);
    const [paramId, param] = params[0];
    expect(JSON.stringify(param.Properties.Value)).toContain("DomainName");
    expect(web.toJSON().Outputs.PublicUrl.Value).toEqual(param.Properties.Value);
    expect(paramId).toBeDefined();
    const arn = `arn:\${AWS::Partition}:ssm:${REGION}:${ACCOUNT}:parameter/sst/uptime/test/uptime/public-url`;
    for (const { t, id, r } of allSstFunctions()) {
      expect(r.Properties.Environment.Variables.PUBLIC_URL_PARAMETER, r.Properties.Handler).toBe(param.Properties.Name);
      expect(r.Properties.Environment.Variables.PUBLIC_URL, r.Properties.Handler).toBeUndefined();
      expect(granting(statementsOf(t, id), "ssm:GetParameters").flatMap(targets).map(str), r.Properties.Handler).toContain(arn);
    }
  });

  it("forwards the viewer's address and a per-stage secret to the API, and the API functions know the secret", () => {
    const behaviors = distribution().CacheBehaviors as any[];
    const apiOrigin = (distribution().Origins as any[]).find((o) => o.Id === behaviors[0].TargetOriginId);
    const header = (apiOrigin.OriginCustomHeaders as any[]).find((h) => h.HeaderName === ORIGIN_VERIFY_HEADER);
    // The first value of the SST secret, read from SSM by a custom resource on every deploy.
    const [readerId, reader] = only(web, "Custom::AWS");
    expect(header.HeaderValue).toEqual({ "Fn::Select": [0, { "Fn::Split": [",", { "Fn::GetAtt": [readerId, "Parameter.Value"] }] }] });
    const call = JSON.parse(str(reader.Properties.Update));
    expect(call).toMatchObject({ service: "SSM", action: "getParameter", parameters: { Name: "/sst/uptime/test/Secret/ORIGIN_VERIFY_SECRET/value", WithDecryption: true } });
    // Its value stays out of the custom resource's logs.
    expect(call.logApiResponseData).toBe(false);
    const secretArn = `arn:\${AWS::Partition}:ssm:${REGION}:${ACCOUNT}:parameter/sst/uptime/test/Secret/ORIGIN_VERIFY_SECRET/value`;
    for (const [id, r] of sstFunctions(api)) {
      const env = r.Properties.Environment.Variables;
      // Read at run time (rotatable), never copied into the function's configuration.
      expect(env.ORIGIN_VERIFY_SECRET, r.Properties.Handler).toBeUndefined();
      const isDocs = r.Properties.Handler === apiFunctions.docs.handler;
      expect(env.SST_Secret_value_ORIGIN_VERIFY_SECRET, r.Properties.Handler).toBe(isDocs ? undefined : "__FETCH_FROM_SSM__");
      expect(granting(statementsOf(api, id), "ssm:GetParameters").flatMap(targets).map(str).includes(secretArn), r.Properties.Handler).toBe(!isDocs);
    }
    // Authorization and X-Org-Id reach the API: every viewer header but Host goes through.
    for (const b of behaviors) expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
    const fns = resources(web, "AWS::CloudFront::Function");
    const [viewerFnId, viewerFn] = fns.find(([, f]) => f.Properties.FunctionCode.includes(VIEWER_ADDRESS_HEADER) && !f.Properties.FunctionCode.includes("/status/"))!;
    expect(viewerFn.Properties.FunctionCode).toContain(`request.headers["${VIEWER_ADDRESS_HEADER}"] = { value: event.viewer.ip }`);
    for (const b of behaviors) {
      expect(b.FunctionAssociations).toEqual([{ EventType: "viewer-request", FunctionARN: { "Fn::GetAtt": [viewerFnId, "FunctionARN"] } }]);
    }
  });

  it("lets CloudFront keep status pages as long as their Cache-Control says, and nothing without one", () => {
    const b = (distribution().CacheBehaviors as any[]).find((x) => x.PathPattern === "/status/*");
    const policy = resource(web, b.CachePolicyId.Ref);
    const c = policy.Properties.CachePolicyConfig;
    expect(c.DefaultTTL).toBe(0);
    expect(c.MinTTL).toBe(0);
    expect(c.MaxTTL).toBeGreaterThanOrEqual(60);
    const key = c.ParametersInCacheKeyAndForwardedToOrigin;
    expect(key.QueryStringsConfig.QueryStringBehavior).toBe("all"); // ?month=
    expect(key.CookiesConfig.CookieBehavior).toBe("none");
    expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac"); // cookies still reach protected pages
  });

  it("serves index.html for app routes without rewriting the API's error responses", () => {
    expect(distribution().CustomErrorResponses).toBeUndefined();
    const [, fn] = resources(web, "AWS::CloudFront::Function").find(([, f]) => f.Properties.FunctionCode.includes("request.uri") && !f.Properties.FunctionCode.includes("/status/"))!;
    expect(fn.Properties.FunctionCode).toContain('request.uri = "/index.html"');
    expect(fn.Properties.FunctionCode).not.toContain('".html"');
  });

  it("serves status pages at the root of their custom domains: alternate names, the us-east-1 certificate, the host moved into the path", () => {
    const d = distributions().find((x) => x.Aliases?.length)!;
    expect(d.Aliases).toEqual(["status.acme.example", "*.status.example.org"]);
    expect(d.ViewerCertificate).toMatchObject({ AcmCertificateArn: STATUS_CERTIFICATE, SslSupportMethod: "sni-only" });
    const b = d.DefaultCacheBehavior;
    // the API origin with its secret header, as the main distribution's /status/* behaviour
    const main = (distribution().CacheBehaviors as any[]).find((x) => x.PathPattern === "/status/*");
    expect(b.CachePolicyId).toEqual(main.CachePolicyId);
    expect(b.OriginRequestPolicyId).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac"); // the API keeps its own Host
    expect(b.ViewerProtocolPolicy).toBe("https-only");
    const origin = (d.Origins as any[]).find((o) => o.Id === b.TargetOriginId);
    expect(JSON.stringify(origin.DomainName)).toMatch(/Fn::ImportValue.*ApiEndpoint/);
    expect((origin.OriginCustomHeaders as any[]).map((h) => h.HeaderName)).toEqual([ORIGIN_VERIFY_HEADER]);
    const [fnId, fn] = resources(web, "AWS::CloudFront::Function").find(([, f]) => f.Properties.FunctionCode.includes('"/status/" + host'))!;
    expect(b.FunctionAssociations).toEqual([{ EventType: "viewer-request", FunctionARN: { "Fn::GetAtt": [fnId, "FunctionARN"] } }]);
    expect(fn.Properties.FunctionCode).toContain(`request.headers["${VIEWER_ADDRESS_HEADER}"] = { value: event.viewer.ip }`);
    expect(web.toJSON().Outputs.StatusDomainsTarget.Value).toMatchObject({ "Fn::GetAtt": [expect.any(String), "DomainName"] });
  });

  it("uploads the built app", () => {
    expect(resources(web, "Custom::S3Uploader")).toHaveLength(1);
  });
});

describe("Functions", () => {
  it("are all nodejs22.x on arm64", () => {
    const fns = allSstFunctions();
    expect(fns).toHaveLength(Object.keys(apiFunctions).length + Object.keys(backgroundFunctions).length);
    for (const { r } of fns) {
      expect(r.Properties.Runtime, r.Properties.Handler).toBe("nodejs22.x");
      expect(r.Properties.Architectures, r.Properties.Handler).toEqual(["arm64"]);
    }
  });

  it("do not pay for X-Ray traces", () => {
    for (const { r } of allSstFunctions()) expect(r.Properties.TracingConfig?.Mode, r.Properties.Handler).not.toBe("Active");
  });

  it("all get the shared environment", () => {
    const [tableId] = only(storage, "AWS::DynamoDB::Table");
    for (const { r } of allSstFunctions()) {
      const env = r.Properties.Environment.Variables;
      const where = r.Properties.Handler;
      expect(refersTo(env.TABLE_NAME, tableId), where).toBe(true);
      expect(refersTo(env.CHECKS_QUEUE_URL, queueId("checks")), where).toBe(true);
      expect(refersTo(env.ALERTS_QUEUE_URL, queueId("alerts")), where).toBe(true);
      expect(env.MAIL_FROM, where).toBe(synthEnv.MAIL_FROM);
      expect(env.STAGE, where).toBe("test");
      expect(env.RESULT_RETENTION_DAYS, where).toBe(synthEnv.RESULT_RETENTION_DAYS);
    }
  });

  it("get no wildcard permissions on data or messaging", () => {
    for (const { t, id, r } of allSstFunctions()) {
      for (const s of statementsOf(t, id)) {
        for (const a of actions(s)) {
          expect(a, r.Properties.Handler).not.toMatch(/^(\*|dynamodb:\*|sqs:\*|ses:\*|ssm:\*)$/);
          if (/^(dynamodb|sqs|ses|ssm):/.test(a)) expect(targets(s), `${r.Properties.Handler} ${a}`).not.toContain("*");
        }
      }
    }
  });
});

// ---- Monitoring ----

describe("Monitoring", () => {
  const alarms = (): Record<string, any> =>
    Object.fromEntries(resources(monitoring, "AWS::CloudWatch::Alarm").map(([, a]) => [a.Properties.AlarmName.replace("uptime-test-", ""), a.Properties]));
  const topicId = () => only(monitoring, "AWS::SNS::Topic")[0];

  it("mails every alarm, and its recovery, to OPERATOR_EMAIL through one SNS topic", () => {
    const [, sub] = only(monitoring, "AWS::SNS::Subscription");
    expect(sub.Properties).toMatchObject({ Protocol: "email", Endpoint: synthEnv.OPERATOR_EMAIL });
    expect(refersTo(sub.Properties.TopicArn, topicId())).toBe(true);
    const all = Object.values(alarms());
    expect(all.length).toBeGreaterThanOrEqual(10);
    for (const a of all) {
      expect(refersTo(a.AlarmActions, topicId()), a.AlarmName).toBe(true);
      expect(refersTo(a.OKActions, topicId()), a.AlarmName).toBe(true);
    }
  });

  it("fires when the tick has not run for three minutes, counting a silent minute as missed", () => {
    expect(alarms().TickStopped).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      MetricName: "TickRan",
      Dimensions: expect.arrayContaining([{ Name: "stage", Value: "test" }, { Name: "service", Value: "uptime" }]),
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
  });

  it("fires on any message in any dead-letter queue", () => {
    const dlqIds = resources(pipeline, "AWS::SQS::Queue")
      .filter(([, q]) => !q.Properties.RedrivePolicy)
      .map(([id]) => id);
    expect(dlqIds).toHaveLength(3);
    for (const name of ["ChecksDeadLetters", "AlertsDeadLetters", "DeliveriesDeadLetters"]) {
      const a = alarms()[name];
      expect(a, name).toMatchObject({ Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
      expect(dlqIds.some((id) => refersTo(a.Dimensions, id)), name).toBe(true);
    }
  });

  it("fires on function errors, slot lag, SES reputation and DynamoDB throttling", () => {
    const a = alarms();
    for (const name of ["CheckerErrors", "AlertErrors", "TickErrors"]) {
      expect(a[name], name).toMatchObject({ Namespace: "AWS/Lambda", MetricName: "Errors", Threshold: FUNCTION_ERRORS_ALARM });
    }
    expect(a.SlotLag).toMatchObject({ Namespace: METRIC_NAMESPACE, MetricName: "SlotLagMs", ExtendedStatistic: "p95", Threshold: SLOT_LAG_ALARM_MS, EvaluationPeriods: 5 });
    expect(a.SesBounceRate).toMatchObject({ Namespace: "AWS/SES", MetricName: "Reputation.BounceRate", Threshold: SES_BOUNCE_RATE_ALARM });
    expect(a.SesComplaintRate).toMatchObject({ Namespace: "AWS/SES", MetricName: "Reputation.ComplaintRate", Threshold: SES_COMPLAINT_RATE_ALARM });
    const throttled = a.DynamoThrottling.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName);
    expect(throttled.sort()).toEqual(["ReadThrottleEvents", "WriteThrottleEvents"]);
  });

  it("has a dashboard per stage with the same figures", () => {
    const [, dash] = only(monitoring, "AWS::CloudWatch::Dashboard");
    const body = str(dash.Properties.DashboardBody);
    for (const metric of ["ChecksCompleted", "SlotLagMs", "TickDurationMs", "JobsEnqueued", "MailsSent", "AlertsFailed", "ApproximateNumberOfMessagesVisible"]) {
      expect(body, metric).toContain(metric);
    }
    expect(dash.Properties.DashboardName).toBe("uptime-test");
  });
});
