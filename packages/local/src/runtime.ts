import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { config, reloadConfig } from "@uptime/core/platform/config";
import { queueSettings, type QueueName } from "@uptime/core/platform/queues";
import { backgroundFunctions } from "@uptime/functions/api/routes";
import { backgroundLoaders } from "./functions";
import type { ScheduledEvent } from "aws-lambda";
import { startEmulators, type EmulatorQueue, type Emulators, type QueueCounts, type QueueOverrides } from "./emulators";
import { lambdaContext, type LambdaHandler } from "./lambda";
import { startPoller, type Poller, type SqsHandler } from "./poller";
import { scheduledEvent, startScheduler, windowStart, type Scheduler } from "./scheduler";
import { startApiServer, type ApiServer } from "./server";
import { LOCAL_BOUNCE_PATH, injectSesFeedback } from "./ses-feedback";
import { Telemetry } from "@uptime/core/platform/telemetry";
import { createHealth, healthLine, prometheusText, type HealthFigures } from "./health";
import { startFaultProxy, type FaultProxy, type FaultRates, type FaultService } from "./fault-proxy";

export interface LocalStackOptions {
  /** API port; 0 (default) picks a free one. Everything binds 127.0.0.1. */
  port?: number;
  /** SES emulator / mail viewer port; default 0. */
  mailPort?: number;
  dynamoPort?: number;
  sqsPort?: number;
  /** Persist DynamoDB data (and the JWT secret) here. Ignored with inMemory. */
  dataDir?: string;
  inMemory?: boolean;
  /** Sets TICK_SECONDS; otherwise config decides (default 60). */
  tickSeconds?: number;
  /** Fire the tick function at every window boundary. Default true; tests turn it off and call tick(). */
  scheduler?: boolean;
  /** Consume the queues with the consumer functions. Default true. */
  pollers?: boolean;
  /** TEST-ONLY: shorter visibility timeouts / receive counts than the deployed queues. */
  queueOverrides?: QueueOverrides;
  /** Extra configuration (any key config() reads); wins over the local defaults and the process environment. */
  env?: Record<string, string>;
  /** Serve this built web app (see ensureWebBuild) at / on the API's origin. */
  webDir?: string;
  /** Informational lines (request log, ticks). Default console.log. */
  log?: (line: string) => void;
  /** Failures of background work (tick, consumers), with the error. Default console.error. */
  logError?: (message: string, err: unknown) => void;
  /**
   * Fault mode: the functions reach DynamoDB, SQS and SES through proxies that fail a share of
   * requests as AWS does under load (fault-proxy.ts). The stack's own bookkeeping (queue counts,
   * the mail viewer) goes straight to the emulators.
   */
  faults?: Partial<Record<FaultService, FaultRates>> & { seed?: number };
  /** Print the one-line health summary (see health.ts) every this many seconds; 0 (default) never. `npm start` uses 60. */
  healthEverySec?: number;
  /** Replace background handlers; for testing the runtime itself, not the functions. */
  handlers?: Partial<{
    tick: LambdaHandler<ScheduledEvent, unknown>;
    checkConsumer: SqsHandler;
    alertConsumer: SqsHandler;
    channelDelivery: SqsHandler;
    rollup: LambdaHandler<ScheduledEvent, unknown>;
  }>;
}

export interface DrainOptions {
  /** Also wait for messages sent with DelaySeconds to become visible and be consumed. Default true. */
  includeDelayed?: boolean;
  /** Give up (and throw, listing what is left) after this long. Default 20 000 ms. */
  timeoutMs?: number;
}

export interface LocalStack {
  apiUrl: string;
  mailUrl: string;
  endpoints: Emulators["endpoints"];
  queueUrls: { checks: string; checksDlq: string; alerts: string; alertsDlq: string; deliveries: string; deliveriesDlq: string };
  queues: Record<QueueName, EmulatorQueue>;
  tableName: string;
  tickSeconds: number;
  /** Where data persists, or undefined in memory. */
  dataDir?: string;
  /** Invoke the tick function once, for the window containing `at` (default now). Rejects if it throws. */
  tick(at?: Date): Promise<void>;
  /** Invoke the rollup job once (rolls up every whole hour not yet rolled up). */
  rollup(at?: Date): Promise<void>;
  /**
   * Resolves once all work reachable from the queues is done: the checks and alerts queues have
   * no visible, in-flight (or, by default, delayed) messages, no consumer batch is being handled
   * and no tick is running. Messages moved to a DLQ count as done. Requires pollers.
   */
  drainQueues(opts?: DrainOptions): Promise<void>;
  /** In fault mode, the proxy in front of each emulator (its counts, and setRates to change them). */
  faults?: Record<FaultService, FaultProxy>;
  /** The figures of GET /local/health: last minute's checks, slot lag, queues, mails, whether the tick stopped. */
  health(): Promise<HealthFigures>;
  /** Message counts for every queue (including DLQs), keyed by queue name. */
  queueCounts(): Promise<Record<string, QueueCounts>>;
  /** Idempotent: a second call (say, a second signal) waits for the same stop instead of returning early. */
  stop(): Promise<void>;
}

