/**
 * What every bench script hands back: tables for BENCHMARKS.md, the budgets it checked, and
 * the raw numbers (`data`) other scripts build on (the cost model reads them).
 * Each script writes bench/results/<name>.json; run.ts collects them.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = path.resolve(BENCH_DIR, "..");
export const RESULTS_DIR = path.join(BENCH_DIR, "results");

export type Cell = string | number | null;

export interface Table {
  title: string;
  /** A sentence or two above the table: what was measured and how. */
  intro?: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

export interface Budget {
  name: string;
  limit: string;
  actual: string;
  /** null: could not be measured in this run (reported, not counted as a failure). */
  pass: boolean | null;
}

export interface BenchResult<D = unknown> {
  name: string;
  title: string;
  /** The exact command that reproduces this section alone. */
  command: string;
  startedAt: string;
  durationMs: number;
  tables: Table[];
  budgets: Budget[];
  data: D;
}

/** BENCHMARKS.md's soak section (`npm run soak`) lies between these; `npm run bench` carries it over. */
export const SOAK_START = "<!-- soak:start -->";
export const SOAK_END = "<!-- soak:end -->";

export const commandFor = (name: string) => `npx tsx bench/${name}.ts`;

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

export function resultPath(name: string) {
  return path.join(RESULTS_DIR, `${name}.json`);
}

export function readResult<D = any>(name: string): BenchResult<D> | undefined {
  const file = resultPath(name);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as BenchResult<D>;
}

/** Formats a number for a table: fixed significant digits, thousands separated. */
export function fmt(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  if (n === 0) return "0";
  const abs = Math.abs(n);
  if (abs >= 1000) return Math.round(n).toLocaleString("en-US");
  if (abs >= 100) return n.toFixed(0);
  return Number(n.toPrecision(digits)).toString();
}

export const usd = (n: number) => {
  if (n === 0) return "$0";
  if (Math.abs(n) >= 100) return `$${n.toFixed(0)}`;
  if (Math.abs(n) >= 1) return `$${n.toFixed(2)}`;
  if (Math.abs(n) >= 0.01) return `$${n.toFixed(3)}`;
  return `$${n.toPrecision(2)}`;
};
export const cents = (n: number) => `${(n * 100).toFixed(n * 100 >= 10 ? 1 : 2)}¢`;

export function markdownTable(t: Table): string {
  const esc = (c: Cell) => (c === null || c === undefined ? "–" : String(c).replace(/\|/g, "\\|"));
  const lines = [
    `| ${t.columns.map(esc).join(" | ")} |`,
    `| ${t.columns.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ];
  return lines.join("\n");
}

export function renderTables(tables: Table[], level = "###"): string {
  return tables
    .map((t) => {
      const parts = [`${level} ${t.title}`];
      if (t.intro) parts.push(t.intro);
      parts.push(markdownTable(t));
      if (t.notes?.length) parts.push(t.notes.map((n) => `- ${n}`).join("\n"));
      return parts.join("\n\n");
    })
    .join("\n\n");
}

export function renderBudgets(budgets: Budget[]): string {
  if (!budgets.length) return "";
  return markdownTable({
    title: "",
    columns: ["Budget", "Limit", "Measured", "Result"],
    rows: budgets.map((b) => [b.name, b.limit, b.actual, b.pass === null ? "not measured" : b.pass ? "pass" : "**FAIL**"]),
  });
}

/**
 * Saves the result (bench/results/<name>.json) and prints the tables, so a script run alone
 * shows what it measured. Exit code: 1 if a budget was missed.
 */
export function finish<D>(result: BenchResult<D>): never {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(resultPath(result.name), JSON.stringify(result, null, 2) + "\n");
  console.log(`\n## ${result.title}\n\n${renderTables(result.tables)}\n`);
  if (result.budgets.length) console.log(renderBudgets(result.budgets) + "\n");
  console.log(`(${(result.durationMs / 1000).toFixed(1)} s; saved ${path.relative(REPO_ROOT, resultPath(result.name))})`);
  const missed = result.budgets.filter((b) => b.pass === false);
  process.exit(missed.length ? 1 : 0);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(name: string, line: string) {
  console.error(`[${name}] ${line}`);
}
