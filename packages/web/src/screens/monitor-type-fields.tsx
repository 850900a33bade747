import type { FieldErrors, Monitor } from "../api/client";
import { Field } from "./field";

/** What a monitor checks; the form's own fields are the HTTP ones. */
export type MonitorType = Monitor["type"];
type Tcp = Extract<Monitor, { type: "tcp" }>;
type Dns = Extract<Monitor, { type: "dns" }>;
type Http = Extract<Monitor, { type: "http" }>;
export type HttpMethod = Http["method"];

const TYPES: { value: MonitorType; label: string }[] = [
  { value: "http", label: "HTTP(S) request" },
  { value: "tcp", label: "TCP port" },
  { value: "dns", label: "DNS record" },
];
const RECORD_TYPES: Dns["recordType"][] = ["A", "AAAA", "CNAME", "MX", "TXT", "NS", "CAA", "SOA"];
const MATCH: { value: Dns["match"]; label: string }[] = [
  { value: "any", label: "any of them (or any answer, when none are given)" },
  { value: "all", label: "all of them" },
  { value: "none", label: "none of them" },
];

/** The TCP and DNS settings as typed into the form. */
export type TypeText = {
  type: MonitorType;
  host: string;
  port: string;
  tls: boolean;
  send: string;
  expectReply: string;
  recordName: string;
  recordType: Dns["recordType"];
  resolver: string;
  expectedValues: string;
  match: Dns["match"];
  alertOnChange: boolean;
};

export const blankType: TypeText = {
  type: "http", host: "", port: "", tls: false, send: "", expectReply: "",
  recordName: "", recordType: "A", resolver: "", expectedValues: "", match: "any", alertOnChange: false,
};

export function typeTextOf(m: Monitor): TypeText {
  if (m.type === "tcp") return { ...blankType, type: "tcp", host: m.host, port: String(m.port), tls: m.tls, send: m.send ?? "", expectReply: m.expectReply ?? "" };
  if (m.type === "dns") {
    return { ...blankType, type: "dns", recordName: m.recordName, recordType: m.recordType, resolver: m.resolver ?? "", expectedValues: m.expectedValues.join("\n"), match: m.match, alertOnChange: m.alertOnChange };
  }
  return blankType;
}

/** The HTTP settings the form edits; a TCP or DNS monitor shows the new-monitor defaults there (hidden). */
export function httpOf(m: Monitor): Pick<Http, "url" | "method" | "headers" | "body" | "expectedStatus" | "keyword" | "keywordMode"> {
  if (m.type === "http") return m;
  return { url: "https://", method: "GET", headers: {}, body: null, expectedStatus: ["200-399"], keyword: null, keywordMode: null };
}

const HTTP_KEYS = ["url", "method", "headers", "body", "expectedStatus", "keyword", "keywordMode"];

/**
 * The request body for the chosen type: the form's body without its HTTP fields for a TCP or DNS
 * monitor, plus that type's fields. Empty optional fields are left out on create and cleared on edit.
 */
export function withType<B extends Record<string, unknown>>(body: B, t: TypeText, editing: boolean): B {
  if (t.type === "http") return editing ? body : ({ ...body, type: "http" } as B);
  const common = Object.fromEntries(Object.entries(body).filter(([k]) => !HTTP_KEYS.includes(k)));
  const clear = editing ? null : undefined;
  const own: Partial<Tcp> | Partial<Dns> | Record<string, unknown> =
    t.type === "tcp"
      ? { host: t.host.trim(), port: Number(t.port), tls: t.tls, send: t.send || clear, expectReply: t.expectReply || clear }
      : {
          recordName: t.recordName.trim(), recordType: t.recordType, resolver: t.resolver.trim() || clear,
          expectedValues: t.expectedValues.split("\n").map((v) => v.trim()).filter(Boolean), match: t.match, alertOnChange: t.alertOnChange,
        };
  const out = { ...common, ...(editing ? {} : { type: t.type }), ...own };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as B;
}

/** The type picker (fixed once a monitor exists) and the TCP or DNS fields. */
export function MonitorTypeFields({ value, onChange, errors, editing }: { value: TypeText; onChange: (t: TypeText) => void; errors: FieldErrors; editing: boolean }) {
  const set = <K extends keyof TypeText>(k: K) => (v: TypeText[K]) => onChange({ ...value, [k]: v });
  const text = (k: "host" | "port" | "send" | "expectReply" | "recordName" | "resolver" | "expectedValues", label: string, extra: { type?: "number"; hint?: string; multiline?: boolean } = {}) => (
    <Field label={label} name={k} value={value[k]} onInput={set(k)} error={errors[k]} {...extra} />
  );
  const check = (k: "tls" | "alertOnChange", label: string) => (
    <div class="field checkbox">
      <input id={`f-${k}`} type="checkbox" checked={value[k]} onChange={(e) => set(k)((e.target as HTMLInputElement).checked)} />
      <label for={`f-${k}`}>{label}</label>
    </div>
  );
  return (
    <>
      <Field label="Type" name="type" value={value.type} onInput={(v) => set("type")(v as MonitorType)} error={errors.type} hint={editing ? "A monitor's type cannot change" : undefined}>
        <select id="f-type" value={value.type} disabled={editing} onChange={(e) => set("type")((e.target as HTMLSelectElement).value as MonitorType)}>
          {TYPES.map((t) => <option value={t.value}>{t.label}</option>)}
        </select>
      </Field>
      {value.type === "tcp" && (
        <>
          <div class="grid">
            {text("host", "Host", { hint: "A host name or IP address, e.g. db.example.com" })}
            {text("port", "Port", { type: "number" })}
          </div>
          {check("tls", "Connect with TLS (verifies the certificate and records its days left)")}
          {text("send", "Send", { hint: "Optional: text sent once connected" })}
          {text("expectReply", "Expect in reply", { hint: "Optional: the reply must contain this text" })}
        </>
      )}
      {value.type === "dns" && (
        <>
          <div class="grid">
            {text("recordName", "Record name", { hint: "e.g. example.com or _dmarc.example.com" })}
            <Field label="Record type" name="recordType" value={value.recordType} onInput={(v) => set("recordType")(v as Dns["recordType"])} error={errors.recordType}>
              <select id="f-recordType" value={value.recordType} onChange={(e) => set("recordType")((e.target as HTMLSelectElement).value as Dns["recordType"])}>
                {RECORD_TYPES.map((t) => <option value={t}>{t}</option>)}
              </select>
            </Field>
          </div>
          {text("resolver", "Resolver", { hint: "Optional: an IP address such as 1.1.1.1 (or 1.1.1.1:53); empty: the platform's resolver" })}
          {text("expectedValues", "Expected values", { multiline: true, hint: "Optional, one per line, e.g. 93.184.216.34 or 10 mail.example.com" })}
          <Field label="The answer must hold" name="match" value={value.match} onInput={(v) => set("match")(v as Dns["match"])} error={errors.match}>
            <select id="f-match" value={value.match} onChange={(e) => set("match")((e.target as HTMLSelectElement).value as Dns["match"])}>
              {MATCH.map((m) => <option value={m.value}>{m.label}</option>)}
            </select>
          </Field>
          {check("alertOnChange", "Alert when the answer changes from the last one seen")}
        </>
      )}
    </>
  );
}

/** What a monitor checks, as its details screen says it. */
export function targetLine(m: Monitor): string {
  if (m.type === "http") return `${m.method} ${m.url}`;
  return m.type === "tcp" ? `TCP ${m.target}` : `DNS ${m.target}`;
}
