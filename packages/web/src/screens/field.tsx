import type { ComponentChildren } from "preact";
import { sentence } from "../format";

interface FieldProps {
  label: string;
  name: string;
  value: string;
  onInput: (value: string) => void;
  error?: string;
  type?: "text" | "email" | "password" | "url" | "number";
  hint?: string;
  autocomplete?: string;
  multiline?: boolean;
  children?: ComponentChildren;
}

/** A labelled input with the API's validation message for that field beside it. */
export function Field({ label, name, value, onInput, error, type = "text", hint, autocomplete, multiline, children }: FieldProps) {
  const id = `f-${name}`;
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  const common = { id, name, value, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children ??
        (multiline ? (
          <textarea {...common} rows={3} onInput={(e) => onInput((e.target as HTMLTextAreaElement).value)} />
        ) : (
          <input {...common} type={type as "text"} autocomplete={autocomplete} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
        ))}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && <small id={`${id}-error`} class="error">{sentence(label, error)}</small>}
    </div>
  );
}
