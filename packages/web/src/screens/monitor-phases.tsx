import { useState } from "preact/hooks";
import type { CheckResult } from "../api/client";
import { dateTime, ms } from "../format";
import { When } from "./when";

/** The phases in the order a request spends them. */
const PHASE_LABELS = [
  ["dns", "DNS"],
  ["connect", "connect"],
  ["tls", "TLS"],
  ["firstByte", "first byte"],
  ["download", "download"],
] as const;

type Phases = NonNullable<CheckResult["phases"]>;
type Measured = CheckResult & { phases: Phases };

const present = (phases: Phases) => PHASE_LABELS.filter(([key]) => phases[key] != null);
const total = (phases: Phases) => present(phases).reduce((sum, [key]) => sum + phases[key]!, 0);
const measured = (r: CheckResult): r is Measured => !!r.phases && present(r.phases).length > 0;

/** "DNS 2 · connect 1 · TLS 30 · first byte 170 · download 7 ms": the phases the check went through. */
export function phasesText(phases: CheckResult["phases"]): string {
  if (!phases || !present(phases).length) return "–";
  return `${present(phases)
    .map(([key, label]) => `${label} ${Math.round(phases[key]!)}`)
    .join(" · ")} ms`;
}

/** One check's phases end to end, each as wide as its share of `of` ms; the words are beside it, so the bar is only a picture. */
function PhaseBar({ phases, of }: { phases: Phases; of: number }) {
  return (
    <span class="phase-bar" aria-hidden="true">
      {present(phases).map(([key]) => (
        <i key={key} class={`phase-${key}`} style={{ flexGrow: phases[key]! / Math.max(1, of) }} />
      ))}
      <i class="phase-rest" style={{ flexGrow: Math.max(0, of - total(phases)) / Math.max(1, of) }} />
    </span>
  );
}

/**
 * Where a check's time went, as Checkly and Better Stack show it: the latest measured check as a
 * stacked bar with each phase in words, and the recent checks as small bars; pointing at one, or
 * moving the focus to it, shows that check instead.
 */
export function CheckPhases({ results }: { results: CheckResult[] }) {
  const [picked, setPicked] = useState<string | null>(null);
  const checks = results.filter(measured);
  if (!checks.length) return null;
  const latest = checks[0];
  const shown = checks.find((r) => r.at === picked) ?? latest;
  const longest = Math.max(...checks.map((r) => total(r.phases)));
  return (
    <section aria-labelledby="phases-h" class="phases">
      <h2 id="phases-h">Where the time went</h2>
      <p data-phases-of={shown.at}>
        {shown === latest ? "Latest check" : "Check"}, <When at={shown.at} />: {ms(shown.latencyMs)}
      </p>
      <PhaseBar phases={shown.phases} of={total(shown.phases)} />
      <dl class="phase-legend">
        {present(shown.phases).map(([key, label]) => (
          <div key={key} data-phase={key}>
            <dt><i class={`phase-${key}`} aria-hidden="true" />{label}</dt>
            <dd>{ms(shown.phases[key])}</dd>
          </div>
        ))}
      </dl>
      <div class="phase-picks" role="group" aria-label="Recent checks' phases, oldest first">
        {[...checks].reverse().map((r) => (
          <button
            key={r.at} type="button" class="phase-pick" aria-pressed={r === shown}
            aria-label={`${dateTime(r.at)}: ${ms(r.latencyMs)}; ${phasesText(r.phases)}`}
            onMouseEnter={() => setPicked(r.at)} onMouseLeave={() => setPicked(null)}
            onFocus={() => setPicked(r.at)} onBlur={() => setPicked(null)}
          >
            <PhaseBar phases={r.phases} of={longest} />
          </button>
        ))}
      </div>
    </section>
  );
}
