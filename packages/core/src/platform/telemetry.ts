export * as Telemetry from "./telemetry";

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { config } from "./config";

/**
 * Structured logs and CloudWatch metrics for every function, through Powertools for AWS Lambda.
 * Deployed, metrics leave as Embedded Metric Format lines on stdout (CloudWatch turns them into
 * metrics at no API cost); the stack's alarms and dashboard (stacks/Monitoring.ts) read the same
 * names from METRIC_NAMESPACE. Locally the runtime installs a sink instead, which feeds the
 * one-line health summary and /local/metrics.
 */
export const METRIC_NAMESPACE = "Uptime";

/** Every metric we emit, with its unit: declared once so the stack's alarms cannot drift from the code. */
export const MetricDefinitions = {
  /** One per tick invocation that ran its window (a skipped duplicate counts too: the tick is alive). */
  TickRan: MetricUnit.Count,
  TickDurationMs: MetricUnit.Milliseconds,
  JobsEnqueued: MetricUnit.Count,
  /** Check results stored (first write of a slot; a redelivered duplicate is not counted). */
  ChecksCompleted: MetricUnit.Count,
  /** Checks whose probe failed (down or below the failure threshold). */
  ChecksFailed: MetricUnit.Count,
  /** A check job that threw (its message goes back to the queue). */
  CheckErrors: MetricUnit.Count,
  /** Scheduled slot → result stored. */
  SlotLagMs: MetricUnit.Milliseconds,
  /** One attempt of a channel delivery that the service accepted, or refused (dimension `channel`: its type). */
  AlertsSent: MetricUnit.Count,
  AlertsFailed: MetricUnit.Count,
  MailsSent: MetricUnit.Count,
} as const;
export type MetricName = keyof typeof MetricDefinitions;

/** One emitted data point, as the local sink receives it. */
export interface MetricPoint {
  name: MetricName;
  value: number;
  unit: string;
  dimensions: Record<string, string>;
  at: number;
}

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

interface Invocation {
  correlationId: string;
  fn: string;
}

/**
 * Which invocation a log line belongs to. Where invocations overlap in one process (the local
 * runtime, tests), AsyncLocalStorage tells them apart; it does so with a hook on every promise
 * the process makes, which doubles the CPU of promise-heavy code on Node 20 and 22 (a twentieth
 * to a tenth of a check, BENCHMARKS.md §2). A Lambda execution environment runs one invocation at
 * a time, so there the invocation is a variable set for its duration.
 */
const correlation = new AsyncLocalStorage<Invocation>();
let lambdaInvocation: Invocation | undefined;
const currentInvocation = () => (config().AWS_LAMBDA_FUNCTION_NAME ? lambdaInvocation : correlation.getStore());

let sink: ((points: MetricPoint[]) => void) | undefined;
/** The local runtime's receiver; with a sink installed nothing is written to stdout as EMF. */
export function setLocalSink(receiver: ((points: MetricPoint[]) => void) | undefined) {
  sink = receiver;
}

let logger: Logger | undefined;
let metrics: Metrics | undefined;
// Both are created on first use, once the function's environment (or the local runtime) is set.
const powertoolsLogger = () => (logger ??= new Logger({ serviceName: "uptime", logLevel: config().LOG_LEVEL }));
const pending: MetricPoint[] = [];

function emfMetrics(): Metrics {
  metrics ??= new Metrics({ namespace: METRIC_NAMESPACE, serviceName: "uptime", defaultDimensions: { stage: config().STAGE } });
  return metrics;
}

/** Records a data point; it leaves when the surrounding `withTelemetry` invocation ends. */
export function metric(name: MetricName, value: number, dimensions: Record<string, string> = {}) {
  pending.push({ name, value, unit: MetricDefinitions[name], dimensions, at: Date.now() });
}

/** Emits what `metric` recorded: EMF on stdout when deployed, the local sink otherwise. */
export function flush() {
  if (!pending.length) return;
  const points = pending.splice(0);
  if (sink) return sink(points);
  const m = emfMetrics();
  // EMF puts dimensions on the whole document, so points with dimensions of their own go out alone.
  for (const p of points.filter((p) => Object.keys(p.dimensions).length)) {
    const single = m.singleMetric();
    for (const [k, v] of Object.entries(p.dimensions)) single.addDimension(k, v);
    single.addMetric(p.name, p.unit as Unit, p.value);
  }
  for (const p of points.filter((p) => !Object.keys(p.dimensions).length)) m.addMetric(p.name, p.unit as Unit, p.value);
  if (m.hasStoredMetrics()) m.publishStoredMetrics();
}

/**
 * Runs one invocation of function `fn` with a correlation id that every log line of it carries
 * (the tick's window, a check message's id, an alert's id), and flushes its metrics at the end,
 * also when it throws.
 */
export async function withTelemetry<T>(fn: string, correlationId: string | undefined, work: () => Promise<T>): Promise<T> {
  const invocation = { correlationId: correlationId ?? randomUUID(), fn };
  const outer = lambdaInvocation;
  try {
    if (!config().AWS_LAMBDA_FUNCTION_NAME) return await correlation.run(invocation, work);
    lambdaInvocation = invocation;
    return await work();
  } finally {
    lambdaInvocation = outer;
    flush();
  }
}

export function currentCorrelationId(): string | undefined {
  return currentInvocation()?.correlationId;
}

const SECRET_KEY = /secret|token|password|passwd|authorization|cookie|api[-_]?key|signature|routing[-_]?key|webhook/i;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * A URL fit for a log: scheme, host, port and path only. Credentials, query strings and fragments
 * are where tokens live (basic auth, ?token=, Slack's and Discord's webhook paths are covered by
 * the key rule instead: such values are never logged at all).
 */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "[unparseable url]";
  }
}

/** Removes secrets from anything about to be logged: values under secret-sounding keys, and credentials in URLs. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[deep]";
  if (typeof value === "string") return value.replace(URL_IN_TEXT, (u) => redactUrl(u));
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1)]),
    );
  }
  return value;
}

type Fields = Record<string, unknown>;
function context(fields: Fields): Fields {
  const c = currentInvocation();
  return redact({ ...(c ? { correlationId: c.correlationId, function: c.fn } : {}), ...fields }) as Fields;
}

/** Structured log lines: JSON with level, time, service, correlation id; fields redacted. */
export const log = {
  info: (message: string, fields: Fields = {}) => powertoolsLogger().info(message, context(fields)),
  warn: (message: string, fields: Fields = {}) => powertoolsLogger().warn(message, context(fields)),
  error: (message: string, fields: Fields = {}) => powertoolsLogger().error(message, context(fields)),
};
