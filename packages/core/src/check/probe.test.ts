import http from "node:http";
import net from "node:net";
import { describe, expect, it } from "vitest";
import { Probe } from "./probe";
import { base, busyWait, fakeResolver, httpServer, listen, ok, setEnv, sumOf, tcpSockets, useProbeTestEnv, waitFor } from "./probe-test-kit";

useProbeTestEnv();

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

  it("splits the time into phases: waiting for the first byte, then the download", async () => {
    const s = await httpServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(200, { "content-length": "4" });
        res.write("ab");
        setTimeout(() => res.end("cd"), 150);
      }, 100);
    });
    const out = await Probe.probe(base(s.url));
    expect(out.ok).toBe(true);
    const p = out.phases!;
    // a literal IP: no DNS; plain http: no TLS
    expect(Object.keys(p).sort()).toEqual(["connect", "download", "firstByte"]);
    expect(p.firstByte).toBeGreaterThanOrEqual(95);
    expect(p.download).toBeGreaterThanOrEqual(145);
    expect(p.connect! + p.firstByte! + p.download!).toBeLessThanOrEqual(out.latencyMs + 2);
  });

  it("does not count time the event loop spent on other work before the connection", async () => {
    const s = await httpServer((_req, res) => setTimeout(() => ok(res), 100));
    const pending = Probe.probe(base(s.url));
    // other checks' work on the same thread, as in a full batch: the connection is made after it
    busyWait(150);
    const out = await pending;
    expect(out.ok).toBe(true);
    expect(out.latencyMs).toBeGreaterThanOrEqual(95);
    expect(out.latencyMs).toBeLessThan(100 + 100);
    expect(sumOf(out.phases!)).toBeGreaterThanOrEqual(out.latencyMs - 2);
  });

  it("phases start from the end of the one before", () => {
    expect(Probe.phasesOf({ start: 0, lookup: 2, connect: 5, secure: 15, firstByte: 40 }, 45)).toEqual({ dns: 2, connect: 3, tls: 10, firstByte: 25, download: 5 });
    expect(Probe.phasesOf({ start: 0, connect: 1 }, 9)).toEqual({ connect: 1 });
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

