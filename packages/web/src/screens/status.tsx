import type { ComponentChildren } from "preact";

const labels = { up: "Up", down: "Down", pending: "Pending", paused: "Paused", degraded: "Degraded" } as const;
export type Status = keyof typeof labels;

export const StatusBadge = ({ status }: { status: Status }) => <span class={`badge ${status}`}>{labels[status]}</span>;

/**
 * The status as it honestly is: while failed checks in a row have not reached the threshold the
 * monitor is not down yet, and not simply up either ("Failing, 1 of 3").
 */
export function MonitorBadge({ status, failedInARow, threshold }: { status: Status; failedInARow: number; threshold: number }) {
  if ((status === "up" || status === "pending") && failedInARow > 0 && failedInARow < threshold) {
    return <span class="badge pending" data-failing>Failing, {failedInARow} of {threshold}</span>;
  }
  return <StatusBadge status={status} />;
}

export const Loading = () => <p role="status">Loading…</p>;
export const Failed = ({ message }: { message: string }) => <p class="error" role="alert">{message}</p>;

/** A table that may scroll sideways on a phone: focusable, so a keyboard can scroll it too. */
export const ScrollBox = ({ label, children }: { label: string; children: ComponentChildren }) => (
  <div class="table-wrap" tabIndex={0} role="region" aria-label={label}>{children}</div>
);

/** Follows the API's cursor to the next page of a list. */
export const ShowMore = ({ what, onClick }: { what: string; onClick: () => unknown }) => (
  <p class="more">
    <button type="button" class="secondary" onClick={() => void onClick()}>Show more {what}</button>
  </p>
);
