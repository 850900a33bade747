import type { Telemetry } from "@uptime/core/platform/telemetry";
import type { QueueCounts } from "./emulators";

/** What `npm start` says about itself every minute, at GET /local/health and (as Prometheus text) GET /local/metrics. */
export interface HealthFigures {
  at: string;
  /** Over the last minute. */
  minute: { checks: number; failedChecks: number; checkErrors: number; slotLagP95Ms: number | null; mailsSent: number; alertsFailed: number; jobsEnqueued: number };
  /** Since the stack started (Prometheus counters must only grow). */
  total: { checks: number; failedChecks: number; checkErrors: number; mailsSent: number; alertsFailed: number; jobsEnqueued: number; ticks: number };
  /** Messages waiting (visible + delayed + in flight) in the work queues, and in the dead-letter queues. */
  queued: number;
  deadLettered: number;
  lastTickAt: string | null;
  /** The tick has not run for three windows: no check would be scheduled (deployed, the TickStopped alarm). */
  tickStopped: boolean;
}

type Point = Telemetry.MetricPoint;
const MINUTE_MS = 60_000;

/**
 * Aggregates the metric points the functions emit (Telemetry's local sink), the same figures the
 * deployed stack's alarms and dashboard read from CloudWatch.
 */
export function createHealth(opts: { tickSeconds: number; queueCounts: () => Promise<Record<string, QueueCounts>>; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const recent: Point[] = [];
  const totals = { checks: 0, failedChecks: 0, checkErrors: 0, mailsSent: 0, alertsFailed: 0, jobsEnqueued: 0, ticks: 0 };
  let lastTickAt: number | undefined;

  const counted: Partial<Record<Point["name"], keyof typeof totals>> = {
    ChecksCompleted: "checks",
    ChecksFailed: "failedChecks",
    CheckErrors: "checkErrors",
    MailsSent: "mailsSent",
    AlertsFailed: "alertsFailed",
    JobsEnqueued: "jobsEnqueued",
    TickRan: "ticks",
  };

  function record(points: Point[]) {
    for (const p of points) {
      const key = counted[p.name];
      if (key) totals[key] += p.value;
      if (p.name === "TickRan") lastTickAt = Math.max(lastTickAt ?? 0, p.at);
      recent.push(p);
    }
    const cutoff = now() - MINUTE_MS;
    while (recent.length && recent[0]!.at < cutoff) recent.shift();
  }

  async function figures(): Promise<HealthFigures> {
    const t = now();
    const lastMinute = recent.filter((p) => p.at >= t - MINUTE_MS);
    const sum = (name: Point["name"]) => lastMinute.filter((p) => p.name === name).reduce((n, p) => n + p.value, 0);
    const lags = lastMinute.filter((p) => p.name === "SlotLagMs").map((p) => p.value).sort((a, b) => a - b);
    const counts = await opts.queueCounts();
    let queued = 0;
    let deadLettered = 0;
    for (const [name, c] of Object.entries(counts)) {
      const n = c.visible + c.inFlight + c.delayed;
      if (/dlq/i.test(name)) deadLettered += n;
      else queued += n;
    }
    const stoppedAfter = 3 * opts.tickSeconds * 1000;
    return {
      at: new Date(t).toISOString(),
      minute: {
        checks: sum("ChecksCompleted"),
        failedChecks: sum("ChecksFailed"),
        checkErrors: sum("CheckErrors"),
        slotLagP95Ms: lags.length ? lags[Math.min(lags.length - 1, Math.ceil(lags.length * 0.95) - 1)]! : null,
        mailsSent: sum("MailsSent"),
        alertsFailed: sum("AlertsFailed"),
        jobsEnqueued: sum("JobsEnqueued"),
      },
      total: { ...totals },
      queued,
      deadLettered,
      lastTickAt: lastTickAt === undefined ? null : new Date(lastTickAt).toISOString(),
      tickStopped: t - (lastTickAt ?? startedAt) > stoppedAfter,
    };
  }

  return { record, figures };
}

/** The one line `npm start` prints every minute. */
export function healthLine(f: HealthFigures): string {
  const m = f.minute;
  const lag = m.slotLagP95Ms === null ? "–" : `${(m.slotLagP95Ms / 1000).toFixed(2)} s`;
  const parts = [
    `${m.checks} checks (${m.failedChecks} failed)`,
    `p95 slot lag ${lag}`,
    `${f.queued} queued`,
    `${f.deadLettered} dead-lettered`,
    `${m.mailsSent} mails`,
  ];
  if (m.checkErrors || m.alertsFailed) parts.push(`${m.checkErrors} check errors, ${m.alertsFailed} alerts failed`);
  const tick = f.tickStopped ? `TICK STOPPED (last ran ${f.lastTickAt ?? "never"})` : "tick ok";
  return `[health] last minute: ${parts.join(", ")}; ${tick}`;
}

/** Prometheus text exposition format (version 0.0.4), as Grafana scrapes it from Uptime Kuma today. */
export function prometheusText(f: HealthFigures): string {
  const lines: string[] = [];
  const metric = (name: string, type: "counter" | "gauge", help: string, value: number | null) => {
    if (value === null) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
  };
  metric("uptime_checks_total", "counter", "Check results stored since start.", f.total.checks);
  metric("uptime_checks_failed_total", "counter", "Checks whose probe failed since start.", f.total.failedChecks);
  metric("uptime_check_errors_total", "counter", "Check jobs that threw since start.", f.total.checkErrors);
  metric("uptime_jobs_enqueued_total", "counter", "Check jobs the tick enqueued since start.", f.total.jobsEnqueued);
  metric("uptime_ticks_total", "counter", "Tick windows run since start.", f.total.ticks);
  metric("uptime_mails_sent_total", "counter", "Mails handed to SES since start.", f.total.mailsSent);
  metric("uptime_alerts_failed_total", "counter", "Alert deliveries that failed since start.", f.total.alertsFailed);
  metric("uptime_slot_lag_p95_seconds", "gauge", "95th percentile of scheduled slot to stored result, last minute.", f.minute.slotLagP95Ms === null ? null : f.minute.slotLagP95Ms / 1000);
  metric("uptime_queue_messages", "gauge", "Messages waiting or in flight in the work queues.", f.queued);
  metric("uptime_dead_letter_messages", "gauge", "Messages in the dead-letter queues.", f.deadLettered);
  metric("uptime_tick_stopped", "gauge", "1 when the tick has not run for three windows.", f.tickStopped ? 1 : 0);
  if (f.lastTickAt) metric("uptime_last_tick_timestamp_seconds", "gauge", "When the tick last ran (Unix time).", Date.parse(f.lastTickAt) / 1000);
  return lines.join("\n") + "\n";
}
