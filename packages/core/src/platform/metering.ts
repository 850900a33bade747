import type { ElectroEvent } from "electrodb";

/**
 * What a read or a write really costs in DynamoDB, counted where the calls are made, so tests,
 * logs and the bench see the same figures: the scheduler, the rollup job and the history reads
 * all pass a Meter through.
 */

/** Requests, items read and read units, for tests and logs to see what a read really cost. */
export interface Meter {
  requests: number;
  items: number;
  readUnits: number;
}

export const newMeter = (): Meter => ({ requests: 0, items: 0, readUnits: 0 });

/** ElectroDB options that add every response's item count and consumed capacity to `meter`. */
export function metered(meter?: Meter) {
  if (!meter) return {};
  return {
    params: { ReturnConsumedCapacity: "TOTAL" },
    logger: (event: ElectroEvent) => {
      if (event.type !== "results" || !event.success) return;
      const r = event.results as any;
      meter.requests++;
      if (Array.isArray(r?.Items)) meter.items += r.ScannedCount ?? r.Items.length;
      else if (r?.Item) meter.items += 1;
      else if (r?.Responses) meter.items += Object.values(r.Responses as Record<string, unknown[]>).reduce((n, l) => n + l.length, 0);
      const cc = r?.ConsumedCapacity;
      const units = (c: any) => Number(c?.CapacityUnits ?? 0);
      meter.readUnits += Array.isArray(cc) ? cc.reduce((s: number, c: any) => s + units(c), 0) : units(cc);
    },
  };
}

/** DynamoDB's item size rule (names + values; numbers about one byte per two digits), to price writes. */
export function itemBytes(value: unknown): number {
  const size = (v: unknown): number => {
    if (v === null || v === undefined || typeof v === "boolean") return 1;
    if (typeof v === "string") return Buffer.byteLength(v);
    if (typeof v === "number") return Math.ceil(String(Math.abs(v)).replace(/[.-]|^0+/g, "").length / 2) + 1;
    if (Array.isArray(v)) return 3 + v.reduce((n: number, x) => n + size(x) + 1, 0);
    return 3 + Object.entries(v as object).reduce((n, [k, x]) => n + Buffer.byteLength(k) + size(x) + 1, 0);
  };
  return Object.entries(value as object).reduce((n, [k, v]) => n + Buffer.byteLength(k) + size(v), 0);
}

/** Write units of one put of this stored item (as the table holds it, keys included): DynamoDB bills 1 KB steps. */
export function putWriteUnits(storedItem: Record<string, unknown>): number {
  return Math.max(1, Math.ceil(itemBytes(storedItem) / 1024));
}
