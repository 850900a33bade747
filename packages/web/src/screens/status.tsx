import type { ComponentChildren } from "preact";

const labels = { up: "Up", down: "Down", pending: "Pending", paused: "Paused", degraded: "Degraded" } as const;
export type Status = keyof typeof labels;

export const StatusBadge = ({ status }: { status: Status }) => <span class={`badge ${status}`}>{labels[status]}</span>;

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