let active = false;

function jwtSecretFor(dataDir: string | undefined): string {
  const fresh = () => randomBytes(32).toString("base64url");
  if (!dataDir) return fresh();
  // Persisted so sessions and refresh tokens survive a restart of `npm start`.
  const file = path.join(dataDir, "jwt-secret");
  if (existsSync(file)) {
    const saved = readFileSync(file, "utf8").trim();
    if (saved.length >= 32) return saved;
  }
  const secret = fresh();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/** The AES key of channel secrets: generated once and kept beside the data it encrypts. */
function channelKeyFor(dataDir: string | undefined): string {
  const fresh = () => randomBytes(32).toString("base64");
  if (!dataDir) return fresh();
  const file = path.join(dataDir, "channel-secret-key");
  if (existsSync(file)) {
    const saved = readFileSync(file, "utf8").trim();
    if (Buffer.from(saved, "base64").length === 32) return saved;
  }
  const key = fresh();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, key + "\n", { mode: 0o600 });
  return key;
}

async function loadHandler<E, R>(name: keyof typeof backgroundFunctions): Promise<LambdaHandler<E, R>> {
  const mod = (await backgroundLoaders[name]()) as { handler?: unknown };
  if (typeof mod.handler !== "function") throw new Error(`${backgroundFunctions[name].handler}: module exports no \`handler\` function`);
  return mod.handler as LambdaHandler<E, R>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the whole backend in this process: emulators, the consumer functions on pollers, the
 * tick function on a wall-clock scheduler and the API functions behind one HTTP server.
 * Configuration is process-global, so only one local stack can run per process at a time.
 */
export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  if (active) throw new Error("A local stack is already running in this process (configuration is process-global)");
  active = true;

  const log = opts.log ?? ((line: string) => console.log(line));
  const logError = opts.logError ?? ((message: string, err: unknown) => console.error(message, err));
  const persistentDir = !opts.inMemory && opts.dataDir ? path.resolve(opts.dataDir) : undefined;

  const previousEnv = new Map<string, string | undefined>();
  const setEnv = (values: Record<string, string>) => {
    for (const [k, v] of Object.entries(values)) {
      if (!previousEnv.has(k)) previousEnv.set(k, process.env[k]);
      process.env[k] = v;
    }
  };
  const restoreEnv = () => {
    for (const [k, v] of previousEnv) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    previousEnv.clear();
    try {
      reloadConfig();
    } catch {
      // The environment we restored is the caller's; it is reported when they next read config().
    }
  };

  const cleanups: Array<() => Promise<void>> = [];
  let stopping: Promise<void> | undefined;
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e) => errors.push(e));
    restoreEnv();
    active = false;
    if (errors.length) throw new AggregateError(errors, "Stopping the local stack failed");
  };

  try {
    // Local defaults yield to the developer's environment; opts.env yields to nothing but the endpoints.
    const defaults: Record<string, string> = {
      TABLE_NAME: "uptime-local",
      ALLOW_PRIVATE_TARGETS: "true",
      // Plain http on localhost: a Secure refresh cookie would never be sent back.
      COOKIE_SECURE: "false",
      MAIL_FROM: "alerts@uptime.local",
    };
    const base: Record<string, string> = {};
    for (const [k, v] of Object.entries(defaults)) base[k] = process.env[k] ?? v;
    base.JWT_SECRET = opts.env?.JWT_SECRET ?? process.env.JWT_SECRET ?? jwtSecretFor(persistentDir);
    base.CHANNEL_SECRET_KEY = opts.env?.CHANNEL_SECRET_KEY ?? process.env.CHANNEL_SECRET_KEY ?? channelKeyFor(persistentDir);
    if (opts.tickSeconds !== undefined) base.TICK_SECONDS = String(opts.tickSeconds);
    // The scheduler looks ahead as deployed; tests that call tick() by hand get exactly the window they name.
    base.TICK_LOOKAHEAD = String(opts.scheduler ?? true);
    setEnv({ ...base, ...opts.env });
    // Validates before anything starts, so a bad value fails with config's message.
    const c = reloadConfig();

    const emulators = await startEmulators({
      dataDir: persistentDir,
      inMemory: !persistentDir,
      dynamoPort: opts.dynamoPort,
      sqsPort: opts.sqsPort,
      mailPort: opts.mailPort,
      queueOverrides: opts.queueOverrides,
      log,
    });
    cleanups.push(() => emulators.stop());

    let faults: Record<FaultService, FaultProxy> | undefined;
    if (opts.faults) {
      const seed = opts.faults.seed ?? 1;
      const services = ["dynamodb", "sqs", "ses"] as const;
      const proxies = await Promise.all(
        services.map((service, i) => startFaultProxy({ upstream: emulators.endpoints[service], service, rates: opts.faults?.[service], seed: seed + i })),
      );
      faults = { dynamodb: proxies[0]!, sqs: proxies[1]!, ses: proxies[2]! };
      for (const p of proxies) cleanups.push(() => p.stop());
    }

    setEnv({
      // Differs from TABLE_NAME only with an external DynamoDB (LOCAL_DYNAMODB_ENDPOINT), where each stack gets its own table.
      TABLE_NAME: emulators.tableName,
      DYNAMODB_ENDPOINT: faults?.dynamodb.url ?? emulators.endpoints.dynamodb,
      SQS_ENDPOINT: faults?.sqs.url ?? emulators.endpoints.sqs,
      SES_ENDPOINT: faults?.ses.url ?? emulators.endpoints.ses,
      CHECKS_QUEUE_URL: emulators.queues.checks.url,
      ALERTS_QUEUE_URL: emulators.queues.alerts.url,
      DELIVERIES_QUEUE_URL: emulators.queues.deliveries.url,
    });
    reloadConfig();
    const region = c.AWS_REGION;
    const tickSeconds = config().TICK_SECONDS;

    // The functions' metrics come here instead of stdout: the figures the deployed alarms watch.
    const health = createHealth({ tickSeconds, queueCounts: () => emulators.queueCounts() });
    Telemetry.setLocalSink(health.record);
    cleanups.push(async () => Telemetry.setLocalSink(undefined));
    if (opts.healthEverySec) {
      const timer = setInterval(() => {
        health.figures().then((f) => log(healthLine(f)), (err) => logError("[health] figures failed:", err));
      }, opts.healthEverySec * 1000);
      timer.unref();
      cleanups.push(async () => clearInterval(timer));
    }

    const h = opts.handlers ?? {};
    const [tickHandler, checkHandler, alertHandler, deliveryHandler, rollupHandler] = await Promise.all([
      h.tick ?? loadHandler<ScheduledEvent, unknown>("tick"),
      h.checkConsumer ?? (loadHandler("checkConsumer") as Promise<SqsHandler>),
      h.alertConsumer ?? (loadHandler("alertConsumer") as Promise<SqsHandler>),
      h.channelDelivery ?? (loadHandler("channelDelivery") as Promise<SqsHandler>),
      h.rollup ?? loadHandler<ScheduledEvent, unknown>("rollup"),
    ]);
    const invokeRollup = async (at: Date) => {
      const fn = `${c.STAGE}-rollup`;
      await rollupHandler(scheduledEvent(at, { region, ruleName: fn }), lambdaContext(fn, 900_000, region));
    };

    let ticksStarted = 0;
    let ticksRunning = 0;
    const invokeTick = async (start: Date) => {
      ticksStarted++;
      ticksRunning++;
      const started = performance.now();
      try {
        const event = scheduledEvent(start, { region, ruleName: `${c.STAGE}-tick` });
        // A tick that outlives its window overlaps the next one, so the window is its time budget.
        await tickHandler(event, lambdaContext(`${c.STAGE}-tick`, tickSeconds * 1000, region));
        log(`[tick] ${event.time} done in ${Math.round(performance.now() - started)}ms`);
      } finally {
        ticksRunning--;
      }
    };

    const pollers: Poller[] = [];
    if (opts.pollers ?? true) {
      // Invocations in flight at most. Deployed, the checks mapping is capped at
      // CHECKER_MAX_CONCURRENCY (default 10) so the checker leaves the API its share of the
      // account's pool; locally nothing competes, so more batches may wait on slow targets at once.
      const consumers: Array<[QueueName, SqsHandler, string, number]> = [
        ["checks", checkHandler, "checkConsumer", 64],
        ["alerts", alertHandler, "alertConsumer", 2],
        ["deliveries", deliveryHandler, "channelDelivery", 4],
      ];
      for (const [queue, handler, functionName, concurrency] of consumers) {
        const poller = startPoller({
          queueUrl: emulators.queues[queue].url,
          queueArn: emulators.queues[queue].arn,
          batchSize: queueSettings[queue].batchSize,
          functionTimeoutSec: queueSettings[queue].functionTimeoutSec,
          handler,
          functionName,
          region,
          concurrency,
          // A message wakes a waiting poll at once, so a long wait costs no delivery time; each
          // poll ending costs a request (SDK and emulator CPU), and at 1 s that was most of an
          // idle stack's CPU. The queues go away with the stack, so stopping need not wait out a poll.
          waitTimeSeconds: 20,
          abandonPollOnStop: true,
          onError: (err, phase) => logError(`[${functionName}] ${phase} failed:`, err),
        });
        pollers.push(poller);
        cleanups.push(() => poller.stop());
      }
    }

    let scheduler: Scheduler | undefined;
    if (opts.scheduler ?? true) {
      scheduler = startScheduler({
        tickSeconds,
        lateFireMs: config().TICK_LATE_FIRE_MS,
        fire: invokeTick,
        onError: (err, at) => logError(`[tick] ${at.toISOString()} failed:`, err),
      });
      const s = scheduler;
      cleanups.push(() => s.stop());
      // Deployed, an hourly cron runs the rollup job; locally every 5 minutes (a run with
      // nothing to roll up costs one read), so dashboards over hours fill in during a demo.
      const rollups = startScheduler({
        tickSeconds: 300,
        fire: invokeRollup,
        onError: (err, at) => logError(`[rollup] ${at.toISOString()} failed:`, err),
      });
      cleanups.push(() => rollups.stop());
    }

    const api: ApiServer = await startApiServer({
      port: opts.port,
      log,
      logError,
      region,
      webDir: opts.webDir,
      localEndpoints: {
        [`POST ${LOCAL_BOUNCE_PATH}`]: (req) => injectSesFeedback(req, region),
        "GET /local/health": async () => Response.json(await health.figures(), { headers: { "cache-control": "no-store" } }),
        "GET /local/metrics": async () =>
          new Response(prometheusText(await health.figures()), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } }),
      },
    });
    cleanups.push(() => api.stop());
    // Links in emails (recipient confirmations) lead to this server unless PUBLIC_URL says otherwise.
    if (!process.env.PUBLIC_URL) {
      setEnv({ PUBLIC_URL: api.url });
      reloadConfig();
    }

    const queueNames = [emulators.queues.checks.name, emulators.queues.alerts.name, emulators.queues.deliveries.name];
    const activity = () => ticksStarted + pollers.reduce((n, p) => n + p.invocations, 0);
    const busy = () => ticksRunning > 0 || pollers.some((p) => p.busy);

    return {
      apiUrl: api.url,
      mailUrl: emulators.mailUrl,
      endpoints: emulators.endpoints,
      queueUrls: {
        checks: emulators.queues.checks.url,
        checksDlq: emulators.queues.checks.dlq.url,
        alerts: emulators.queues.alerts.url,
        alertsDlq: emulators.queues.alerts.dlq.url,
        deliveries: emulators.queues.deliveries.url,
        deliveriesDlq: emulators.queues.deliveries.dlq.url,
      },
      queues: emulators.queues,
      tableName: emulators.tableName,
      tickSeconds,
      dataDir: persistentDir,
      tick: (at = new Date()) => invokeTick(windowStart(at, tickSeconds)),
      rollup: (at = new Date()) => invokeRollup(at),
      queueCounts: () => emulators.queueCounts(),
      faults,
      health: () => health.figures(),
      async drainQueues({ includeDelayed = true, timeoutMs = 20_000 }: DrainOptions = {}) {
        if (pollers.length === 0) throw new Error("drainQueues needs the pollers, but this stack was started with pollers: false");
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          // Idle before and after one snapshot of both queues, with nothing started in between:
          // a running handler holds its messages in flight, and anything it sends lands before it deletes.
          const before = activity();
          const idleBefore = !busy();
          const counts = await emulators.queueCounts();
          const pending = queueNames.filter((n) => {
            const q = counts[n];
            return q && (q.visible > 0 || q.inFlight > 0 || (includeDelayed && q.delayed > 0));
          });
          if (idleBefore && !busy() && before === activity() && pending.length === 0) return;
          if (Date.now() > deadline) {
            const state = queueNames.map((n) => `${n} ${JSON.stringify(counts[n])}`).join(", ");
            throw new Error(
              `drainQueues: not drained after ${timeoutMs}ms: ${state}; consumers busy: ${pollers.some((p) => p.busy)}; ticks running: ${ticksRunning}`,
            );
          }
          await sleep(20);
        }
      },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll().catch(() => {});
    throw err;
  }
}
