import { ago, dateTime } from "../format";

/**
 * A moment as people read it: relative ("3m ago") where recency is the point, the full time with
 * its zone otherwise; the other form is the hover title, and `datetime` keeps it machine-readable.
 */
export function When({ at, relative = false, never = "never" }: { at: string | null | undefined; relative?: boolean; never?: string }) {
  if (!at) return <>{never}</>;
  return (
    <time dateTime={at} title={relative ? dateTime(at) : ago(at)}>
      {relative ? ago(at) : dateTime(at)}
    </time>
  );
}
