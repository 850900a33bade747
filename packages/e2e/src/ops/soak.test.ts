import { describe, expect, it } from "vitest";
import { runSoak } from "../kit/soak";

/*
 * The short soak: a small fleet for 45 seconds while a share of every DynamoDB, SQS and SES
 * request fails as AWS fails under load (`npm run soak -- --minutes 30` is the long one).
 */
describe("soak under injected AWS faults", () => {
  it("keeps every promise: transitions mailed once, no result lost or doubled, incidents resolved, subscriber mail once, nothing dead-lettered", { timeout: 240_000 }, async () => {
    const report = await runSoak({
      durationMs: 45_000,
      monitors: 12,
      targets: 4,
      subscribers: 2,
      postedIncidents: 2,
      outageCycleMs: 30_000,
      seed: 7,
      // Lost responses too: a write done, its answer lost, retried by the SDK. Every claim and
      // every conditional create must recognise its own earlier attempt (platform/claim.ts).
      faults: {
        dynamodb: { throttle: 0.04, serverError: 0.03, lostResponse: 0.03 },
        sqs: { throttle: 0.04, serverError: 0.03, lostResponse: 0.03, redeliver: 0.15 },
        ses: { throttle: 0.1, serverError: 0.03 },
      },
    });
    // The run really was faulty, of every kind, and really had outages.
    for (const kind of ["dynamodb throttle", "dynamodb serverError", "dynamodb lostResponse", "sqs lostResponse", "sqs redeliver", "ses throttle"]) {
      const n = Object.entries(report.faults).filter(([k]) => k.startsWith(kind)).reduce((sum, [, v]) => sum + v, 0);
      expect(n, kind).toBeGreaterThan(0);
    }
    expect(report.figures.incidents).toBeGreaterThanOrEqual(4);
    expect(report.figures.postedIncidents).toBeGreaterThanOrEqual(1);
    expect(report.invariants.filter((i) => !i.held)).toEqual([]);
  });
});
