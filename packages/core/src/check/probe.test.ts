import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dns from "node:dns";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { reloadConfig } from "../platform/config";
import { Probe } from "./probe";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface TestServer {
  port: number;
  url: string;
  /** TCP connections accepted so far. */
  connections: number;
  /** Sockets still open on the server side. */
  open: Set<net.Socket>;
  close: () => Promise<void>;
}

const servers: TestServer[] = [];

async function listen(server: net.Server, scheme: "http" | "https"): Promise<TestServer> {
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

function httpServer(handler: Handler): Promise<TestServer> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handler(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  return listen(server, "http");
}

/** Answers for made-up names; returns the names asked for, in order. */
function fakeResolver(answers: Record<string, string>): string[] {
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

const ok = (res: http.ServerResponse, body = "ok") => res.writeHead(200, { "content-type": "text/plain" }).end(body);

function base(url: string, extra: Partial<Probe.ProbeRequest> = {}): Probe.ProbeRequest {
  return { url, method: "GET", timeoutMs: 2000, expectedStatus: ["200-299"], ...extra };
}

const env = { ...process.env };
function setEnv(vars: Record<string, string>) {
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

describe("statusMatches", () => {
  it.each([
    [200, ["200"], true],
    [201, ["200"], false],
    [204, ["200-299"], true],
    [299, ["200-299"], true],
    [300, ["200-299"], false],
    [199, ["200-299"], false],
    [301, ["200", "301"], true],
    [404, [" 400 - 404 "], true],
    [503, ["200-399"], false],
    [200, ["299-200"], false], // reversed range matches nothing
    [200, ["2xx"], false], // unsupported syntax matches nothing
    [200, ["abc", "200"], true],
    [200, [], false],
  ] as const)("%i in %j → %s", (status, expected, result) => {
    expect(Probe.statusMatches(status, [...expected])).toBe(result);
  });
});

describe("daysUntil", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("counts whole days left, rounding down", () => {
    expect(Probe.daysUntil("Jan 31 00:00:00 2026 GMT", now)).toBe(30);
    expect(Probe.daysUntil("Jan 30 23:59:59 2026 GMT", now)).toBe(29);
    expect(Probe.daysUntil("Jan  1 12:00:00 2026 GMT", now)).toBe(0);
  });
  it("is negative once expired", () => {
    expect(Probe.daysUntil("Dec 31 00:00:00 2025 GMT", now)).toBe(-1);
  });
  it("is undefined for an unparseable date", () => {
    expect(Probe.daysUntil("not a date", now)).toBeUndefined();
  });
});

describe("probe over http", () => {
  it("reports a 200 as ok with latency, status and final URL", async () => {
    const s = await httpServer((_req, res) => ok(res));
    const out = await Probe.probe(base(`${s.url}/health`));
    expect(out).toMatchObject({ ok: true, httpStatus: 200, redirects: 0, finalUrl: `${s.url}/health` });
    expect(out.reason).toBeUndefined();
    expect(out.certDaysLeft).toBeUndefined();
    expect(Number.isInteger(out.latencyMs)).toBe(true);
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("fails a status outside the expected range and names both", async () => {
    const s = await httpServer((_req, res) => res.writeHead(503).end("down"));
    const out = await Probe.probe(base(s.url, { expectedStatus: ["200-299"] }));
    expect(out).toMatchObject({ ok: false, reason: "status_mismatch", httpStatus: 503 });
    expect(out.message).toContain("200-299");
    expect(out.message).toContain("503");
  });

  it("does not wait for the body of an unexpected status", async () => {
    const s = await httpServer((_req, res) => {
      res.writeHead(503, { "content-length": "1000" });
      res.write("never finished");
    });
    const out = await Probe.probe(base(s.url, { timeoutMs: 500 }));
    expect(out).toMatchObject({ ok: false, reason: "status_mismatch", httpStatus: 503 });
    expect(out.latencyMs).toBeLessThan(400);
  });

  it("accepts a non-2xx status that is expected", async () => {
    const s = await httpServer((_req, res) => res.writeHead(404).end());
    expect(await Probe.probe(base(s.url, { expectedStatus: ["404"] }))).toMatchObject({ ok: true, httpStatus: 404 });
  });

  it("measures injected latency", async () => {
    const s = await httpServer((_req, res) => setTimeout(() => ok(res), 200));
    const out = await Probe.probe(base(s.url));
    expect(out.ok).toBe(true);
    expect(out.latencyMs).toBeGreaterThanOrEqual(195);
    expect(out.latencyMs).toBeLessThan(400);
  });

  it("includes the body in latency when the body is slow", async () => {
    const s = await httpServer((_req, res) => {
      res.writeHead(200, { "content-length": "4" });
      res.write("ab");
      setTimeout(() => res.end("cd"), 200);
    });
    const out = await Probe.probe(base(s.url));
    expect(out.ok).toBe(true);
    expect(out.latencyMs).toBeGreaterThanOrEqual(195);
  });

  it("times out at the deadline when the server never answers, and closes the socket", async () => {
    const s = await httpServer(() => {
      /* never answers */
    });
    // sockets of earlier tests may still be closing; start from a quiet baseline
    await waitFor(() => tcpSockets() === 0, 1000).catch(() => {});
    const socketsBefore = tcpSockets();
    const started = Date.now();
    const out = await Probe.probe(base(s.url, { timeoutMs: 300 }));
    const took = Date.now() - started;
    expect(out).toMatchObject({ ok: false, reason: "timeout" });
    expect(out.httpStatus).toBeUndefined();
    expect(out.latencyMs).toBeGreaterThanOrEqual(295);
    expect(took).toBeLessThan(1000);
    expect(s.connections).toBe(1);
    // the probe destroyed its side, so the server sees the close promptly
    await waitFor(() => s.open.size === 0, 500);
    expect(tcpSockets()).toBe(socketsBefore);
  });

  it("times out when a raw TCP listener accepts and stays silent", async () => {
    // reads (so it notices the probe hanging up) but never writes
    const tcp = await listen(net.createServer((sock) => sock.resume()), "http");
    const started = Date.now();
    const out = await Probe.probe(base(tcp.url, { timeoutMs: 300 }));
    expect(out.reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(1000);
    await waitFor(() => tcp.open.size === 0, 500);
  });

  it("times out across redirects: the deadline covers the whole check", async () => {
    const s = await httpServer((req, res) => {
      const n = Number(new URL(req.url!, "http://x").searchParams.get("n") ?? 0);
      setTimeout(() => res.writeHead(302, { location: `/?n=${n + 1}` }).end(), 120);
    });
    const started = Date.now();
    const out = await Probe.probe(base(s.url, { timeoutMs: 300 }));
    expect(out.reason).toBe("timeout");
    expect(out.redirects).toBe(2);
    expect(Date.now() - started).toBeLessThan(800);
  });

  it("reports connection_refused for a closed port", async () => {
    const s = await httpServer((_req, res) => ok(res));
    const url = s.url;
    await s.close();
    const out = await Probe.probe(base(url));
    expect(out).toMatchObject({ ok: false, reason: "connection_refused" });
  });

  it("reports dns for a host that does not resolve", async () => {
    const out = await Probe.probe(base("http://nonexistent.invalid/"));
    expect(out).toMatchObject({ ok: false, reason: "dns", finalUrl: "http://nonexistent.invalid/" });
    expect(out.message).toContain("nonexistent.invalid");
  });

  it("reports error for an unparseable URL and an unsupported scheme, without throwing", async () => {
    expect(await Probe.probe(base("not a url"))).toMatchObject({ ok: false, reason: "error", redirects: 0 });
    expect(await Probe.probe(base("ftp://127.0.0.1/"))).toMatchObject({ ok: false, reason: "error" });
  });

  it("reports error when the connection is reset mid-response", async () => {
    const s = await httpServer((req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("partial");
      setTimeout(() => req.socket.resetAndDestroy(), 20);
    });
    const plain = await Probe.probe(base(s.url));
    expect(plain).toMatchObject({ ok: false, reason: "error" });
    expect(plain.message).toMatch(/closed before the response was complete|connection reset/);
    const withKeyword = await Probe.probe(base(s.url, { keyword: "partial" }));
    expect(withKeyword).toMatchObject({ ok: false, reason: "error" });
  });

  it("reports error when the connection is closed before any response", async () => {
    const s = await httpServer((req) => req.socket.destroy());
    const out = await Probe.probe(base(s.url));
    expect(out).toMatchObject({ ok: false, reason: "error" });
    expect(out.message).toMatch(/hang up|reset|closed/i);
  });

  it("sends method, headers and body, with a default user-agent", async () => {
    const seen: Array<{ method?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const s = await httpServer((req, res, body) => {
      seen.push({ method: req.method, headers: req.headers, body });
      ok(res);
    });
    const out = await Probe.probe(
      base(`${s.url}/items/1`, { method: "PUT", headers: { "X-Probe": "yes", "content-type": "application/json" }, body: '{"a":"é"}' }),
    );
    expect(out.ok).toBe(true);
    expect(seen[0].method).toBe("PUT");
    expect(seen[0].headers["x-probe"]).toBe("yes");
    expect(seen[0].headers["content-type"]).toBe("application/json");
    expect(seen[0].headers["user-agent"]).toBe("uptime-monitor/1.0");
    expect(seen[0].headers["content-length"]).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(seen[0].body).toBe('{"a":"é"}');

    await Probe.probe(base(s.url, { method: "DELETE", headers: { "User-Agent": "custom/2" } }));
    expect(seen[1].method).toBe("DELETE");
    expect(seen[1].headers["user-agent"]).toBe("custom/2");
  });

  it("handles HEAD without waiting for a body", async () => {
    const s = await httpServer((req, res) => {
      res.writeHead(200, { "content-length": "100" });
      res.end(req.method === "HEAD" ? undefined : "x".repeat(100));
    });
    expect(await Probe.probe(base(s.url, { method: "HEAD", timeoutMs: 1000 }))).toMatchObject({ ok: true, httpStatus: 200 });
  });
});

describe("redirects", () => {
  it("follows relative and absolute redirects and reports the final URL", async () => {
    const target = await httpServer((req, res) => (req.url === "/final" ? ok(res) : res.writeHead(404).end()));
    const s = await httpServer((req, res) => {
      if (req.url === "/a/start") return res.writeHead(301, { location: "next" }).end(); // relative to /a/
      if (req.url === "/a/next") return res.writeHead(302, { location: "/abs" }).end();
      if (req.url === "/abs") return res.writeHead(307, { location: `${target.url}/final` }).end();
      res.writeHead(404).end();
    });
    const out = await Probe.probe(base(`${s.url}/a/start`));
    expect(out).toMatchObject({ ok: true, httpStatus: 200, redirects: 3, finalUrl: `${target.url}/final` });
  });

  it("turns a POST into a body-less GET on 303 and keeps it on 307", async () => {
    const seen: Array<{ url?: string; method?: string; body: string; len?: string; type?: string }> = [];
    const s = await httpServer((req, res, body) => {
      seen.push({ url: req.url, method: req.method, body, len: req.headers["content-length"], type: req.headers["content-type"] });
      if (req.url === "/see-other") return res.writeHead(303, { location: "/done" }).end();
      if (req.url === "/temporary") return res.writeHead(307, { location: "/done" }).end();
      ok(res);
    });
    const post = { method: "POST" as const, body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } };

    expect(await Probe.probe(base(`${s.url}/see-other`, post))).toMatchObject({ ok: true, redirects: 1 });
    expect(seen[1]).toEqual({ url: "/done", method: "GET", body: "", len: undefined, type: undefined });

    expect(await Probe.probe(base(`${s.url}/temporary`, post))).toMatchObject({ ok: true, redirects: 1 });
    expect(seen[3]).toMatchObject({ url: "/done", method: "POST", body: "a=1", len: "3" });
  });

  it("does not wait for the body of a redirect", async () => {
    const s = await httpServer((req, res) => {
      if (req.url === "/final") return ok(res);
      res.writeHead(302, { location: "/final", "content-length": "1000" });
      res.write("never finished");
    });
    expect(await Probe.probe(base(`${s.url}/start`, { timeoutMs: 500 }))).toMatchObject({ ok: true, redirects: 1 });
  });

  it("stops with error after 5 redirects", async () => {
    let hits = 0;
    const s = await httpServer((_req, res) => {
      hits++;
      res.writeHead(302, { location: "/loop" }).end();
    });
    const out = await Probe.probe(base(`${s.url}/loop`));
    expect(out).toMatchObject({ ok: false, reason: "error", redirects: 5, finalUrl: `${s.url}/loop` });
    expect(out.message).toMatch(/too many redirects/);
    expect(hits).toBe(6);
  });

  it("follows exactly 5 redirects successfully", async () => {
    const s = await httpServer((req, res) => {
      const n = Number(req.url!.slice(1));
      if (n < 5) return res.writeHead(302, { location: `/${n + 1}` }).end();
      ok(res);
    });
    expect(await Probe.probe(base(`${s.url}/0`))).toMatchObject({ ok: true, redirects: 5, finalUrl: `${s.url}/5` });
  });

  it("does not follow a 3xx that is explicitly expected, but does for a broad range", async () => {
    let hits = 0;
    const s = await httpServer((req, res) => {
      hits++;
      if (req.url === "/old") return res.writeHead(301, { location: "/new" }).end();
      ok(res);
    });
    expect(await Probe.probe(base(`${s.url}/old`, { expectedStatus: ["301"] }))).toMatchObject({
      ok: true,
      httpStatus: 301,
      redirects: 0,
      finalUrl: `${s.url}/old`,
    });
    expect(hits).toBe(1);
    expect(await Probe.probe(base(`${s.url}/old`, { expectedStatus: ["200-399"] }))).toMatchObject({
      ok: true,
      httpStatus: 200,
      redirects: 1,
    });
  });

  it("resolves every hop through the guarded lookup and connects to the address it returned", async () => {
    const final = await httpServer((_req, res) => ok(res));
    const first = await httpServer((_req, res) => res.writeHead(302, { location: `http://second.test:${final.port}/` }).end());
    const looked = fakeResolver({ "first.test": "127.0.0.1", "second.test": "127.0.0.1" });
    const out = await Probe.probe(base(`http://first.test:${first.port}/`));
    expect(out).toMatchObject({ ok: true, redirects: 1, finalUrl: `http://second.test:${final.port}/` });
    expect(looked).toEqual(["first.test", "second.test"]);
    expect(final.connections).toBe(1);
  });

  it("drops credentials on a cross-origin redirect but keeps them on the same origin", async () => {
    const auth: Array<string | undefined> = [];
    const other = await httpServer((req, res) => {
      auth.push(req.headers.authorization);
      ok(res);
    });
    const s = await httpServer((req, res) => {
      auth.push(req.headers.authorization);
      if (req.url === "/start") return res.writeHead(302, { location: "/same" }).end();
      if (req.url === "/same") return res.writeHead(302, { location: `${other.url}/x` }).end();
      ok(res);
    });
    const out = await Probe.probe(base(`${s.url}/start`, { headers: { Authorization: "Bearer secret" } }));
    expect(out.ok).toBe(true);
    expect(auth).toEqual(["Bearer secret", "Bearer secret", undefined]);
  });
});

describe("keyword", () => {
  const page = (body: string) => httpServer((_req, res) => ok(res, body));

  it("passes contains when present and fails when absent", async () => {
    const s = await page("<h1>All systems operational</h1>");
    expect(await Probe.probe(base(s.url, { keyword: "operational" }))).toMatchObject({ ok: true });
    const out = await Probe.probe(base(s.url, { keyword: "Maintenance" }));
    expect(out).toMatchObject({ ok: false, reason: "keyword_mismatch", httpStatus: 200 });
    expect(out.message).toContain("Maintenance");
  });

  it("passes not-contains when absent and fails when present", async () => {
    const s = await page("status: degraded");
    expect(await Probe.probe(base(s.url, { keyword: "error", keywordMode: "not-contains" }))).toMatchObject({ ok: true });
    expect(await Probe.probe(base(s.url, { keyword: "degraded", keywordMode: "not-contains" }))).toMatchObject({
      ok: false,
      reason: "keyword_mismatch",
    });
  });

  it("reports a status mismatch before looking at the keyword", async () => {
    const s = await httpServer((_req, res) => res.writeHead(500).end("operational"));
    expect(await Probe.probe(base(s.url, { keyword: "missing" }))).toMatchObject({ reason: "status_mismatch" });
  });

  it("reads at most MAX_RESPONSE_BYTES and does not fail because of the cut", async () => {
    setEnv({ MAX_RESPONSE_BYTES: "1024" });
    const s = await page(`HEAD-MARKER${"x".repeat(100_000)}TAIL-MARKER`);
    expect(await Probe.probe(base(s.url, { keyword: "HEAD-MARKER" }))).toMatchObject({ ok: true, httpStatus: 200 });
    // past the limit: not seen
    expect(await Probe.probe(base(s.url, { keyword: "TAIL-MARKER" }))).toMatchObject({ reason: "keyword_mismatch" });
    expect(await Probe.probe(base(s.url, { keyword: "TAIL-MARKER", keywordMode: "not-contains" }))).toMatchObject({ ok: true });
  });

  it("stops reading an endless body at the limit, with or without a keyword", async () => {
    setEnv({ MAX_RESPONSE_BYTES: "4096" });
    const s = await httpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("hello ");
      const t = setInterval(() => res.write("y".repeat(1024)), 5);
      res.on("close", () => clearInterval(t));
    });
    const started = Date.now();
    expect(await Probe.probe(base(s.url, { keyword: "hello", timeoutMs: 3000 }))).toMatchObject({ ok: true });
    expect(await Probe.probe(base(s.url, { timeoutMs: 3000 }))).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeLessThan(1500);
    await waitFor(() => s.open.size === 0, 500);
  });
});

describe("blocked targets (ALLOW_PRIVATE_TARGETS=false)", () => {
  it("refuses localhost after resolving it, before any connection", async () => {
    const s = await httpServer((_req, res) => ok(res));
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    const out = await Probe.probe(base(`http://localhost:${s.port}/`));
    expect(out).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(s.connections).toBe(0);
  });

  it("refuses a literal private IP, which never goes through DNS", async () => {
    const s = await httpServer((_req, res) => ok(res));
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    expect(await Probe.probe(base(s.url))).toMatchObject({ reason: "blocked_target" });
    expect(await Probe.probe(base(`http://[::ffff:127.0.0.1]:${s.port}/`))).toMatchObject({ reason: "blocked_target" });
    expect(s.connections).toBe(0);
  });

  it("refuses a name whose answer changed to a private address since creation (rebinding)", async () => {
    const s = await httpServer((_req, res) => ok(res));
    fakeResolver({ "rebind.test": "127.0.0.1" });
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    expect(await Probe.probe(base(`http://rebind.test:${s.port}/`))).toMatchObject({ reason: "blocked_target" });
    expect(s.connections).toBe(0);
  });

  it("connects to the same localhost target when private targets are allowed", async () => {
    const s = await httpServer((_req, res) => ok(res));
    expect(await Probe.probe(base(`http://localhost:${s.port}/`))).toMatchObject({ ok: true });
    expect(s.connections).toBe(1);
  });
});

// ---------- TLS ----------

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)("probe over https", () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "probe-tls-"));
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost",
        "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    key = readFileSync(join(dir, "key.pem"));
    cert = readFileSync(join(dir, "cert.pem"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tlsServer = (handler: Handler = (_req, res) => ok(res)) =>
    listen(
      https.createServer({ key, cert }, (req, res) => handler(req, res, "")),
      "https",
    );

  it("fails a self-signed certificate as tls, since certificates are verified", async () => {
    const s = await tlsServer();
    const out = await Probe.probe(base(`${s.url}/`));
    expect(out).toMatchObject({ ok: false, reason: "tls" });
    expect(out.message).toMatch(/self[- ]signed/i);
  });

  it("fails a hostname mismatch as tls even when the issuer is trusted", async () => {
    const s = await tlsServer();
    const out = await Probe.probe(base(`${s.url}/`), { ca: cert });
    expect(out).toMatchObject({ ok: false, reason: "tls" });
    expect(out.message).toMatch(/altnames|does not match|IP/i);
  });

  it("reports certDaysLeft for a trusted certificate", async () => {
    const s = await tlsServer();
    const out = await Probe.probe(base(`https://localhost:${s.port}/`), { ca: cert });
    expect(out).toMatchObject({ ok: true, httpStatus: 200 });
    // -days 30 from a moment ago
    expect(out.certDaysLeft).toBeGreaterThanOrEqual(29);
    expect(out.certDaysLeft).toBeLessThanOrEqual(30);
  });

  it("reports tls when speaking https to a plain http server", async () => {
    const s = await httpServer((_req, res) => ok(res));
    // repeated: the failure surfaces as different node errors depending on timing
    for (let i = 0; i < 5; i++) {
      const out = await Probe.probe(base(`https://127.0.0.1:${s.port}/`));
      expect(out).toMatchObject({ ok: false, reason: "tls" });
      expect(out.message).not.toMatch(/openssl|\.c:\d+/);
    }
    const raw = await listen(
      net.createServer((sock) => sock.once("data", () => sock.end("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))),
      "http",
    );
    const out = await Probe.probe(base(`https://127.0.0.1:${raw.port}/`));
    expect(out).toMatchObject({ ok: false, reason: "tls" });
  });
});

const tcpSockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
