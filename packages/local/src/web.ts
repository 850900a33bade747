import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The web app (packages/web) next to the API on one origin, as CloudFront serves it when deployed:
 * same origin is what lets the HttpOnly, SameSite=Strict refresh cookie reach /v1/auth.
 */
export const webRoot = fileURLToPath(new URL("../../web/", import.meta.url));
/** Builds live in a folder per source hash, so a build never replaces files a running server is serving. */
const defaultBuildsDir = path.join(webRoot, ".build", "local");
/** One Vite build of the project at a time, whatever folder it builds into (Vite's own rule). */
const buildLock = path.join(webRoot, ".build", "build.lock");

/** A hash of everything the build reads from the package; node_modules changes show in package.json. */
export function webSourceHash(root = webRoot): string {
  const hash = createHash("sha256");
  const add = (file: string) => {
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else add(full);
    }
  };
  for (const file of ["index.html", "vite.config.ts", "package.json"]) add(path.join(root, file));
  walk(path.join(root, "src"));
  return hash.digest("hex");
}

export interface WebBuild {
  dir: string;
  /** False when the existing build was up to date. */
  built: boolean;
  ms: number;
}

/** A build lock older than this is a crashed build's. */
const STALE_LOCK_MS = 5 * 60_000;

/**
 * Builds the app with Vite unless a build of the current sources exists (a hash check, ~10 ms).
 * Concurrent callers (parallel test files, two `npm start`s) take turns: one builds, into a
 * temporary folder renamed when complete, while the others wait for it. Vite refuses a second
 * build of the project while one runs ("Found another Vite build process"), which failed the
 * second of two test files that found no build on a clean clone.
 */
export async function ensureWebBuild(opts: { log?: (line: string) => void; buildsDir?: string } = {}): Promise<WebBuild> {
  const started = performance.now();
  const buildsDir = opts.buildsDir ?? defaultBuildsDir;
  const hash = webSourceHash().slice(0, 16);
  const dir = path.join(buildsDir, hash);
  const elapsed = () => Math.round(performance.now() - started);
  mkdirSync(buildsDir, { recursive: true });
  mkdirSync(path.dirname(buildLock), { recursive: true });
  for (;;) {
    if (existsSync(path.join(dir, "index.html"))) return { dir, built: false, ms: elapsed() };
    try {
      mkdirSync(buildLock); // atomic: whoever creates it builds
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    let age = 0;
    try {
      age = Date.now() - statSync(buildLock).mtimeMs;
    } catch {
      // released meanwhile: look again
    }
    if (age > STALE_LOCK_MS) rmSync(buildLock, { recursive: true, force: true });
    else await new Promise((r) => setTimeout(r, 200));
  }
  try {
    return await buildInto(buildsDir, hash, opts, elapsed);
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

async function buildInto(buildsDir: string, hash: string, opts: { log?: (line: string) => void }, elapsed: () => number): Promise<WebBuild> {
  const dir = path.join(buildsDir, hash);
  opts.log?.("Building the web app (packages/web)…");
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  const vite = path.join(path.dirname(createRequire(path.join(webRoot, "package.json")).resolve("vite/package.json")), "bin", "vite.js");
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, "build", "--outDir", temp, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: webRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (c: Buffer) => output.push(c.toString()));
    child.stderr.on("data", (c: Buffer) => output.push(c.toString()));
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0) {
    rmSync(temp, { recursive: true, force: true });
    throw new Error(`vite build failed (exit ${code}):\n${output.join("")}`);
  }
  try {
    renameSync(temp, dir);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    if (!existsSync(path.join(dir, "index.html"))) throw err;
  }
  // Builds of older sources are of no more use.
  for (const old of readdirSync(buildsDir)) {
    if (old !== hash && !old.includes(".tmp-")) rmSync(path.join(buildsDir, old), { recursive: true, force: true });
  }
  return { dir, built: true, ms: elapsed() };
}

const contentTypes: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/**
 * A file of the build, or index.html for an app route (a path whose last segment has no dot, e.g.
 * /monitors/abc). Undefined otherwise, so the API answers (a JSON 404). Only called for paths
 * no API route matched.
 */
export async function webResponse(webDir: string, method: string, pathname: string): Promise<Response | undefined> {
  const dir = path.resolve(webDir);
  if (method !== "GET" && method !== "HEAD") return undefined;
  if (pathname.startsWith("/v1/")) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const file = path.join(dir, path.normalize(decoded));
  const inside = file.startsWith(dir + path.sep);
  const isFile = inside && !path.basename(file).startsWith(".") && existsSync(file) && statSync(file).isFile();
  const target = isFile ? file : path.basename(decoded).includes(".") ? undefined : path.join(dir, "index.html");
  if (!target || !existsSync(target)) return undefined;
  const body = method === "HEAD" ? null : await readFile(target);
  const hashed = target.includes(`${path.sep}assets${path.sep}`);
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": contentTypes[path.extname(target)] ?? "application/octet-stream",
      // Vite puts a content hash in every asset name; index.html must be revalidated to pick up new ones.
      "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
    },
  });
}
