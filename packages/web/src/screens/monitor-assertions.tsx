import { useEffect, useState } from "preact/hooks";
import { api, authed, errorOf } from "../api/client";

interface ResponseChecks {
  /** One assertion per line. */
  assertions: string;
  degradedAboveMs: string;
  degradedAfterChecks: string;
  degradedAlert: boolean;
  certExpiryDays: string;
}

interface Problem {
  path: string;
  message: string;
  position?: number;
}

const lines = (s: string) => s.split("\n").map((l) => l.trim()).filter(Boolean);

/** "assertions.1" with a position: "Line 2, character 13: …", as the person typed it. */
function describe(p: Problem): string {
  const [field, index] = p.path.split(".");
  if (field === "assertions" && index !== undefined) return `Assertion on line ${Number(index) + 1}: ${p.message}`;
  return `${field}: ${p.message}`;
}

/**
 * A monitor's assertions, degraded threshold and certificate warnings, saved on their own (the
 * monitor form includes this as one line, like the alert channels). A new monitor starts with
 * no assertions, no degraded threshold and certificate warnings at 30, 14, 7 and 1 days.
 */
export function MonitorAssertions({ id }: { id?: string }) {
  const [form, setForm] = useState<ResponseChecks | null>(null);
  // Assertions read an HTTP response; certificates come with HTTPS and TCP (TLS), never with DNS.
  const [type, setType] = useState<"http" | "tcp" | "dns" | "heartbeat">("http");
  const [problems, setProblems] = useState<Problem[]>([]);
  const [message, setMessage] = useState("");

  useEffect(() => {
    if (!id) return;
    void authed(() => api.GET("/v1/monitors/{id}", { params: { path: { id } } })).then(({ data }) => {
      if (data) {
        setType(data.type);
        setForm({
          assertions: "assertions" in data ? data.assertions.join("\n") : "",
          degradedAboveMs: data.degradedAboveMs === null ? "" : String(data.degradedAboveMs),
          degradedAfterChecks: String(data.degradedAfterChecks),
          degradedAlert: data.degradedAlert,
          certExpiryDays: "certExpiryDays" in data ? data.certExpiryDays.join(", ") : "",
        });
      }
    });
  }, [id]);

  if (!id) {
    return (
      <section class="monitor-assertions" aria-labelledby="checks-h">
        <h2 id="checks-h">Assertions, slowness and certificate</h2>
        <p class="muted">Certificate warnings come 30, 14, 7 and 1 days before an HTTPS certificate expires. Add assertions on the response and a slowness threshold after creating the monitor.</p>
      </section>
    );
  }
  // A heartbeat has its own form and nothing of this to set.
  if (!form || type === "heartbeat") return null;
  const set = (patch: Partial<ResponseChecks>) => setForm({ ...form, ...patch });

  async function save() {
    const body = {
      ...(type === "http" && { assertions: lines(form!.assertions) }),
      degradedAboveMs: form!.degradedAboveMs.trim() === "" ? null : Number(form!.degradedAboveMs),
      degradedAfterChecks: Number(form!.degradedAfterChecks),
      degradedAlert: form!.degradedAlert,
      ...(type !== "dns" && { certExpiryDays: form!.certExpiryDays.split(/[,\s]+/).filter(Boolean).map(Number) }),
    };
    const { error } = await authed(() => api.PATCH("/v1/monitors/{id}", { params: { path: { id: id! } }, body }));
    const details = errorOf(error)?.details;
    setProblems(Array.isArray(details) ? (details as Problem[]) : []);
    setMessage(error ? (errorOf(error)?.message ?? "Could not save") : "Assertions and thresholds updated.");
  }

  const invalid = (field: string) => (problems.some((p) => p.path.split(".")[0] === field) ? true : undefined);
  return (
    <section class="monitor-assertions" aria-labelledby="checks-h">
      <h2 id="checks-h">Assertions, slowness and certificate</h2>
      {type === "http" && <div class="field">
        <label for="f-assertions">Assertions (one per line)</label>
        <textarea id="f-assertions" rows={4} value={form.assertions} aria-invalid={invalid("assertions")} aria-describedby="f-assertions-hint"
          placeholder={'$.status == "ok"\nheader.content-type contains "json"\nresponseTime < 800'}
          onInput={(e) => set({ assertions: (e.target as HTMLTextAreaElement).value })} />
        <small id="f-assertions-hint">
          Each must hold: JSON paths ($.a.b[0] ==, !=, &lt;, &gt;, contains, exists), header.name, responseTime, status, body contains / matches /regex/. A failed one fails the check and is named in the alert.
        </small>
      </div>}
      <div class="grid">
        <div class="field">
          <label for="f-degradedAboveMs">Degraded above (ms, empty: never)</label>
          <input id="f-degradedAboveMs" type="number" min={1} value={form.degradedAboveMs} aria-invalid={invalid("degradedAboveMs")}
            onInput={(e) => set({ degradedAboveMs: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="field">
          <label for="f-degradedAfterChecks">Slow checks before degraded</label>
          <input id="f-degradedAfterChecks" type="number" min={1} max={10} value={form.degradedAfterChecks} aria-invalid={invalid("degradedAfterChecks")}
            onInput={(e) => set({ degradedAfterChecks: (e.target as HTMLInputElement).value })} />
        </div>
        {type !== "dns" && <div class="field">
          <label for="f-certExpiryDays">Certificate warnings (days before expiry)</label>
          <input id="f-certExpiryDays" value={form.certExpiryDays} aria-invalid={invalid("certExpiryDays")}
            onInput={(e) => set({ certExpiryDays: (e.target as HTMLInputElement).value })} />
        </div>}
      </div>
      <div class="field checkbox">
        <input id="f-degradedAlert" type="checkbox" checked={form.degradedAlert} onChange={(e) => set({ degradedAlert: (e.target as HTMLInputElement).checked })} />
        <label for="f-degradedAlert">Alert when it turns degraded</label>
      </div>
      {problems.length > 0 && (
        <ul class="error" role="alert">
          {problems.map((p) => <li key={p.path}>{describe(p)}</li>)}
        </ul>
      )}
      <div class="actions">
        <button type="button" onClick={() => void save()}>Update assertions and thresholds</button>
      </div>
      {message && <p role="status">{message}</p>}
    </section>
  );
}

/** Days until the last check's certificate expires, where a monitor's status is shown; a warning colour inside 14 days. */
export function CertDaysLeft({ days }: { days: number | null | undefined }) {
  if (days === null || days === undefined) return null;
  const text = days < 0 ? "certificate expired" : `certificate expires in ${days} day${days === 1 ? "" : "s"}`;
  return <span class={days <= 14 ? "cert-days soon" : "cert-days"} data-cert-days={days}>{text}</span>;
}
