/**
 * `npm start`: the whole backend on this machine, against in-process emulators.
 * Environment: PORT, MAIL_PORT, DATA_DIR, IN_MEMORY, DYNAMO_PORT, SQS_PORT, TICK_SECONDS
 * (plus anything config() reads, e.g. JWT_SECRET or WEB_ORIGIN).
 */
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { config } from "@uptime/core/platform/config";
import { startLocalStack, type LocalStack } from "./runtime";
import { ensureWebBuild } from "./web";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be an integer`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`)
    .default(fallback);

const Env = z.object({
  PORT: port("PORT", 3000),
  MAIL_PORT: port("MAIL_PORT", 8005),
  DYNAMO_PORT: port("DYNAMO_PORT", 0),
  SQS_PORT: port("SQS_PORT", 0),
  DATA_DIR: z.string().min(1, "DATA_DIR must not be empty").default(`${repoRoot}.data`),
  IN_MEMORY: z
    .enum(["1", "0", "true", "false", ""], { error: "IN_MEMORY must be 1/true or 0/false" })
    .default("")
    .transform((v) => v === "1" || v === "true"),
  TICK_SECONDS: z.coerce
    .number({ error: "TICK_SECONDS must be a number" })
    .int("TICK_SECONDS must be an integer")
    .refine((n) => [5, 10, 15, 20, 30, 60].includes(n), "TICK_SECONDS must be one of 5, 10, 15, 20, 30, 60 (it must divide a minute)")
    .default(60),
});

function readEnv() {
  // An empty variable means "not set", as in most shells' `PORT= npm start`.
  const raw = Object.fromEntries(Object.keys(Env.shape).map((k) => [k, process.env[k] === "" ? undefined : process.env[k]]));
  const parsed = Env.safeParse(raw);
  if (!parsed.success) {
    console.error(`Invalid environment for npm start:\n${z.prettifyError(parsed.error)}`);
    process.exit(2);
  }
  return parsed.data;
}

async function main() {
  const env = readEnv();
  // Node 20 here: the SDK's notice that its 2027 releases need Node 22 would bury the start-up banner.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  // Locally one bad handler must not take the whole stack down; Lambda would only fail that invocation.
  process.on("unhandledRejection", (err) => console.error("Unhandled rejection (ignored by the local stack):", err));

  // Without the app the API still works, so a failed build is reported, not fatal.
  let webDir: string | undefined;
  try {
    const web = await ensureWebBuild({ log: (line) => console.log(line) });
    webDir = web.dir;
    if (web.built) console.log(`Built the web app in ${web.ms} ms`);
  } catch (err) {
    console.error("Could not build the web app; serving the API only:", err instanceof Error ? err.message : err);
  }

  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      port: env.PORT,
      mailPort: env.MAIL_PORT,
      dynamoPort: env.DYNAMO_PORT,
      sqsPort: env.SQS_PORT,
      dataDir: env.IN_MEMORY ? undefined : env.DATA_DIR,
      inMemory: env.IN_MEMORY,
      tickSeconds: env.TICK_SECONDS,
      webDir,
      healthEverySec: 60,
    });
  } catch (err) {
    console.error("Could not start the local stack:", err instanceof Error ? err.message : err);
    if (err instanceof Error && err.cause) console.error(err.cause);
    process.exit(1);
  }

  console.log(
    [
      "",
      "Uptime local stack running",
      `  Web app        ${webDir ? `${stack.apiUrl}/` : "not built (see the error above)"}`,
      `  API            ${stack.apiUrl}/v1   (docs: ${stack.apiUrl}/docs)`,
      `  Mail viewer    ${stack.mailUrl}   (SES endpoint; sent emails land here)`,
      `  DynamoDB       ${stack.endpoints.dynamodb}   table ${stack.tableName}`,
      `  SQS            ${stack.endpoints.sqs}   ${stack.queues.checks.name}, ${stack.queues.alerts.name}, ${stack.queues.deliveries.name} (+ DLQs)`,
      `  Data           ${stack.dataDir ?? "in memory (IN_MEMORY=1), lost on exit"}`,
      `  Tick           every ${stack.tickSeconds}s, ${config().TICK_LATE_FIRE_MS ? `up to ${config().TICK_LATE_FIRE_MS} ms after` : "on"} the wall-clock boundary`,
      `  Health         ${stack.apiUrl}/local/health   (Prometheus: ${stack.apiUrl}/local/metrics; a [health] line every minute)`,
      "Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  let stoppingSince: number | undefined;
  const shutdown = async (reason: string, forceHint: string, forcedExitCode: number) => {
    if (stoppingSince !== undefined) {
      // Supervisors such as `timeout` signal both the process and its group, and npm forwards the
      // signal it got, so one request can arrive several times within milliseconds; only a later
      // one is a request to force.
      if (Date.now() - stoppingSince < 1000) return;
      console.error(`${reason} while stopping: exiting without waiting`);
      process.exit(forcedExitCode);
    }
    stoppingSince = Date.now();
    console.log(`\n${reason}: stopping (waiting for running work; ${forceHint})`);
    const force = setTimeout(() => {
      console.error("Shutdown took over 15s; exiting");
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await stack.stop();
      console.log("Stopped.");
      // 0, not 128+signal: a stop that was asked for and done is a success, and npm would print a
      // "Lifecycle script failed" error for any other code.
      process.exit(0);
    } catch (err) {
      console.error("Error while stopping:", err);
      process.exit(1);
    }
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => void shutdown(signal, `${signal} again to force`, 128 + constants.signals[signal]));
  }
  onParentExit(() => {
    if (stoppingSince === undefined) void shutdown("Parent process exited", "SIGTERM to force", 1);
  });
}

/**
 * npm forwards SIGTERM and SIGINT to us, but npm killed outright (SIGKILL, a crash) cannot; without
 * this the stack would keep its ports and the data lock forever, orphaned.
 */
function onParentExit(callback: () => void) {
  const parent = process.ppid;
  // Started by init or as PID 1 in a container: there is no parent to outlive.
  if (parent <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (err) {
      // EPERM: alive, just someone else's.
      if ((err as NodeJS.ErrnoException).code !== "ESRCH") return;
      clearInterval(timer);
      callback();
    }
  }, 500);
  timer.unref();
}

void main();
