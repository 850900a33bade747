/**
 * A local stack in a child process. The bench process then holds only the code under test
 * (a tick, a checker, a load generator), so its CPU time, memory and event loop are that
 * code's alone, the way a Lambda function has the machine to itself while DynamoDB and SQS
 * run elsewhere. Configuration is process-global, which is also why each stack gets a process.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { reloadConfig } from "@uptime/core/platform/config";
import { installMeters } from "./meter";
import { BENCH_DIR, REPO_ROOT } from "./report";

export interface HostOptions {
  pollers?: boolean;
  scheduler?: boolean;
  tickSeconds?: number;
  /** Extra configuration for the stack (config() keys). */
  env?: Record<string, string>;
  /** Target sites answering 200 after `delayMs`. */
  targets?: Array<{ name: string; delayMs?: number; body?: string }>;
  /** A DNS server (the tests' in-process one) answering `bench.example.test A 192.0.2.1`. */
  dns?: boolean;
  verbose?: boolean;
}

export interface HostInfo {
  pid: number;
  apiUrl: string;
  mailUrl: string;
  endpoints: { dynamodb: string; sqs: string; ses: string };
  queueUrls: { checks: string; checksDlq: string; alerts: string; alertsDlq: string };
  tableName: string;
  tickSeconds: number;
  jwtSecret: string;
  targets: Record<string, string>;
  /** "127.0.0.1:<port>" of the DNS server, when asked for. */
  dnsResolver?: string;
}

export interface Host extends HostInfo {
  /** The environment that points a process's config() at this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Runs a TypeScript file in a fresh Node process with tsx, from the repository root. */
export function spawnTs(file: string, args: string[] = [], env: Record<string, string | undefined> = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "--no-warnings", file, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
}

export async function startHost(opts: HostOptions = {}): Promise<Host> {
  const child = spawnTs(path.join(BENCH_DIR, "lib", "host-main.ts"), [], { BENCH_HOST_OPTS: JSON.stringify(opts) });
  const info = await new Promise<HostInfo>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (line.startsWith("HOST_READY ")) resolve(JSON.parse(line.slice("HOST_READY ".length)));
      else console.error(`[host] ${line}`);
    });
    child.once("exit", (code) => reject(new Error(`stack host exited with ${code} before it was ready`)));
  });
  const env: Record<string, string> = {
    AWS_REGION: "us-east-1",
    DYNAMODB_ENDPOINT: info.endpoints.dynamodb,
    SQS_ENDPOINT: info.endpoints.sqs,
    SES_ENDPOINT: info.endpoints.ses,
    CHECKS_QUEUE_URL: info.queueUrls.checks,
    ALERTS_QUEUE_URL: info.queueUrls.alerts,
    TABLE_NAME: info.tableName,
    TICK_SECONDS: String(info.tickSeconds),
    // One window per tick invocation, as deployed in steady state (the tick before claimed this one).
    TICK_LOOKAHEAD: "false",
    ALLOW_PRIVATE_TARGETS: "true",
    JWT_SECRET: info.jwtSecret,
    ...(opts.env ?? {}),
  };
  return {
    ...info,
    env,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill("SIGKILL"), 15_000);
        child.once("exit", () => {
          clearTimeout(force);
          resolve();
        });
        child.stdin!.end();
      }),
  };
}

/** Points this process's config() (and the shared AWS clients) at a host, with meters installed. */
export function useHost(host: Pick<Host, "env">) {
  Object.assign(process.env, host.env);
  reloadConfig();
  installMeters();
}
