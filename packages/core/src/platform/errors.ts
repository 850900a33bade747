/**
 * Errors a caller is allowed to see. Core throws these; only the HTTP edge maps
 * `kind` to a status code. Anything else is an internal error and is never shown.
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported_media_type"
  | "rate_limited";

export class VisibleError extends Error {
  constructor(
    public readonly kind: ErrorKind,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
    /** Seconds, for rate_limited. */
    public readonly retryAfterSec?: number,
  ) {
    super(message);
    this.name = "VisibleError";
  }
}

export const notFound = (what: string) => new VisibleError("not_found", "not_found", `${what} not found`);

/** DynamoDB's answer when a ConditionExpression did not hold (raw SDK or wrapped by ElectroDB). */
export function isConditionalCheckFailed(err: unknown): boolean {
  let e: any = err;
  for (let i = 0; e && i < 5; i++) {
    if (e.name === "ConditionalCheckFailedException" || e.__type?.endsWith?.("ConditionalCheckFailedException")) return true;
    if (typeof e.message === "string" && e.message.includes("The conditional request failed")) return true;
    e = e.cause;
  }
  return false;
}
