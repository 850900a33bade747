import { Probe } from "./probe";
import { DnsProbe } from "./probe-dns";
import { TcpProbe } from "./probe-tcp";
import type { DnsProbeRequest, ProbeOutcome, ProbeRequest, TcpProbeRequest } from "./probe-types";

/** What any monitor type's probe is asked: a scheduled job's snapshot, or the settings of a dry run. */
export type TypedProbeRequest = ({ type: "http" } & ProbeRequest) | ({ type: "tcp" } & TcpProbeRequest) | ({ type: "dns" } & DnsProbeRequest);

/** Each type's probe; every one returns an outcome and never throws. */
export function probeFor(m: TypedProbeRequest): Promise<ProbeOutcome> {
  switch (m.type) {
    case "http":
      return Probe.probe({
        url: m.url,
        method: m.method,
        headers: m.headers,
        body: m.body,
        timeoutMs: m.timeoutMs,
        expectedStatus: m.expectedStatus,
        keyword: m.keyword,
        keywordMode: m.keywordMode,
        assertions: m.assertions,
      });
    case "tcp":
      return TcpProbe.probe(m);
    case "dns":
      return DnsProbe.probe(m);
  }
}
