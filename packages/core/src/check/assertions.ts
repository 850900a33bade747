export * as Assertions from "./assertions";

import vm from "node:vm";

/**
 * Assertions on an HTTP check's response, one short expression each (docs/monitor-types.md,
 * "Assertions"):
 *
 *   $.status == "ok"            JSON body path      $.items[0].count >= 3    $.data exists
 *   header.content-type contains "json"             header["x-version"] == "2"
 *   responseTime < 500          status == 200       body matches /ok|healthy/i
 *
 * A hand-written parser (never eval): a subject, an operator, a literal. Errors carry the
 * character position, so the API can point at it. Regular expressions run only if they cannot
 * backtrack catastrophically (no repeated group that itself repeats or has alternatives, no
 * backreferences) on at most REGEX_INPUT_CHARS of the body, under a time limit.
 */

export const MAX_ASSERTIONS = 20;
export const MAX_EXPRESSION_CHARS = 500;
export const MAX_PATTERN_CHARS = 200;
/** A regex sees at most this much of the body (or of a header or JSON string). */
export const REGEX_INPUT_CHARS = 16_384;
/** The guard of last resort: a regex that still runs longer fails the assertion. */
const REGEX_TIMEOUT_MS = 50;

export type Subject =
  | { kind: "json"; path: (string | number)[]; text: string }
  | { kind: "header"; name: string }
  | { kind: "responseTime" }
  | { kind: "status" }
  | { kind: "body" };

export const OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "contains", "matches", "exists", "not exists"] as const;
export type Operator = (typeof OPERATORS)[number];

export type Literal = string | number | boolean | null | RegExp;

export interface Assertion {
  subject: Subject;
  op: Operator;
  value?: Literal;
  /** The expression as written (trimmed), for messages. */
  source: string;
}

export class AssertionSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based character index into the expression. */
    public readonly position: number,
  ) {
    super(message);
  }
}

const NUMERIC_OPS: Operator[] = ["==", "!=", "<", "<=", ">", ">="];
/** Which operators each subject takes, and what they compare with. */
const ALLOWED: Record<Subject["kind"], Operator[]> = {
  json: [...OPERATORS],
  header: ["==", "!=", "contains", "matches", "exists", "not exists"],
  responseTime: NUMERIC_OPS,
  status: NUMERIC_OPS,
  body: ["contains", "matches"],
};

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  fail(message: string, at = this.i): never {
    throw new AssertionSyntaxError(message, at);
  }
  skipSpaces() {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  get done() {
    return this.i >= this.s.length;
  }
  peek(n = 1) {
    return this.s.slice(this.i, this.i + n);
  }
  word(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(this.s.slice(this.i));
    return m ? m[0] : "";
  }
}

/** A double-quoted string with JSON escapes; the scanner stands on the opening quote. */
function readString(sc: Scanner): string {
  const start = sc.i;
  let j = sc.i + 1;
  while (j < sc.s.length && sc.s[j] !== '"') j += sc.s[j] === "\\" ? 2 : 1;
  if (j >= sc.s.length) sc.fail("unterminated string: add the closing \"", start);
  try {
    const value = JSON.parse(sc.s.slice(start, j + 1)) as string;
    sc.i = j + 1;
    return value;
  } catch {
    return sc.fail("invalid escape in string", start);
  }
}

function readNumber(sc: Scanner): number {
  const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(sc.s.slice(sc.i));
  if (!m) sc.fail("expected a number");
  sc.i += m[0].length;
  return Number(m[0]);
}

