/** Local HTTP servers, a fake resolver and config switches for the probe tests. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import dns from "node:dns";
import { afterAll, afterEach, beforeAll, vi } from "vitest";
import { reloadConfig } from "../platform/config";
import type { Probe } from "./probe";
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export interface TestServer {
  port: number;
  url: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** Sockets still open on the server side. */
  open: Set<net.Socket>;
  close: () => Promise<void>;
}

const servers: TestServer[] = [];

export async function listen(server: net.Server, scheme: "http" | "https"): Promise<TestServer> {
  const open = new Set<net.Socket>();
  const t = { port: 0, url: "", connections: 0, open } as TestServer;
  server.on("connection", (s: net.Socket) => {
    t.connections++;
    open.add(s);
    s.on("close", () => open.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.port = (server.address() as net.AddressInfo).port;
  t.url = `${scheme}://127.0.0.1:${t.port}`;
  t.close = () =>
    new Promise<void>((resolve) => {
      for (const s of open) s.destroy();
      server.close(() => resolve());
    });
  servers.push(t);
  return t;
}

export function httpServer(handler: Handler): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  return listen(server, "http");
}

/** Answers for made-up names; returns the names asked for, in order. */
export function fakeResolver(answers: Record<string, string>): string[] {
  const asked: string[] = [];
  vi.spyOn(dns, "lookup").mockImplementation(((host: string, _opts: unknown, cb: (...a: unknown[]) => void) => {
    asked.push(host);
    const address = answers[host];
    queueMicrotask(() =>
      address
        ? cb(null, [{ address, family: net.isIP(address) }])
        : cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" })),
    );
  }) as any);
  return asked;
}

export const ok = (res: http.ServerResponse, body = "ok") => res.writeHead(200, { "content-type": "text/plain" }).end(body);

export function base(url: string, extra: Partial<Probe.ProbeRequest> = {}): Probe.ProbeRequest {
  return { url, method: "GET", timeoutMs: 2000, expectedStatus: ["200-299"], ...extra };
}

const env = { ...process.env };
export function setEnv(vars: Record<string, string>) {
  Object.assign(process.env, vars);
  reloadConfig();
}
function restoreEnv() {
  for (const k of ["ALLOW_PRIVATE_TARGETS", "MAX_RESPONSE_BYTES"]) {
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
  process.env.ALLOW_PRIVATE_TARGETS = "true";
  reloadConfig();
}


/** Registers the hooks every probe test file needs: private targets allowed, servers closed, env restored. */
export function useProbeTestEnv() {
  beforeAll(() => setEnv({ ALLOW_PRIVATE_TARGETS: "true" }));
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(servers.splice(0).map((s) => s.close()));
    restoreEnv();
  });
  afterAll(() => {
    for (const k of ["ALLOW_PRIVATE_TARGETS", "MAX_RESPONSE_BYTES"]) {
      if (env[k] === undefined) delete process.env[k];
      else process.env[k] = env[k];
    }
    reloadConfig();
  });
}

/** Holds the thread for `ms`, as a burst of other checks' work would. */
export function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

/** A result's phases laid end to end. */
export const sumOf = (phases: Probe.Phases) => Object.values(phases).reduce((a, b) => a + (b ?? 0), 0);

export const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;

export async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Whether `openssl` is there to make test certificates (the TLS tests are skipped without it). */
export const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A throwaway self-signed certificate for localhost, valid from now for `days` days. */
export function selfSignedCertificate(days: number): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "probe-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", String(days), "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
