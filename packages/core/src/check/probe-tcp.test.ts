import net from "node:net";
import tls from "node:tls";
import { beforeAll, describe, expect, it } from "vitest";
import { TcpProbe } from "./probe-tcp";
import type { TcpProbeRequest } from "./probe-types";
import { busyWait, hasOpenssl, listen, selfSignedCertificate, setEnv, tcpSockets, useProbeTestEnv, waitFor } from "./probe-test-kit";

useProbeTestEnv();

/** A TCP server that answers each connection as `onConnect` says. */
const tcpServer = (onConnect: (s: net.Socket) => void = () => {}) => listen(net.createServer(onConnect), "http");
const ask = (port: number, o: Partial<TcpProbeRequest> = {}): TcpProbeRequest => ({ host: "127.0.0.1", port, tls: false, timeoutMs: 1000, ...o });

describe("TCP probe", () => {
  it("is up once connected, with the connect time as latency", async () => {
    const s = await tcpServer();
    const out = await TcpProbe.probe(ask(s.port));
    expect(out).toMatchObject({ ok: true, finalUrl: `tcp://127.0.0.1:${s.port}` });
    expect(Object.keys(out.phases!)).toEqual(["connect"]); // an IP literal: no lookup
    expect(out.phases!.connect).toBeLessThanOrEqual(out.latencyMs);
    expect(s.connections).toBe(1);
  });

  it("does not count time the event loop spent on other work before connecting", async () => {
    const s = await tcpServer();
    const pending = TcpProbe.probe(ask(s.port));
    busyWait(150);
    const out = await pending;
    expect(out.ok).toBe(true);
    expect(out.latencyMs).toBeLessThan(100);
    expect(out.latencyMs).toBe(out.phases!.connect);
  });

  it("fails a closed port as connection_refused", async () => {
    const s = await tcpServer();
    const port = s.port;
    await s.close();
    const out = await TcpProbe.probe(ask(port));
    expect(out).toMatchObject({ ok: false, reason: "connection_refused" });
  });

  it.each<[string, (s: net.Socket) => void, Partial<TcpProbeRequest>, { ok: boolean; reason?: string; message?: string }]>([
    ["reply holds the text", (s) => s.once("data", (d) => s.end(`+PONG for ${d}`)), { send: "PING\r\n", expectReply: "PONG" }, { ok: true }],
    ["banner without sending", (s) => s.write("SSH-2.0-OpenSSH_9.6\r\n"), { expectReply: "SSH-2.0" }, { ok: true }],
    ["reply in pieces", (s) => { s.write("+PO"); setTimeout(() => s.write("NG\r\n"), 50); }, { expectReply: "PONG" }, { ok: true }],
    ["other reply, then closed", (s) => s.end("-ERR unknown\r\n"), { send: "PING\r\n", expectReply: "PONG" }, { ok: false, reason: "reply_mismatch", message: 'reply did not contain "PONG"; got "-ERR unknown\\r\\n"' }],
    ["other reply, connection kept open", (s) => s.write("220 mail ESMTP\r\n"), { expectReply: "SSH" }, { ok: false, reason: "reply_mismatch", message: 'reply did not contain "SSH"; got "220 mail ESMTP\\r\\n"' }],
    ["closed without a reply", (s) => s.end(), { expectReply: "PONG" }, { ok: false, reason: "reply_mismatch", message: 'reply did not contain "PONG" (empty reply)' }],
    ["silent server", () => {}, { expectReply: "PONG", timeoutMs: 300 }, { ok: false, reason: "timeout", message: "no reply within 300 ms" }],
  ])("%s", async (_name, onConnect, o, expected) => {
    const s = await tcpServer(onConnect);
    const out = await TcpProbe.probe(ask(s.port, o));
    expect(out).toMatchObject(expected);
  });

  it("measures latency as the connect, not the wait for the reply", async () => {
    const s = await tcpServer((sock) => setTimeout(() => sock.end("PONG"), 400));
    const out = await TcpProbe.probe(ask(s.port, { expectReply: "PONG" }));
    expect(out.ok).toBe(true);
    expect(out.latencyMs).toBeLessThan(300);
  });

  it("closes its socket whatever happened", async () => {
    const before = tcpSockets();
    const s = await tcpServer((sock) => sock.write("hello"));
    await TcpProbe.probe(ask(s.port, { expectReply: "nope", timeoutMs: 200 }));
    await waitFor(() => s.open.size === 0, 1000);
    expect(tcpSockets()).toBeLessThanOrEqual(before + 1); // the listening socket
  });

  it("refuses a private literal address unless private targets are allowed", async () => {
    const s = await tcpServer();
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    const out = await TcpProbe.probe(ask(s.port));
    expect(out).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(s.connections).toBe(0);
  });

  it("refuses a name that resolves to a private address unless private targets are allowed", async () => {
    const s = await tcpServer();
    setEnv({ ALLOW_PRIVATE_TARGETS: "false" });
    const out = await TcpProbe.probe(ask(s.port, { host: "localhost" }));
    expect(out).toMatchObject({ ok: false, reason: "blocked_target" });
    expect(s.connections).toBe(0);
  });
});

describe.skipIf(!hasOpenssl)("TCP probe with TLS", () => {
  let key: Buffer;
  let cert: Buffer;
  beforeAll(() => {
    ({ key, cert } = selfSignedCertificate(10));
  });
  const tlsServer = (onConnect: (s: tls.TLSSocket) => void = () => {}) => listen(tls.createServer({ key, cert }, onConnect), "http");

  it("records the certificate's days left once the handshake passes verification", async () => {
    const s = await tlsServer((sock) => sock.once("data", () => sock.end("+OK")));
    const out = await TcpProbe.probe(ask(s.port, { host: "localhost", tls: true, send: "HELLO", expectReply: "+OK" }), { ca: cert });
    expect(out).toMatchObject({ ok: true, finalUrl: `tls://localhost:${s.port}` });
    expect(Object.keys(out.phases!).sort()).toEqual(["connect", "dns", "tls"]);
    expect(out.certDaysLeft).toBeGreaterThanOrEqual(9);
    expect(out.certDaysLeft).toBeLessThanOrEqual(10);
  });

  it("fails an untrusted certificate as tls", async () => {
    const s = await tlsServer();
    const out = await TcpProbe.probe(ask(s.port, { host: "localhost", tls: true }));
    expect(out).toMatchObject({ ok: false, reason: "tls" });
    expect(out.message).toMatch(/^TLS error: /);
  });
});
