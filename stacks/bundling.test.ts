import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { CREDENTIAL_SOURCES_LAMBDA_NEVER_LOADS, nodejsBundling } from "./bundling";

const REPO = path.resolve(import.meta.dirname, "..");
const out = mkdtempSync(path.join(os.tmpdir(), "uptime-bundling-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Bundles `contents` as the functions are bundled (SST's ESM banner included: bundled CommonJS requires Node's built-ins through it). */
async function bundle(name: string, contents: string) {
  const outfile = path.join(out, name, "index.mjs");
  const built = await esbuild.build({
    stdin: { contents, resolveDir: REPO, loader: "js" },
    bundle: true,
    platform: "node",
    format: nodejsBundling.format,
    minify: nodejsBundling.minify,
    external: nodejsBundling.esbuild.external,
    plugins: nodejsBundling.esbuild.plugins,
    banner: { js: `import { createRequire } from "module"; const require = createRequire(import.meta.url);` },
    outfile,
    metafile: true,
    logLevel: "silent",
  });
  return { outfile, inputs: Object.keys(built.metafile.inputs) };
}

describe("the credential sources left out of every bundle", () => {
  it("are never loaded where the environment holds the keys, as in a Lambda", async () => {
    // A client as the functions make one, bundled like them, run where no node_modules can be found.
    const { outfile, inputs } = await bundle(
      "credentials",
      `import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
const { accessKeyId } = await new DynamoDBClient({ region: "eu-west-1" }).config.credentials();
console.log(accessKeyId);`,
    );
    const bundled = inputs.join("\n");
    for (const source of CREDENTIAL_SOURCES_LAMBDA_NEVER_LOADS) expect(bundled).not.toContain(`node_modules/${source}/`);

    const lambdaEnv = { PATH: process.env.PATH, AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" };
    expect(execFileSync(process.execPath, [outfile], { cwd: out, env: lambdaEnv, encoding: "utf8", stdio: "pipe" }).trim()).toBe("ASIAEXAMPLE");
    // Without the keys the chain reaches them, and they are not in the bundle (the runtime's SDK would serve them).
    expect(() => execFileSync(process.execPath, [outfile], { cwd: out, env: { PATH: process.env.PATH, HOME: out }, encoding: "utf8", stdio: "pipe" })).toThrow(
      /Cannot find (package|module) '@aws-sdk\/credential-provider-/,
    );
  }, 60_000);
});

describe("zod in a bundle", () => {
  it("speaks English only, with the same messages", async () => {
    const { outfile, inputs } = await bundle(
      "zod",
      `import { z } from "zod";
const r = z.object({ name: z.string(), email: z.email() }).safeParse({ name: 1, email: "x" });
console.log(JSON.stringify({ messages: r.error.issues.map((i) => i.message), locales: Object.keys(z.locales) }));`,
    );
    expect(inputs.filter((i) => /^node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(i))).toEqual([]);
    const { messages, locales } = JSON.parse(execFileSync(process.execPath, [outfile], { cwd: out, encoding: "utf8" }));
    expect(locales).toEqual(["en"]);
    const { z } = await import("zod");
    const unbundled = z.object({ name: z.string(), email: z.email() }).safeParse({ name: 1, email: "x" });
    expect(messages).toEqual(unbundled.error!.issues.map((i) => i.message));
    expect(messages[0]).toBe("Invalid input: expected string, received number");
  }, 60_000);
});
