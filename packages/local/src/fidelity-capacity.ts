/**
 * Fidelity check (FIDELITY.md): DynamoDB capacity consumed by one healthy check, i.e.
 * `Checker.runJob` on an up monitor whose target answers 200. Prints one JSON line.
 *
 *   npx tsx packages/local/src/fidelity-capacity.ts                                  # dynalite
 *   LOCAL_DYNAMODB_ENDPOINT=http://127.0.0.1:8765 npx tsx packages/local/src/fidelity-capacity.ts
 *
 * Every DynamoDB request (platform/table.ts watchDynamo) gets ReturnConsumedCapacity: "TOTAL".
 */
import { Checker } from "@uptime/core/check/checker";
import { CheckJob } from "@uptime/core/check/check-job";
import { Monitor } from "@uptime/core/monitors/monitor";
import { Org } from "@uptime/core/orgs/org";
import { watchDynamo } from "@uptime/core/platform/table";
import { startTarget, startTestStack } from "./testing";

interface Call {
  command: string;
  read: number;
  write: number;
}

async function main() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const stack = await startTestStack({ pollers: false, log: () => {} });
  const target = await startTarget();
  try {
    const calls: Call[] = [];
    // A watcher sees the SDK's requests and the checker's signed ones (platform/dynamo-wire.ts) alike.
    watchDynamo(async (command, input, next) => {
      const out = await next({ ...input, ReturnConsumedCapacity: "TOTAL" });
      // With "TOTAL" DynamoDB reports only CapacityUnits; whether they are read or write units follows from the command.
      const units = (out as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity?.CapacityUnits ?? 0;
      const isWrite = /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(command);
      calls.push({ command, read: isWrite ? 0 : units, write: isWrite ? units : 0 });
      return out;
    });

    // A monitor belongs to an organisation that exists (the deletion fence checks it on every create).
    await Org.ensurePersonal({ userId: "owner-capacity", email: "owner@example.com" });
    calls.length = 0;
    const monitor = await Monitor.create("owner-capacity", "owner@example.com", { name: "capacity", url: target.url });
    const create = [...calls];
    calls.length = 0;
    await Monitor.markUp(monitor.monitorId, undefined, Date.now());
    const markUp = [...calls];
    const up = (await Monitor.get(monitor.monitorId))!;
    if (up.state !== "up" || up.openIncidentId) throw new Error(`monitor is not up: ${up.state}`);

    calls.length = 0;
    const out = await Checker.runJob({ monitor: CheckJob.snapshotOf(up), dueAt: Date.now(), kind: "scheduled" });
    if (!out.result.ok || !out.created) throw new Error(`expected a healthy, new result: ${JSON.stringify(out)}`);
    const healthy = [...calls];

    calls.length = 0;
    const again = await Checker.runJob({ monitor: CheckJob.snapshotOf(up), dueAt: out.result.at, kind: "scheduled" }, { redelivered: true });
    if (again.created) throw new Error("a redelivery stored a second result");
    const redelivered = [...calls];

    const sum = (cs: Call[]) => ({
      readUnits: cs.reduce((n, c) => n + c.read, 0),
      writeUnits: cs.reduce((n, c) => n + c.write, 0),
      calls: cs,
    });
    console.log(
      JSON.stringify({
        dynamodb: process.env.LOCAL_DYNAMODB_ENDPOINT ? `external ${process.env.LOCAL_DYNAMODB_ENDPOINT}` : "dynalite",
        healthyCheck: sum(healthy),
        redeliveredHealthyCheck: sum(redelivered),
        // For comparison: writes of the monitor item, which carries both GSIs' keys.
        monitorCreate: sum(create),
        monitorMarkUp: sum(markUp),
      }),
    );
  } finally {
    await target.stop();
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
