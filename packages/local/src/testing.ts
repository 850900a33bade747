import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from "node:http";
import { listenOnLoopback } from "./listen";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "./runtime";

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON when the response says so, otherwise the text ("" for no body). */
  body: T;
}

export interface ApiInit extends RequestInit {
  /** Sent as the JSON body with content-type application/json. */
  json?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Source address to connect from, e.g. "127.0.0.2": the API sees it as the caller's address, as
   * API Gateway's sourceIp, so a test can act as several clients. Linux routes all of 127.0.0.0/8 to
   * loopback; the server still listens on 127.0.0.1 only.
   */
  from?: string;
}

/** A sent email as the SES emulator stores it (GET /store). */
export interface LocalEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: Array<{ content: string; contentType: string; filename?: string; size: number }>;
  headers?: Array<{ name: string; value: string }>;
  /** Epoch seconds. */
  at: number;
}

export interface TestStack extends LocalStack {
  api<T = any>(path: string, init?: ApiInit): Promise<ApiResponse<T>>;
  emails(): Promise<LocalEmail[]>;
  clearEmails(): Promise<void>;
  /** Lines the stack logged (request log, ticks), oldest first. */
  logs: string[];
  /** Background failures (tick, consumers) the stack reported. */
  errors: Array<{ message: string; err: unknown }>;
}

/**
 * A local stack for tests: random ports, in memory, no scheduler (call tick()), fast bcrypt.
 * The SES emulator's mail store is module-global; with one stack per test file that is harmless.
 */
export async function startTestStack(opts: LocalStackOptions = {}): Promise<TestStack> {
  const logs: string[] = [];
  const errors: TestStack["errors"] = [];
  const stack = await startLocalStack({
    port: 0,
    mailPort: 0,
    dynamoPort: 0,
    sqsPort: 0,
    scheduler: false,
    ...opts,
    inMemory: true,
    dataDir: undefined,
    // Tests run checks back to back; the per-monitor manual-check spacing is tested with its own setting.
    env: { BCRYPT_COST: "4", MANUAL_CHECK_MONITOR_SEC: "0", ...opts.env },
    log: (line) => {
      logs.push(line);
      opts.log?.(line);
    },
    logError: (message, err) => {
      errors.push({ message, err });
      (opts.logError ?? ((m: string, e: unknown) => console.error(m, e)))(message, err);
    },
  });

  return {
    ...stack,
    logs,
    errors,
    async api(path, init = {}) {
      const { json, token, from, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (json !== undefined) headers.set("content-type", "application/json");
      if (token) headers.set("authorization", `Bearer ${token}`);
      const body = json !== undefined ? JSON.stringify(json) : rest.body;
      const res = from
        ? await requestFrom(from, stack.apiUrl + path, rest.method ?? "GET", headers, body as string | undefined)
        : await fetch(stack.apiUrl + path, { ...rest, headers, body });
      const text = await res.text();
      const isJson = /\bjson\b/i.test(res.headers.get("content-type") ?? "");
      return { status: res.status, headers: res.headers, body: isJson && text ? JSON.parse(text) : text };
    },
    async emails() {
      const res = await fetch(`${stack.mailUrl}/store`);
      if (!res.ok) throw new Error(`GET /store answered ${res.status}`);
      return ((await res.json()) as { emails: LocalEmail[] }).emails;
    },
    async clearEmails() {
      const res = await fetch(`${stack.mailUrl}/clear-store`, { method: "POST" });
      if (!res.ok) throw new Error(`POST /clear-store answered ${res.status}`);
    },
  };
}

/** fetch() cannot choose its source address; node:http can (localAddress). */
function requestFrom(localAddress: string, url: string, method: string, headers: Headers, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, localAddress, headers: Object.fromEntries(headers) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const out = new Headers();
        for (const [k, v] of Object.entries(res.headers)) for (const x of [v ?? []].flat()) out.append(k, x);
        const status = res.statusCode ?? 500;
        const noBody = status === 204 || status === 304;
        resolve(new Response(noBody ? null : Buffer.concat(chunks), { status, headers: out }));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export interface TargetBehaviour {
  /** Default 200. */
  status?: number;
  /** Default "ok". */
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or stop()). */
  hang?: boolean;
  /** Destroy the connection without any response. */
  close?: boolean;
}

export interface TargetHit {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface Target {
  /** Base URL, e.g. http://127.0.0.1:41234 (any path is answered the same way). */
  url: string;
  /** Replace the behaviour for subsequent requests (unset fields take their defaults). */
  set(behaviour: TargetBehaviour): void;
  /** Requests received so far, oldest first. */
  readonly hits: TargetHit[];
  stop(): Promise<void>;
}

/** A local HTTP server standing in for a monitored site, whose answers the test controls. */
export async function startTarget(initial: TargetBehaviour = {}): Promise<Target> {
  let behaviour: TargetBehaviour = initial;
  const hits: TargetHit[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    hits.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, at: Date.now() });
    const b = behaviour;
    // Drain the request body so the client is not blocked writing it.
    req.resume();
    if (b.hang) return;
    const answer = () => {
      if (b.close) {
        req.socket.destroy();
        return;
      }
      res.writeHead(b.status ?? 200, { "content-type": "text/plain", ...b.headers });
      res.end(b.body ?? "ok");
    };
    if (b.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, b.delayMs);
      timers.add(t);
    } else answer();
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    set(b) {
      behaviour = b;
    },
    get hits() {
      return hits;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
