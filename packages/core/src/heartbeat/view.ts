import { z } from "zod";
import { config } from "../platform/config";
import { scheduleOf } from "./fields";
import { describe } from "./schedule";

export const HeartbeatInfo = z.object({
  pingUrl: z
    .string()
    .nullable()
    .describe(
      "GET, HEAD or POST it when the job succeeds; append /start, /fail or /{exit-code}. No other authentication: treat it as a secret. " +
        "Null for callers who may read but not change monitors (viewers, read-only API keys): whoever has the URL can report the job done.",
    ),
  periodSec: z.number().nullable(),
  cron: z.string().nullable(),
  timeZone: z.string().nullable(),
  graceSec: z.number(),
  schedule: z.string().describe('The schedule in words, e.g. "at 03:00 every day, Europe/Berlin"'),
});
export type HeartbeatInfo = z.infer<typeof HeartbeatInfo>;

/** The ping URL: on the API's public address when one is configured, else the path alone. */
export function pingUrl(pingToken: string): string {
  return `${config().PUBLIC_URL?.replace(/\/$/, "") ?? ""}/ping/${pingToken}`;
}

export function heartbeatInfo(
  m: { type?: string; pingToken?: string; periodSec?: number; cron?: string; timeZone?: string; graceSec?: number },
  opts: { pingUrl: boolean } = { pingUrl: true },
): HeartbeatInfo | null {
  if (m.type !== "heartbeat" || !m.pingToken) return null;
  return {
    pingUrl: opts.pingUrl ? pingUrl(m.pingToken) : null,
    periodSec: m.periodSec ?? null,
    cron: m.cron ?? null,
    timeZone: m.cron !== undefined ? (m.timeZone ?? "UTC") : null,
    graceSec: m.graceSec ?? 0,
    schedule: describe(scheduleOf(m)),
  };
}
