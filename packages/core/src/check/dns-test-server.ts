/**
 * TEST-ONLY. A real DNS server (dns2, over UDP on loopback) answering from a zone the test
 * changes as it goes, so DNS probes run against the wire protocol and not a mocked resolver.
 */
import dns2 from "dns2";

const { Packet } = dns2;

/** The record data dns2 encodes for each type (name, type, class and TTL are added here). */
export type RecordData =
  | { address: string } // A, AAAA
  | { domain: string } // CNAME
  | { ns: string } // NS
  | { exchange: string; priority: number } // MX
  | { data: string | string[] } // TXT
  | { flags: number; tag: string; value: string } // CAA
  | { primary: string; admin: string; serial: number; refresh: number; retry: number; expiration: number; minimum: number }; // SOA

export type RecordTypeName = "A" | "AAAA" | "CNAME" | "NS" | "MX" | "TXT" | "CAA" | "SOA";

export interface TestDnsServer {
  /** "127.0.0.1:<port>" (UDP and TCP): what a DNS monitor's `resolver` field takes. */
  address: string;
  /** Replaces the records of one name and type; a name with no records at all answers NXDOMAIN. */
  set(name: string, type: RecordTypeName, records: RecordData[]): void;
  /** Queries answered so far. */
  queries: number;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const zone = new Map<string, Map<number, RecordData[]>>();
  const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
  const handle: Parameters<typeof dns2.createServer>[0]["handle"] = (request, send) => {
    t.queries++;
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const byType = zone.get(key(question.name));
    if (!byType || [...byType.values()].every((r) => r.length === 0)) response.header.rcode = Packet.RCODE.NXDOMAIN;
    else {
      for (const record of byType.get(question.type) ?? []) {
        response.answers.push({ name: question.name, type: question.type, class: Packet.CLASS.IN, ttl: 0, ...record } as never);
      }
    }
    send(response);
  };
  // UDP first, then TCP on the same port number: an answer too large for UDP is asked again over TCP.
  const udp = dns2.createServer({ udp: true, handle });
  const port = (await udp.listen({ udp: { port: 0, address: "127.0.0.1" } })).udp!.port;
  const tcp = dns2.createServer({ tcp: true, handle });
  await tcp.listen({ tcp: { port, address: "127.0.0.1" } });
  const t: TestDnsServer = {
    address: `127.0.0.1:${port}`,
    queries: 0,
    set(name, type, records) {
      const byType = zone.get(key(name)) ?? new Map<number, RecordData[]>();
      byType.set(Packet.TYPE[type], records);
      zone.set(key(name), byType);
    },
    close: async () => {
      await Promise.all([udp.close(), tcp.close()]);
    },
  };
  return t;
}
