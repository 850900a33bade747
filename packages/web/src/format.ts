export const ago = (iso: string | null | undefined) => {
  if (!iso) return "never";
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(0, s)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
};
export const percent = (n: number | null | undefined) => (n == null ? "–" : `${n.toFixed(2)}%`);
export const ms = (n: number | null | undefined) => (n == null ? "–" : `${Math.round(n)} ms`);
export const duration = (msec: number | null | undefined) => {
  if (msec == null) return "ongoing";
  const s = Math.round(msec / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
};
