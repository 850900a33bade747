export * as TcpProbe from "./probe-tcp";

import net from "node:net";
import tls from "node:tls";
import { performance } from "node:perf_hooks";
import { config } from "../platform/config";
import { ProbeFailure, classify, daysUntil, latencyOf, markSocket, phasesOf, type Marks } from "./probe";
import type { Phases, ProbeOutcome, ProbeTestOptions, TcpProbeRequest } from "./probe-types";
import { guardedLookup, isBlockedAddress, normalizeHost } from "./target";

/** The reply shown in a mismatch message is cut to this many characters. */
const REPLY_SHOWN = 200;

/**
 * One TCP check: connect (with TLS if asked, verified like HTTPS), optionally send a string and
 * wait for a reply containing `expectReply`. Latency is the connect time, plus the handshake with
 * TLS; waiting for the reply is not latency. Never throws: every failure becomes an outcome.
 */
export function probe(req: TcpProbeRequest, test?: ProbeTestOptions): Promise<ProbeOutcome> {
  const start = performance.now();
  const host = normalizeHost(req.host);
  const finalUrl = `${req.tls ? "tls" : "tcp"}://${net.isIPv6(host) ? `[${host}]` : host}:${req.port}`;
  const outcome = (o: Omit<ProbeOutcome, "redirects" | "finalUrl" | "latencyMs"> & { latencyMs?: number }): ProbeOutcome => ({
    latencyMs: Math.max(0, Math.round(performance.now() - start)),
    ...o,
    redirects: 0,
    finalUrl,
  });
  // literal IPs never reach the lookup function, so they are checked here
  if (net.isIP(host) && !config().ALLOW_PRIVATE_TARGETS && isBlockedAddress(host)) {
    return Promise.resolve(outcome({ ok: false, reason: "blocked_target", message: `${host} is a private or reserved address` }));
  }

  return new Promise<ProbeOutcome>((resolve) => {
    let settled = false;
    let connectedMs: number | undefined;
    let certDaysLeft: number | undefined;
    // The certificate's notAfter names it for expiry warnings, so a renewed one starts again (cert-expiry.ts).
    let certExpiresAt: number | undefined;
    let phases: Phases | undefined;
    const marks: Marks = { start: performance.now() };
    let reply = "";
    let received = 0;
    const limit = config().MAX_RESPONSE_BYTES;

    const finish = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    };
    const connected = (o: Pick<ProbeOutcome, "ok" | "reason" | "message">) => finish(outcome({ ...o, latencyMs: connectedMs, certDaysLeft, certExpiresAt, phases }));
    const mismatch = () =>
      connected({
        ok: false,
        reason: "reply_mismatch",
        message: `reply did not contain ${JSON.stringify(req.expectReply)}${reply ? `; got ${JSON.stringify(reply.slice(0, REPLY_SHOWN))}` : " (empty reply)"}`,
      });

    const timer = setTimeout(() => {
      if (connectedMs === undefined) return finish(outcome({ ok: false, reason: "timeout", message: `no connection within ${req.timeoutMs} ms` }));
      // a server that answered something else and kept the connection open: say what it sent
      if (received > 0) return mismatch();
      connected({ ok: false, reason: "timeout", message: `no reply within ${req.timeoutMs} ms` });
    }, Math.max(0, req.timeoutMs));

    const options = { host, port: req.port, lookup: guardedLookup };
    const socket = req.tls
      ? tls.connect({ ...options, servername: net.isIP(host) ? undefined : host, ...(test?.ca ? { ca: test.ca } : {}) })
      : net.connect(options);

    // For a literal IP the connect call waits on the tick queue; a tick queued now runs right after it.
    process.nextTick(() => (marks.opened = performance.now()));
    markSocket(socket, marks, { named: net.isIP(host) === 0, secure: req.tls === true });
    socket.once(req.tls ? "secureConnect" : "connect", () => {
      const now = (req.tls ? marks.secure : marks.connect) ?? performance.now();
      connectedMs = latencyOf(marks, now);
      phases = phasesOf(marks, now);
      if (req.tls) {
        const cert = (socket as tls.TLSSocket).getPeerCertificate();
        if (cert?.valid_to) {
          certDaysLeft = daysUntil(cert.valid_to, Date.now());
          const notAfter = Date.parse(cert.valid_to);
          if (!Number.isNaN(notAfter)) certExpiresAt = notAfter;
        }
      }
      if (req.send) socket.write(req.send);
      if (!req.expectReply) return connected({ ok: true });
    });
    socket.on("data", (chunk: Buffer) => {
      if (settled || !req.expectReply) return;
      reply += chunk.toString("utf8", 0, Math.max(0, Math.min(chunk.length, limit - received)));
      received += chunk.length;
      if (reply.includes(req.expectReply)) return connected({ ok: true });
      if (received >= limit) mismatch();
    });
    socket.on("end", () => {
      if (connectedMs !== undefined) mismatch();
    });
    socket.on("error", (err) => {
      const failure = err instanceof ProbeFailure ? err : classify(err, host);
      finish(outcome({ ok: false, reason: failure.reason, message: failure.message, certDaysLeft, certExpiresAt }));
    });
  });
}
