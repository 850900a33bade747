import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenOnLoopback } from "./listen";

/**
 * The errors AWS returns under load, in front of an emulator: the SDK clients talk to this proxy
 * instead of the emulator, and a seeded share of their requests fails the way the real service
 * fails. What the product promises (every transition mailed once, no result lost or doubled)
 * must hold through all of them.
 *
 * - throttle: refused before reaching the service (DynamoDB ThrottlingException, SQS
 *   RequestThrottled, SES TooManyRequestsException / "Maximum sending rate exceeded").
 * - serverError: a 500 before reaching the service.
 * - lostResponse: the service DID the work, then the caller gets a 500 (a timeout or a dropped
 *   connection after the write). The SDK retries, or the handler throws and its message comes
 *   back: this is the in-process stand-in for a function killed between two writes. Not applied
 *   to SES, whose sends cannot be made idempotent by the caller (a lost response there means a
 *   second mail, as with AWS itself).
 * - redeliver (SQS only): a DeleteMessage(Batch) answered as done but not done, so the message
 *   comes back after its visibility timeout: a duplicate delivery.
 * - delayMs: every request waits this long first (a slow service).
 * - atLeastOnce: each kind given a rate is injected into the first request it can apply to,
 *   then at its rate. A short run with low rates may otherwise see no fault of a rare kind
 *   (3% of ~80 SQS sends is none in one run of ten), and a soak that claims to have survived
 *   lost responses must have had one.
 */
export interface FaultRates {
  throttle?: number;
  serverError?: number;
  lostResponse?: number;
  redeliver?: number;
  delayMs?: number;
  atLeastOnce?: boolean;
}

export type FaultService = "dynamodb" | "sqs" | "ses";
export type FaultKind = "throttle" | "serverError" | "lostResponse" | "redeliver";

export interface FaultProxy {
  url: string;
  /** Faults injected so far, by kind and operation ("throttle PutItem"). */
  injected: Map<string, number>;
  requests: number;
  setRates(rates: FaultRates): void;
  stop(): Promise<void>;
}

