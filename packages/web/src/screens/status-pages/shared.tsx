import { useEffect, useState } from "preact/hooks";
import { errorOf, fieldErrors, type FieldErrors } from "../../api/client";
import type { components } from "../../api/schema";

export type StatusPage = components["schemas"]["StatusPage"];
export type Layout = components["schemas"]["StatusPageLayout"];
export type LayoutGroup = Layout["groups"][number];
export type Component = components["schemas"]["Component"];
export type PostedIncident = components["schemas"]["PostedIncident"];
export type Maintenance = components["schemas"]["Maintenance"];
export type ComponentStatus = Component["manualStatus"];
export type IncidentStatus = PostedIncident["status"];
export type Impact = PostedIncident["impact"];

export const COMPONENT_STATUSES: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
  under_maintenance: "Under maintenance",
};
export const INCIDENT_STATUSES: Record<IncidentStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
};
export const IMPACTS: Record<Impact, string> = { none: "None", minor: "Minor", major: "Major", critical: "Critical" };
export const MAINTENANCE_STATUSES: Record<Maintenance["status"], string> = {
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
};

export const pagePath = (pageId: string, rest = "") => `/status-pages/${encodeURIComponent(pageId)}${rest}`;

/** Loads once per change of `deps`; `reload` fetches again after a change made on the screen. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [failure, setFailure] = useState("");
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (d) => current && (setData(d), setFailure("")),
      (e: unknown) => current && setFailure(e instanceof Error ? e.message : "Could not load"),
    );
    return () => void (current = false);
  }, [...deps, generation]);
  return { data, failure, reload: () => setGeneration((g) => g + 1) };
}

/** The data of a call, or an Error with the API's message (for `useLoad`). */
export function must<T>(out: { data?: T; error?: unknown }, what: string): T {
  if (out.data !== undefined) return out.data;
  throw new Error(errorOf(out.error)?.message ?? `Could not load ${what}`);
}

/** The API's message, with field errors that no field on the form shows appended. */
export function problemOf(error: unknown, fields: string[], fallback: string): { byField: FieldErrors; message: string } {
  const byField = fieldErrors(error);
  const err = errorOf(error);
  if (err?.code === "slug_taken" && fields.includes("slug")) byField.slug = err.message;
  const unplaced = Object.keys(byField).filter((k) => !fields.includes(k));
  const message = `${err?.message ?? fallback}${unplaced.length ? `: ${unplaced.map((k) => `${k}: ${byField[k]}`).join("; ")}` : ""}`;
  return { byField, message };
}

/** `datetime-local` value (the browser's time zone) ⇄ ISO instant. */
export function toLocalInput(iso: string | null | undefined) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);
export { dateTime as when } from "../../format";

/** A sub-navigation shared by the screens of one status page. */
export function PageTabs({ page, current }: { page: StatusPage; current: "components" | "incidents" | "maintenance" | "settings" }) {
  const tabs = [
    ["components", "Components", ""],
    ["incidents", "Incidents", "/incidents"],
    ["maintenance", "Maintenance", "/maintenance"],
    ["settings", "Settings", "/edit"],
  ] as const;
  return (
    <>
      <p class="muted crumbs">
        <a href="/status-pages">Status pages</a> › {page.title}
      </p>
      <nav class="tabs" aria-label="Status page">
        {tabs.map(([key, label, rest]) => (
          <a key={key} href={pagePath(page.id, rest)} aria-current={current === key ? "page" : undefined}>{label}</a>
        ))}
        <a href={`/status/${page.slug}`} data-external target="_blank" rel="noopener">Public page ↗</a>
      </nav>
    </>
  );
}

/** A destructive button that asks once more, in place. */
export function ConfirmButton({ label, question, onConfirm, disabled }: { label: string; question: string; onConfirm: () => void; disabled?: boolean }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <button type="button" class="danger" disabled={disabled} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span class="confirm" role="group" aria-label={`Confirm: ${label}`}>
      {question}{" "}
      <button type="button" class="danger" onClick={() => (setAsking(false), onConfirm())}>Yes, {label.toLowerCase()}</button>{" "}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}

export const StatusTag = ({ status }: { status: ComponentStatus }) => <span class={`tag ${status}`}>{COMPONENT_STATUSES[status]}</span>;

export function Select<K extends string>({ id, value, options, onChange, label }: { id: string; value: K; options: Record<K, string>; onChange: (v: K) => void; label?: string }) {
  return (
    <select id={id} value={value} aria-label={label} onChange={(e) => onChange((e.target as HTMLSelectElement).value as K)}>
      {(Object.keys(options) as K[]).map((k) => <option key={k} value={k}>{options[k]}</option>)}
    </select>
  );
}