function readSubject(sc: Scanner): Subject {
  const start = sc.i;
  if (sc.peek() === "$") {
    sc.i++;
    const path: (string | number)[] = [];
    for (;;) {
      if (sc.peek() === ".") {
        sc.i++;
        const name = sc.word();
        if (!name) sc.fail("expected a property name after \".\"");
        sc.i += name.length;
        path.push(name);
      } else if (sc.peek() === "[") {
        sc.i++;
        if (sc.peek() === '"') path.push(readString(sc));
        else if (/\d/.test(sc.peek())) {
          const at = sc.i;
          const n = readNumber(sc);
          if (!Number.isInteger(n) || n < 0) sc.fail("an array index must be a whole number", at);
          path.push(n);
        } else sc.fail("expected an array index or a quoted property name");
        if (sc.peek() !== "]") sc.fail("expected \"]\"");
        sc.i++;
      } else break;
    }
    return { kind: "json", path, text: sc.s.slice(start, sc.i) };
  }
  const word = sc.word();
  if (word === "header") {
    sc.i += word.length;
    let name: string;
    if (sc.peek() === ".") {
      sc.i++;
      const m = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(sc.s.slice(sc.i));
      if (!m) sc.fail("expected a header name after \"header.\"");
      name = m[0];
      sc.i += name.length;
    } else if (sc.peek(2) === '["') {
      sc.i++;
      name = readString(sc);
      if (sc.peek() !== "]") sc.fail("expected \"]\"");
      sc.i++;
    } else return sc.fail("expected header.<name> or header[\"<name>\"]");
    return { kind: "header", name: name.toLowerCase() };
  }
  if (word === "responseTime" || word === "status" || word === "body") {
    sc.i += word.length;
    return { kind: word };
  }
  return sc.fail("expected $ (JSON body), header.<name>, responseTime, status or body", start);
}

function readOperator(sc: Scanner): Operator {
  for (const op of ["==", "!=", "<=", ">=", "<", ">"] as const) {
    if (sc.peek(op.length) === op) {
      sc.i += op.length;
      return op;
    }
  }
  const word = sc.word();
  if (word === "contains" || word === "matches" || word === "exists") {
    sc.i += word.length;
    return word;
  }
  if (word === "not") {
    const at = sc.i;
    sc.i += 3;
    sc.skipSpaces();
    if (sc.word() !== "exists") sc.fail("expected \"exists\" after \"not\"", at);
    sc.i += "exists".length;
    return "not exists";
  }
  return sc.fail("expected an operator: ==, !=, <, <=, >, >=, contains, matches, exists or not exists");
}

/** A /pattern/flags literal; the scanner stands on the opening slash. */
function readRegex(sc: Scanner): RegExp {
  const start = sc.i;
  let j = sc.i + 1;
  let inClass = false;
  for (; j < sc.s.length; j++) {
    const c = sc.s[j];
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
  }
  if (j >= sc.s.length) sc.fail("unterminated regex: add the closing /", start);
  const pattern = sc.s.slice(start + 1, j);
  const flags = /^[a-z]*/.exec(sc.s.slice(j + 1))![0];
  if (!pattern) sc.fail("empty regex", start);
  if (pattern.length > MAX_PATTERN_CHARS) sc.fail(`regex longer than ${MAX_PATTERN_CHARS} characters`, start);
  if (!/^[ims]*$/.test(flags) || new Set(flags).size !== flags.length) sc.fail("regex flags may only be i, m and s", j + 1);
  const unsafe = unsafeRegex(pattern);
  if (unsafe) sc.fail(`regex ${unsafe.message}`, start + 1 + unsafe.at);
  let re: RegExp;
  try {
    re = new RegExp(pattern, flags);
  } catch (err) {
    return sc.fail(`invalid regex: ${(err as Error).message.replace(/^Invalid regular expression: /, "")}`, start);
  }
  sc.i = j + 1 + flags.length;
  return re;
}

function readLiteral(sc: Scanner): Literal {
  const c = sc.peek();
  if (c === '"') return readString(sc);
  if (c === "/") return readRegex(sc);
  if (c === "-" || /\d/.test(c)) return readNumber(sc);
  const word = sc.word();
  if (word === "true" || word === "false" || word === "null") {
    sc.i += word.length;
    return word === "null" ? null : word === "true";
  }
  return sc.fail("expected a value: a \"string\", a number, true, false, null or a /regex/");
}

const kindOf = (v: Literal | undefined) => (v instanceof RegExp ? "regex" : v === null ? "null" : typeof v);

