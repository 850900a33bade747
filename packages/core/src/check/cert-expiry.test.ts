import { describe, expect, it } from "vitest";
import { CertExpiry } from "./cert-expiry";

const NOT_AFTER = Date.UTC(2026, 0, 20);

describe("which certificate warning a check calls for", () => {
  it.each([
    // days left, thresholds (undefined: the defaults), already warned, expected threshold (undefined: none)
    { daysLeft: 40, expected: undefined },
    { daysLeft: 30, expected: 30 },
    { daysLeft: 29, expected: 30 },
    { daysLeft: 10, expected: 14 },
    { daysLeft: 7, expected: 7 },
    { daysLeft: 0, expected: 1 },
    { daysLeft: 10, warned: `${NOT_AFTER}:14`, expected: undefined },
    { daysLeft: 6, warned: `${NOT_AFTER}:14`, expected: 7 },
    // a renewed certificate (another notAfter) starts again, even at a threshold warned for the old one
    { daysLeft: 10, warned: `${NOT_AFTER - 86_400_000 * 60}:14`, expected: 14 },
    { daysLeft: 10, days: [], expected: undefined },
    { daysLeft: 10, days: [5, 60], expected: 60 },
  ])("$daysLeft days left, thresholds $days, warned $warned: $expected", ({ daysLeft, days, warned, expected }) => {
    const w = CertExpiry.due({ certExpiryDays: days, certWarned: warned }, { certDaysLeft: daysLeft, certExpiresAt: NOT_AFTER });
    expect(w?.threshold).toBe(expected);
    if (w) expect(w).toEqual({ threshold: expected, daysLeft, expiresAt: NOT_AFTER, key: `${NOT_AFTER}:${expected}` });
  });

  it("plain HTTP (no certificate) warns of nothing", () => {
    expect(CertExpiry.due({}, {})).toBeUndefined();
  });
});
