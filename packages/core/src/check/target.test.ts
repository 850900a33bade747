import dns from "node:dns";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { reloadConfig } from "../platform/config";
import { VisibleError } from "../platform/errors";
import { Target } from "./target";

const BLOCKED = [
  // loopback
  "127.0.0.1",
  "127.255.255.254",
  "::1",
  "0:0:0:0:0:0:0:1",
  // unspecified / "this network"
  "0.0.0.0",
  "0.1.2.3",
  "::",
  // private
  "10.0.0.1",
  "10.255.255.255",
  "172.16.0.1",
  "172.31.255.255",
  "192.168.0.1",
  "192.168.255.255",
  // carrier-grade NAT
  "100.64.0.1",
  "100.127.255.255",
  // link-local, metadata service
  "169.254.0.1",
  "169.254.169.254",
  "fe80::1",
  "fe80::1%eth0",
  "febf::1",
  // unique local
  "fc00::1",
  "fd00:ec2::254",
  // site-local (deprecated)
  "fec0::1",
  // multicast / broadcast / reserved
  "224.0.0.1",
  "239.255.255.250",
  "255.255.255.255",
  "240.0.0.1",
  "ff02::1",
  "ff05::2",
  // IETF / documentation / benchmarking
  "192.0.0.170",
  "192.0.2.1",
  "198.51.100.7",
  "203.0.113.9",
  "198.18.0.1",
  "198.19.255.255",
  "192.88.99.1",
  "2001:db8::1",
  "3fff::1",
  "2001:2::1",
  "2001:10::1",
  "2001:20::1",
  "100::1",
  // IPv4-mapped, -compatible, SIIT
  "::ffff:127.0.0.1",
  "::ffff:7f00:1",
  "::FFFF:7F00:1",
  "::ffff:169.254.169.254",
  "::ffff:10.0.0.1",
  "::127.0.0.1",
  "::7f00:1",
  "::ffff:0:7f00:1",
  // NAT64 of private, local-use NAT64
  "64:ff9b::127.0.0.1",
  "64:ff9b::a00:1",
  "64:ff9b::169.254.169.254",
  "64:ff9b:1::808:808",
  // 6to4 and Teredo carrying private IPv4
  "2002:7f00:1::1",
  "2002:a9fe:a9fe::1",
  "2001:0:7f00:1::1", // Teredo server 127.0.0.1
  "2001:0:808:808::80ff:fffe", // Teredo client (inverted) 127.0.0.1
  // bracketed
  "[::1]",
  // not an IP at all: fail closed
  "",
  "localhost",
  "example.com",
  "2130706433",
  "0x7f.0.0.1",
  "127.1",
  "010.0.0.1",
  "1.2.3.4.5",
  "::ffff:999.0.0.1",
  "1:2:3:4:5:6:7:8:9",
];

const ALLOWED = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.215.14",
  "9.255.255.255", // just below 10/8
  "11.0.0.0", // just above 10/8
  "100.63.255.255", // just below 100.64/10
  "100.128.0.0", // just above 100.64/10
  "126.255.255.255",
  "128.0.0.0",
  "169.253.255.255",
  "169.255.0.0",
  "172.15.255.255",
  "172.32.0.0",
  "192.167.255.255",
  "192.169.0.0",
  "198.17.255.255",
  "198.20.0.0",
  "223.255.255.255",
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "2a00:1450:4001::1",
  "::ffff:8.8.8.8",
  "::ffff:808:808",
  "64:ff9b::8.8.8.8",
  "2002:808:808::1",
  "2001:0:808:808::f7f7:f7f7", // Teredo server and client 8.8.8.8
  "[2606:4700:4700::1111]",
];

describe("isBlockedAddress", () => {
  it.each(BLOCKED)("blocks %s", (ip) => {
    expect(Target.isBlockedAddress(ip)).toBe(true);
  });
  it.each(ALLOWED)("allows %s", (ip) => {
    expect(Target.isBlockedAddress(ip)).toBe(false);
  });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(VisibleError);
    expect((err as VisibleError).kind).toBe("invalid");
    return (err as VisibleError).code;
  }
}

/** As deployed: private targets refused. Restores the setting and any DNS spies after each test. */
function refusePrivateTargetsInEachTest() {
  const saved = process.env.ALLOW_PRIVATE_TARGETS;
  beforeEach(() => {
    process.env.ALLOW_PRIVATE_TARGETS = "false";
    reloadConfig();
  });
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.ALLOW_PRIVATE_TARGETS;
    else process.env.ALLOW_PRIVATE_TARGETS = saved;
    reloadConfig();
  });
}

type LookupAll = (host: string, opts: unknown) => Promise<dns.LookupAddress[]>;

