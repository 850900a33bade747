import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { listenOnLoopback } from "@uptime/local/listen";

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json(): any;
}

export interface Answer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A local stand-in for a chat or on-call service (Slack, PagerDuty, a webhook endpoint...):
 * records every request with its body and answers from a script (then `fallback`).
 */
export interface Receiver {
  url: string;
  readonly received: Received[];
  /** Answers for the next requests, in order; once used up, `fallback` answers. */
  script(...answers: Answer[]): void;
  fallback: Answer;
  stop(): Promise<void>;
}

export async function startReceiver(fallback: Answer = { status: 200, body: "ok" }): Promise<Receiver> {
  const received: Received[] = [];
  const queue: Answer[] = [];
  const state = { fallback };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, json: () => JSON.parse(body) });
      const a = queue.shift() ?? state.fallback;
      res.writeHead(a.status, { "content-type": "text/plain", ...a.headers });
      res.end(a.body ?? "");
    });
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    received,
    script: (...answers) => void queue.push(...answers),
    get fallback() {
      return state.fallback;
    },
    set fallback(a: Answer) {
      state.fallback = a;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
