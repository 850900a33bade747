import type { PingKind } from "./entity";

/**
 * A heartbeat's last pings live inside its own item (entity.ts `pings`), newest first, so a ping is
 * one write of that item and not one more item per ping. DynamoDB bills a write by the whole
 * item's size in started KB (and again for each index the item is in), so every entry is a short
 * string and the list is capped: state plus 20 entries stays under 1 KB. A ping's log is too big
 * for that and goes to an item of its own (HeartbeatLogEntity), named by the entry's `logId`.
 */
export const RECENT_PINGS = 20;

export interface PingEntry {
  at: number;
  kind: PingKind;
  method: string;
  exitCode?: number;
  /** From the /start that this ping finished. */
  durationMs?: number;
  /** Set when the ping had a body: the log item's id, the ping's time and a random tag (only the tag is stored). */
  logId?: string;
}

const KINDS: Record<PingKind, string> = { success: "s", start: "b", fail: "f" };
const METHODS: Record<string, string> = { GET: "G", HEAD: "H", POST: "P" };
const byCode = <T extends string>(table: Record<T, string>) => Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<string, T>;
const KIND_OF = byCode(KINDS);
const METHOD_OF = byCode(METHODS);

/** A log's id: the time of its ping (base 36) and a random tag against two logs in one millisecond. */
export const newLogId = (at: number, tag: string) => `${at.toString(36)}${tag}`;

/** "<at base 36><kind><method>,<exit code>,<duration base 36>,<log tag>", trailing empties dropped: 10 to 24 bytes. */
export function encode(e: PingEntry): string {
  const at = e.at.toString(36);
  const fields = [
    `${at}${KINDS[e.kind]}${METHODS[e.method] ?? "G"}`,
    e.exitCode === undefined ? "" : String(e.exitCode),
    e.durationMs === undefined ? "" : e.durationMs.toString(36),
    e.logId?.startsWith(at) ? e.logId.slice(at.length) : "",
  ];
  while (fields.length > 1 && fields[fields.length - 1] === "") fields.pop();
  return fields.join(",");
}

export function decode(s: string): PingEntry {
  const [head = "", exit = "", duration = "", logTag = ""] = s.split(",");
  const at = head.slice(0, -2);
  return {
    at: parseInt(at, 36),
    kind: KIND_OF[head.at(-2)!] ?? "success",
    method: METHOD_OF[head.at(-1)!] ?? "GET",
    ...(exit && { exitCode: Number(exit) }),
    ...(duration && { durationMs: parseInt(duration, 36) }),
    ...(logTag && { logId: newLogId(parseInt(at, 36), logTag) }),
  };
}

/** The list after a ping: the new entry first, the oldest dropped past RECENT_PINGS. */
export const withPing = (pings: string[] | undefined, e: PingEntry) => [encode(e), ...(pings ?? [])].slice(0, RECENT_PINGS);
