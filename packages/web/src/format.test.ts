import { describe, expect, it } from "vitest";
import { checkOutcome, heartbeatReasonText, reasonText } from "./format";

describe("a check's outcome in words", () => {
  const result = { ok: true, reason: null, httpStatus: null, latencyMs: 12 };
  it("names the HTTP status when there is one, and reads without it", () => {
    expect(checkOutcome({ ...result, httpStatus: 200 })).toBe("Up: HTTP 200 in 12 ms.");
    expect(checkOutcome(result)).toBe("Up, in 12 ms.");
    expect(checkOutcome({ ...result, ok: false, reason: "connection_refused" })).toBe("Failed: connection refused, after 12 ms.");
  });

  it("says a heartbeat's failures as a heartbeat fails, and falls back to the probes' words", () => {
    expect(heartbeatReasonText("error")).toBe("the job reported a failure");
    expect(heartbeatReasonText("timeout")).toBe("no ping in time");
    expect(reasonText("error")).toBe("request error");
    expect(heartbeatReasonText("blocked_target")).toBe(reasonText("blocked_target"));
  });
});
