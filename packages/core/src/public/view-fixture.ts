import type { StatusPage } from "./status-page";

const DAY = 86_400_000;
const today = Date.UTC(2025, 0, 31);

/** A monitor's public view as tests want it: 90 days (the first ten without checks), one open and one resolved incident. */
export function monitorViewFixture(overrides: Partial<StatusPage.View> = {}): StatusPage.View {
  return {
    name: "Shop",
    status: "up",
    lastCheckedAt: "2025-01-31T11:59:00.000Z",
    generatedAt: "2025-01-31T12:00:00.000Z",
    uptime: { "24h": 100, "7d": 99.95, "30d": 99.5, "90d": 97 },
    days: Array.from({ length: 90 }, (_, i) => ({
      date: new Date(today - (89 - i) * DAY).toISOString().slice(0, 10),
      uptimePercent: i < 10 ? null : i === 50 ? 90 : i === 60 ? 99.5 : 100,
      checks: i < 10 ? 0 : 1440,
      failed: i === 50 ? 144 : 0,
    })),
    incidents: [
      { status: "open", startedAt: "2025-01-31T11:00:00.000Z", resolvedAt: null, durationMs: null, reason: "status_mismatch" },
      { status: "resolved", startedAt: "2025-01-10T03:00:00.000Z", resolvedAt: "2025-01-10T04:30:00.000Z", durationMs: 90 * 60_000, reason: "timeout" },
    ],
    ...overrides,
  };
}