/** Parses one assertion; throws AssertionSyntaxError with the position of the first problem. */
export function parse(expression: string): Assertion {
  if (expression.length > MAX_EXPRESSION_CHARS) throw new AssertionSyntaxError(`longer than ${MAX_EXPRESSION_CHARS} characters`, MAX_EXPRESSION_CHARS);
  const sc = new Scanner(expression);
  sc.skipSpaces();
  if (sc.done) sc.fail("empty assertion");
  const subject = readSubject(sc);
  sc.skipSpaces();
  if (sc.done) sc.fail("expected an operator after the subject");
  const opAt = sc.i;
  const op = readOperator(sc);
  if (!ALLOWED[subject.kind].includes(op)) {
    sc.fail(`${subjectName(subject)} takes ${ALLOWED[subject.kind].join(", ")}, not ${op}`, opAt);
  }
  let value: Literal | undefined;
  if (op !== "exists" && op !== "not exists") {
    sc.skipSpaces();
    if (sc.done) sc.fail(`expected a value after ${op}`);
    const valueAt = sc.i;
    value = readLiteral(sc);
    const kind = kindOf(value);
    const numeric = subject.kind === "responseTime" || subject.kind === "status" || ["<", "<=", ">", ">="].includes(op);
    if (numeric && kind !== "number") sc.fail(`${op} on ${subjectName(subject)} compares with a number`, valueAt);
    if (op === "matches" && kind !== "regex") sc.fail("matches takes a /regex/", valueAt);
    if (op === "contains" && kind !== "string") sc.fail("contains takes a \"string\"", valueAt);
    if ((op === "==" || op === "!=") && kind === "regex") sc.fail("use matches to compare with a /regex/", valueAt);
    if (subject.kind === "header" && kind !== "string" && kind !== "regex") sc.fail("a header compares with a \"string\"", valueAt);
  }
  sc.skipSpaces();
  if (!sc.done) sc.fail("unexpected text after the assertion");
  return { subject, op, ...(value !== undefined && { value }), source: expression.trim() };
}

/** Parses a monitor's list; the first error found per expression, with its index. */
export function validate(expressions: string[]): { index: number; position: number; message: string }[] {
  const errors: { index: number; position: number; message: string }[] = [];
  expressions.forEach((e, index) => {
    try {
      parse(e);
    } catch (err) {
      if (!(err instanceof AssertionSyntaxError)) throw err;
      errors.push({ index, position: err.position, message: err.message });
    }
  });
  return errors;
}

function subjectName(s: Subject): string {
  switch (s.kind) {
    case "json":
      return s.text;
    case "header":
      return `header ${s.name}`;
    default:
      return s.kind;
  }
}

// ---------- regex safety ----------

/**
 * Why a pattern could backtrack catastrophically, with where: a repeated group holding a
 * repetition ((a+)+) or alternatives ((a|aa)*), or a backreference. Conservative on purpose:
 * `[ab]+` is the safe spelling of `(a|b)+`. What stays (a few adjacent repetitions) is bounded
 * by REGEX_INPUT_CHARS and the time limit.
 */
export function unsafeRegex(pattern: string): { at: number; message: string } | undefined {
  // per open group: where it started, whether it holds a repetition or alternatives
  const groups: { at: number; risky: boolean }[] = [];
  let lastGroup: { at: number; risky: boolean } | undefined;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(next) || next === "k")) return { at: i, message: "must not use backreferences" };
      i++;
      lastGroup = undefined;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      lastGroup = undefined;
      continue;
    }
    if (c === "(") {
      groups.push({ at: i, risky: false });
      lastGroup = undefined;
      continue;
    }
    if (c === ")") {
      const g = groups.pop();
      if (!g) return undefined; // unbalanced: new RegExp reports it
      if (g.risky && groups.length) groups[groups.length - 1]!.risky = true;
      lastGroup = g;
      continue;
    }
    if (c === "|") {
      if (groups.length) groups[groups.length - 1]!.risky = true;
      lastGroup = undefined;
      continue;
    }
    const brace = c === "{" ? /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i)) : null;
    // {n,m} repeats unless it allows at most one; a "{" that is no quantifier is a plain character
    const repeats = c === "*" || c === "+" || (brace !== null && (brace[2] === "," ? brace[3] === "" || Number(brace[3]) > 1 : Number(brace[1]) > 1));
    const quantifier = c === "*" || c === "+" || c === "?" || brace !== null;
    if (quantifier && lastGroup?.risky && repeats) {
      return { at: lastGroup.at, message: "must not repeat a group that itself repeats or has alternatives (catastrophic backtracking); write [ab]+ instead of (a|b)+" };
    }
    if (repeats && groups.length) groups[groups.length - 1]!.risky = true;
    if (brace) i += brace[0].length - 1;
    if (!quantifier) lastGroup = undefined;
  }
  return undefined;
}

