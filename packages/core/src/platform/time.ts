export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const floorTo = (t: number, unit: number) => Math.floor(t / unit) * unit;
export const ceilTo = (t: number, unit: number) => Math.ceil(t / unit) * unit;

/** "1h 5m 3s": how long an outage lasted, for people. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, (sec || (!d && !h && !m)) && `${sec}s`].filter(Boolean);
  return parts.join(" ");
}
