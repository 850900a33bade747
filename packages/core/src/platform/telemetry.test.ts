import { afterEach, describe, expect, it, vi } from "vitest";
import { AsyncLocalStorage } from "node:async_hooks";
import { reloadConfig } from "./config";
import { Telemetry } from "./telemetry";

/** Everything the process writes to stdout and stderr while `work` runs, one entry per line. */
async function stdoutLines(work: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, "write").mockImplementation(capture), vi.spyOn(process.stderr, "write").mockImplementation(capture)];
  try {
    await work();
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return lines;
}

afterEach(() => Telemetry.setLocalSink(undefined));

describe("metrics", () => {
  it("leave as CloudWatch Embedded Metric Format in the Uptime namespace, per stage, with their units", async () => {
    const lines = await stdoutLines(() =>
      Telemetry.withTelemetry("checkConsumer", "msg-1", async () => {
        Telemetry.metric("ChecksCompleted", 3);
        Telemetry.metric("SlotLagMs", 120);
      }),
    );
    const emf = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((d) => d._aws);
    expect(emf).toHaveLength(1);
    const [doc] = emf;
    const directive = doc!._aws.CloudWatchMetrics[0];
    expect(directive.Namespace).toBe(Telemetry.METRIC_NAMESPACE);
    // The alarms in stacks/Monitoring.ts name exactly this dimension set.
    expect([...directive.Dimensions[0]].sort()).toEqual(["service", "stage"]);
    expect(doc!.service).toBe("uptime");
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: "ChecksCompleted", Unit: "Count" },
        { Name: "SlotLagMs", Unit: "Milliseconds" },
      ]),
    );
    expect(doc!.ChecksCompleted).toBe(3);
    expect(doc!.SlotLagMs).toBe(120);
    expect(typeof doc!._aws.Timestamp).toBe("number");
  });

  it("with dimensions of their own go out in a document of their own", async () => {
    const lines = await stdoutLines(() =>
      Telemetry.withTelemetry("alertConsumer", undefined, async () => {
        Telemetry.metric("AlertsFailed", 1, { channel: "slack" });
        Telemetry.metric("MailsSent", 2);
      }),
    );
    const emf = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((d) => d._aws);
    const failed = emf.find((d) => "AlertsFailed" in d)!;
    expect(failed.channel).toBe("slack");
    expect(failed._aws.CloudWatchMetrics[0].Dimensions[0]).toContain("channel");
    expect(emf.find((d) => "MailsSent" in d)!.channel).toBeUndefined();
  });

  it("go to the local sink instead of stdout when one is installed, flushed also when the work throws", async () => {
    const received: Telemetry.MetricPoint[] = [];
    Telemetry.setLocalSink((points) => received.push(...points));
    const lines = await stdoutLines(() =>
      Telemetry.withTelemetry("tick", "tick-1", async () => {
        Telemetry.metric("TickRan", 1);
        throw new Error("boom");
      }).catch(() => undefined),
    );
    expect(lines.filter((l) => l.includes("_aws"))).toEqual([]);
    expect(received).toEqual([expect.objectContaining({ name: "TickRan", value: 1, unit: "Count" })]);
  });
});

describe("logs", () => {
  it("are JSON lines carrying the invocation's correlation id and function", async () => {
    const lines = await stdoutLines(() => Telemetry.withTelemetry("tick", "tick-2026-12-05T10:00:00Z", async () => Telemetry.log.info("tick", { jobs: 4 })));
    const entry = JSON.parse(lines.find((l) => l.includes('"tick"'))!);
    expect(entry).toMatchObject({ level: "INFO", message: "tick", service: "uptime", correlationId: "tick-2026-12-05T10:00:00Z", function: "tick", jobs: 4 });
  });

  it("carry the invocation in Lambda too, where it is kept without AsyncLocalStorage's hook on every promise", async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = "uptime-test-checkConsumer";
    reloadConfig();
    const run = vi.spyOn(AsyncLocalStorage.prototype, "run");
    try {
      const lines = await stdoutLines(() =>
        Telemetry.withTelemetry("checkConsumer", "m-1", async () => {
          await new Promise((r) => setTimeout(r, 1));
          Telemetry.log.warn("slow", { at: 1 });
          expect(Telemetry.currentCorrelationId()).toBe("m-1");
        }),
      );
      expect(JSON.parse(lines.find((l) => l.includes('"slow"'))!)).toMatchObject({ correlationId: "m-1", function: "checkConsumer", at: 1 });
      expect(Telemetry.currentCorrelationId()).toBeUndefined();
      expect(run).not.toHaveBeenCalled();
    } finally {
      run.mockRestore();
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      reloadConfig();
    }
  });

  it("never carry a secret: values under secret-sounding keys, URL credentials and query strings are removed", async () => {
    const secrets = ["s3cr3t-password", "hunter2token", "xoxb-123-abc", "sig-value-999", "routing-key-777"];
    const lines = await stdoutLines(() =>
      Telemetry.withTelemetry("alertConsumer", "a-1", async () =>
        Telemetry.log.error("delivery failed", {
          target: `https://user:${secrets[0]}@example.com/hook?token=${secrets[1]}`,
          headers: { authorization: `Bearer ${secrets[2]}`, "webhook-signature": secrets[3] },
          channel: { routingKey: secrets[4], type: "pagerduty" },
          error: new Error(`POST https://admin:${secrets[0]}@example.com/x failed`),
        }),
      ),
    );
    const out = lines.join("\n");
    expect(out).toContain("delivery failed");
    expect(out).toContain("https://example.com/hook?…");
    for (const s of secrets) expect(out).not.toContain(s);
  });
});