describe("assertAllowedUrl", () => {
  refusePrivateTargetsInEachTest();

  const fakeDns = (answers: Record<string, string[] | Error>) =>
    vi.spyOn(dns.promises, "lookup").mockImplementation((async (host: string) => {
      const a = answers[host];
      if (a === undefined || a instanceof Error) {
        throw Object.assign(a ?? new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      }
      return a.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    }) as LookupAll as any);

  it.each(["not a url", "", "ftp://example.com/", "file:///etc/passwd", "javascript:alert(1)", "gopher://example.com"])(
    "rejects %j as invalid_url",
    async (url) => {
      expect(await codeOf(Target.assertAllowedUrl(url))).toBe("invalid_url");
    },
  );

  it.each([
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/x",
    "https://10.1.2.3/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0/",
    "http://2130706433/", // WHATWG URL turns this into 127.0.0.1
    "http://0x7f.1/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://api.localhost:3000/",
  ])("blocks %s without resolving", async (url) => {
    const spy = fakeDns({});
    expect(await codeOf(Target.assertAllowedUrl(url))).toBe("blocked_target");
    expect(spy).not.toHaveBeenCalled();
  });

  it("blocks a hostname when any resolved address is blocked", async () => {
    const spy = fakeDns({ "mixed.example": ["93.184.215.14", "10.0.0.5"], "v6.example": ["2606:4700::1", "::1"] });
    expect(await codeOf(Target.assertAllowedUrl("https://mixed.example/health"))).toBe("blocked_target");
    expect(await codeOf(Target.assertAllowedUrl("https://v6.example/"))).toBe("blocked_target");
    expect(spy).toHaveBeenCalledWith("mixed.example", expect.objectContaining({ all: true }));
  });

  it("allows a hostname that resolves only to public addresses", async () => {
    fakeDns({ "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
    await expect(Target.assertAllowedUrl("https://public.example/")).resolves.toBeUndefined();
  });

  it("allows a hostname that does not resolve right now", async () => {
    fakeDns({});
    await expect(Target.assertAllowedUrl("https://not-yet.example/")).resolves.toBeUndefined();
  });

  it("allows a public literal IP", async () => {
    await expect(Target.assertAllowedUrl("http://93.184.215.14/")).resolves.toBeUndefined();
    await expect(Target.assertAllowedUrl("http://[2606:4700:4700::1111]/")).resolves.toBeUndefined();
  });

  it("allows private targets when ALLOW_PRIVATE_TARGETS is true, but still only http(s)", async () => {
    process.env.ALLOW_PRIVATE_TARGETS = "true";
    reloadConfig();
    await expect(Target.assertAllowedUrl("http://127.0.0.1:3000/")).resolves.toBeUndefined();
    await expect(Target.assertAllowedUrl("http://localhost/")).resolves.toBeUndefined();
    expect(await codeOf(Target.assertAllowedUrl("ftp://127.0.0.1/"))).toBe("invalid_url");
  });
});

function lookupOnce(host: string, options: dns.LookupOptions): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> {
  return new Promise((resolve) => Target.guardedLookup(host, options, (err, address, family) => resolve({ err, address, family })));
}

describe("guardedLookup", () => {
  refusePrivateTargetsInEachTest();

  // Simulates an answer that changed since creation (DNS rebinding).
  const fakeLookup = (addresses: string[]) =>
    vi.spyOn(dns, "lookup").mockImplementation(((_host: string, _opts: unknown, cb: (e: null, a: dns.LookupAddress[]) => void) => {
      queueMicrotask(() => cb(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))));
    }) as any);

  it("refuses a resolved loopback address with EBLOCKED", async () => {
    const { err } = await lookupOnce("localhost", {});
    expect(err?.code).toBe("EBLOCKED");
  });

  it("refuses when a rebinding answer contains a private address, in both callback shapes", async () => {
    fakeLookup(["93.184.215.14", "169.254.169.254"]);
    expect((await lookupOnce("rebind.example", {})).err?.code).toBe("EBLOCKED");
    expect((await lookupOnce("rebind.example", { all: true })).err?.code).toBe("EBLOCKED");
  });

  it("passes public answers through in the shape asked for", async () => {
    fakeLookup(["93.184.215.14", "2606:2800::1"]);
    expect(await lookupOnce("public.example", {})).toEqual({ err: null, address: "93.184.215.14", family: 4 });
    const all = await lookupOnce("public.example", { all: true });
    expect(all.err).toBeNull();
    expect(all.address).toEqual([
      { address: "93.184.215.14", family: 4 },
      { address: "2606:2800::1", family: 6 },
    ]);
  });

  it("passes resolver errors through unchanged", async () => {
    const { err } = await lookupOnce("nonexistent.invalid", {});
    expect(err?.code).toBe("ENOTFOUND");
  });

  it("allows loopback when private targets are allowed", async () => {
    process.env.ALLOW_PRIVATE_TARGETS = "true";
    reloadConfig();
    const { err, address } = await lookupOnce("localhost", {});
    expect(err).toBeNull();
    expect(Target.isBlockedAddress(address as string)).toBe(true);
  });
});
