import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

interface ConfirmProps {
  label: string;
  question: ComponentChildren;
  yes: string;
  onConfirm: () => Promise<unknown> | void;
  class?: string;
}

/** A destructive action asks once more, in place; the focus moves to the answer so a keyboard user sees it. */
export function ConfirmButton({ label, question, yes, onConfirm, class: cls = "danger" }: ConfirmProps) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => void (asking && cancel.current?.focus()), [asking]);
  if (!asking) return <button type="button" class={cls} onClick={() => setAsking(true)}>{label}</button>;
  return (
    <span class="confirm" role="group" aria-label={`Confirm: ${label}`}>
      {question}{" "}
      <button
        type="button"
        class="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {yes}
      </button>{" "}
      <button type="button" class="secondary" ref={cancel} onClick={() => setAsking(false)}>Cancel</button>
    </span>
  );
}