// made on first use: most processes that load the monitor fields never run a regex
let regexRunner: { context: vm.Context; script: vm.Script } | undefined;

/** Runs a checked regex under the time limit; undefined when it ran out of time. */
function testRegex(re: RegExp, text: string): boolean | undefined {
  regexRunner ??= { context: vm.createContext({}), script: new vm.Script("re.test(s)") };
  const { context: regexContext, script: regexTest } = regexRunner;
  regexContext.re = new RegExp(re.source, re.flags);
  regexContext.s = text.slice(0, REGEX_INPUT_CHARS);
  try {
    return regexTest.runInContext(regexContext, { timeout: REGEX_TIMEOUT_MS }) as boolean;
  } catch {
    return undefined;
  } finally {
    regexContext.s = "";
  }
}

// ---------- evaluation ----------

export interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as read (at most MAX_RESPONSE_BYTES). */
  body: string;
  latencyMs: number;
}

/** Whether any assertion needs the response body. */
export const needsBody = (assertions: Assertion[]) => assertions.some((a) => a.subject.kind === "json" || a.subject.kind === "body");

const show = (v: unknown) => {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
};

function compare(actual: unknown, op: Operator, expected: Literal | undefined): boolean | undefined {
  switch (op) {
    case "exists":
      return actual !== undefined;
    case "not exists":
      return actual === undefined;
    case "==":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (typeof actual !== "number" || typeof expected !== "number") return false;
      return op === "<" ? actual < expected : op === "<=" ? actual <= expected : op === ">" ? actual > expected : actual >= expected;
    }
    case "contains":
      if (typeof actual === "string") return actual.includes(expected as string);
      if (Array.isArray(actual)) return actual.includes(expected);
      return false;
    case "matches":
      return typeof actual === "string" ? testRegex(expected as RegExp, actual) : false;
  }
}

/** Follows a JSON path; undefined when a step is missing. */
function follow(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const step of path) {
    if (v === null || typeof v !== "object") return undefined;
    if (typeof step === "number") {
      if (!Array.isArray(v)) return undefined;
      v = v[step];
    } else {
      if (Array.isArray(v) || !Object.hasOwn(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/**
 * The first assertion the response fails, as a message naming it ("assertion 2 failed: ..."),
 * or undefined when all hold. Numbers are 1-based, as a person counts them.
 */
export function firstFailure(assertions: Assertion[], res: Response): string | undefined {
  let json: { ok: true; value: unknown } | { ok: false } | undefined;
  for (let i = 0; i < assertions.length; i++) {
    const a = assertions[i]!;
    let actual: unknown;
    switch (a.subject.kind) {
      case "json":
        if (!json) {
          try {
            json = { ok: true, value: JSON.parse(res.body) };
          } catch {
            json = { ok: false };
          }
        }
        if (!json.ok) return `assertion ${i + 1} failed: ${a.source} (the body is not JSON)`;
        actual = follow(json.value, a.subject.path);
        break;
      case "header": {
        const h = res.headers[a.subject.name];
        actual = Array.isArray(h) ? h.join(", ") : h;
        break;
      }
      case "responseTime":
        actual = res.latencyMs;
        break;
      case "status":
        actual = res.status;
        break;
      case "body":
        actual = res.body;
        break;
    }
    const held = compare(actual, a.op, a.value);
    if (held === undefined) return `assertion ${i + 1} failed: ${a.source} (the regex took longer than ${REGEX_TIMEOUT_MS} ms)`;
    if (!held) {
      const got = a.subject.kind === "body" ? "" : ` (got ${a.subject.kind === "responseTime" ? `${actual} ms` : show(actual)})`;
      return `assertion ${i + 1} failed: ${a.source}${got}`;
    }
  }
  return undefined;
}