/** Seeded so a failing soak can be replayed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JSON_10 = "application/x-amz-json-1.0";

/** The wire answer each service gives for a fault, as its SDK client parses it. */
function faultResponse(service: FaultService, kind: "throttle" | "serverError"): { status: number; type: string; body: string; errorType?: string } {
  if (service === "dynamodb") {
    return kind === "throttle"
      ? { status: 400, type: JSON_10, body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException", message: "Rate of requests exceeds the allowed throughput." }) }
      : { status: 500, type: JSON_10, body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#InternalServerError", message: "Internal server error" }) };
  }
  if (service === "sqs") {
    return kind === "throttle"
      ? { status: 400, type: JSON_10, body: JSON.stringify({ __type: "com.amazonaws.sqs#RequestThrottled", message: "Request is throttled." }) }
      : { status: 500, type: JSON_10, body: JSON.stringify({ __type: "com.amazonaws.sqs#InternalError", message: "We encountered an internal error. Please try again." }) };
  }
  return kind === "throttle"
    ? { status: 429, type: "application/json", errorType: "TooManyRequestsException", body: JSON.stringify({ message: "Maximum sending rate exceeded." }) }
    : { status: 500, type: "application/json", errorType: "InternalFailure", body: JSON.stringify({ message: "Internal failure" }) };
}

/** What the request is: the JSON protocols name it in X-Amz-Target, SES v2 (REST) in its path. */
function operationOf(service: FaultService, req: IncomingMessage): string {
  const target = req.headers["x-amz-target"];
  if (typeof target === "string") return target.split(".").pop() ?? target;
  return service === "ses" ? `${req.method} ${(req.url ?? "").split("?")[0]}` : String(req.method);
}

/** Writes whose response may be lost after the work is done (SES sends excluded: see FaultRates). */
const isWrite = (op: string) => /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|SendMessage|SendMessageBatch|ChangeMessageVisibility)$/.test(op);

export async function startFaultProxy(opts: { upstream: string; service: FaultService; rates?: FaultRates; seed?: number }): Promise<FaultProxy> {
  const random = seededRandom(opts.seed ?? 1);
  let rates: FaultRates = {};
  let owed = new Set<FaultKind>();
  const setRates = (next: FaultRates) => {
    rates = next;
    const kinds: FaultKind[] = ["throttle", "serverError", "lostResponse", "redeliver"];
    owed = new Set(next.atLeastOnce ? kinds.filter((k) => (next[k] ?? 0) > 0) : []);
  };
  setRates(opts.rates ?? {});
  const injected = new Map<string, number>();
  let requests = 0;
  const count = (kind: FaultKind, op: string) => injected.set(`${kind} ${op}`, (injected.get(`${kind} ${op}`) ?? 0) + 1);
  const upstream = opts.upstream.replace(/\/$/, "");

  async function forward(req: IncomingMessage, body: Buffer) {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "content-length" && k !== "connection") headers[k] = v;
    return fetch(upstream + (req.url ?? "/"), { method: req.method, headers, body: req.method === "GET" || req.method === "HEAD" ? undefined : body });
  }

  function answer(res: ServerResponse, status: number, type: string, body: string | Buffer, errorType?: string) {
    // REST services (SES v2) name the error in a header; the JSON protocols in the body's __type.
    res.writeHead(status, { "content-type": type, "x-amzn-requestid": `fault-${requests}`, ...(errorType && { "x-amzn-errortype": errorType }) });
    res.end(body);
  }

  const server = createServer(async (req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const op = operationOf(opts.service, req);
    const r = rates;
    try {
      if (r.delayMs) await new Promise((resolve) => setTimeout(resolve, r.delayMs));
      // One draw per request, so a given seed replays the same faults for the same request order.
      const roll = random();
      let edge = 0;
      const hit = (rate = 0) => roll < (edge += rate);
      const due = (kind: FaultKind) => owed.delete(kind);
      if (due("throttle") || hit(r.throttle)) {
        count("throttle", op);
        const f = faultResponse(opts.service, "throttle");
        return answer(res, f.status, f.type, f.body, f.errorType);
      }
      if (due("serverError") || hit(r.serverError)) {
        count("serverError", op);
        const f = faultResponse(opts.service, "serverError");
        return answer(res, f.status, f.type, f.body, f.errorType);
      }
      if (opts.service === "sqs" && /^DeleteMessage(Batch)?$/.test(op) && (due("redeliver") || hit(r.redeliver))) {
        count("redeliver", op);
        // Answered as SQS would have, without deleting: the message comes back.
        const parsed = JSON.parse(body.toString("utf8") || "{}") as { Entries?: Array<{ Id: string }> };
        const out = op === "DeleteMessageBatch" ? { Successful: (parsed.Entries ?? []).map((e) => ({ Id: e.Id })), Failed: [] } : {};
        return answer(res, 200, JSON_10, JSON.stringify(out));
      }
      const up = await forward(req, body);
      const text = Buffer.from(await up.arrayBuffer());
      if (up.ok && isWrite(op) && (due("lostResponse") || hit(r.lostResponse))) {
        count("lostResponse", op);
        const f = faultResponse(opts.service, "serverError");
        return answer(res, f.status, f.type, f.body, f.errorType);
      }
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(k)) headers[k] = v;
      });
      res.writeHead(up.status, headers);
      res.end(text);
    } catch (err) {
      // The emulator itself failed (stopping, say): the caller sees a 500, as it would from AWS.
      const f = faultResponse(opts.service, "serverError");
      if (!res.headersSent) answer(res, f.status, f.type, f.body);
      else res.destroy(err as Error);
    }
  });
  const url = await listenOnLoopback(server);
  return {
    url,
    injected,
    get requests() {
      return requests;
    },
    setRates,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
