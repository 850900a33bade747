import http from "node:http";
import https from "node:https";
import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { Probe } from "./probe";
import { base, fakeResolver, hasOpenssl, httpServer, listen, ok, selfSignedCertificate, setEnv, tcpSockets, useProbeTestEnv, waitFor, type Handler } from "./probe-test-kit";

useProbeTestEnv();

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

describe.skipIf(!hasOpenssl)("probe over https", () => {
  let key: Buffer;
  let cert: Buffer;

  beforeAll(() => {
    ({ key, cert } = selfSignedCertificate(30));
  });

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
    // a name to resolve and a handshake: every phase is there
    expect(Object.keys(out.phases!).sort()).toEqual(["connect", "dns", "download", "firstByte", "tls"]);
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
