import { randomUUID } from "node:crypto";
import type { ScheduledEvent } from "aws-lambda";
import { LOCAL_ACCOUNT_ID } from "./lambda";

/** Start of the window of `windowSec` seconds containing `at`, aligned to the wall clock. */
export function windowStart(at: Date | number, windowSec: number): Date {
  const ms = windowSec * 1000;
  return new Date(Math.floor(new Date(at).getTime() / ms) * ms);
}

/** The event an EventBridge schedule rule delivers for the window starting at `time`. */
export function scheduledEvent(time: Date, opts: { region: string; ruleName: string }): ScheduledEvent {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "Scheduled Event",
    source: "aws.events",
    account: LOCAL_ACCOUNT_ID,
    // EventBridge sends whole seconds: 2024-01-01T00:01:00Z.
    time: time.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: opts.region,
    resources: [`arn:aws:events:${opts.region}:${LOCAL_ACCOUNT_ID}:rule/${opts.ruleName}`],
    detail: {},
  };
}

export interface SchedulerOptions {
  tickSeconds: number;
  /** Invoked with the window start; its errors are reported, never thrown. */
  fire: (windowStart: Date) => Promise<void>;
  onError?: (err: unknown, windowStart: Date) => void;
  /**
   * Fire each boundary up to this many ms late (uniformly at random), still naming the boundary,
   * as EventBridge does: a rate rule fires seconds into its minute, plus the function's cold start.
   */
  lateFireMs?: number;
  /** For tests. */
  now?: () => number;
  random?: () => number;
}

export interface Scheduler {
  /** Start of the next window that will fire. */
  readonly next: Date;
  /** Ticks started and not yet finished (EventBridge does not wait for one tick before the next). */
  readonly running: number;
  /** Stops firing and waits for running ticks. */
  stop(): Promise<void>;
}

/**
 * Fires at every window boundary, like a rate(N) EventBridge rule. Each boundary fires once:
 * boundaries missed while the process was suspended are skipped, not replayed.
 */
export function startScheduler(opts: SchedulerOptions): Scheduler {
  const now = opts.now ?? Date.now;
  const windowMs = opts.tickSeconds * 1000;
  const onError = opts.onError ?? ((err, at) => console.error(`[tick ${at.toISOString()}] failed:`, err));
  const random = opts.random ?? Math.random;
  const inFlight = new Set<Promise<void>>();
  let next = windowStart(now(), opts.tickSeconds).getTime() + windowMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  function arm() {
    if (stopped) return;
    timer = setTimeout(onTimer, Math.max(0, next - now()));
  }

  function onTimer() {
    // Timers may fire a little early against the wall clock; the boundary is what was planned.
    const at = new Date(next);
    next = Math.max(next + windowMs, windowStart(now(), opts.tickSeconds).getTime());
    const lateBy = Math.floor(random() * (opts.lateFireMs ?? 0));
    const run = (async () => {
      if (lateBy > 0) await new Promise((resolve) => setTimeout(resolve, lateBy));
      if (stopped) return;
      try {
        await opts.fire(at);
      } catch (err) {
        try {
          onError(err, at);
        } catch {
          // Reporting must not turn into an unhandled rejection.
        }
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    arm();
  }

  arm();
  return {
    get next() {
      return new Date(next);
    },
    get running() {
      return inFlight.size;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.all([...inFlight]);
    },
  };
}
