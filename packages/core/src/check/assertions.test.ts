import { describe, expect, it } from "vitest";
import { Assertions } from "./assertions";

describe("parsing assertions", () => {
  it.each([
    ['$.status == "ok"', { subject: { kind: "json", path: ["status"] }, op: "==", value: "ok" }],
    ["$.items[0].count >= 3", { subject: { kind: "json", path: ["items", 0, "count"] }, op: ">=", value: 3 }],
    ['$["a b"].c exists', { subject: { kind: "json", path: ["a b", "c"] }, op: "exists" }],
    ["$.error not exists", { subject: { kind: "json", path: ["error"] }, op: "not exists" }],
    ["$.ok == true", { op: "==", value: true }],
    ["$.gone == null", { op: "==", value: null }],
    ["$.ratio < -0.5", { op: "<", value: -0.5 }],
    ['$.tags contains "prod"', { op: "contains", value: "prod" }],
    ['header.Content-Type contains "json"', { subject: { kind: "header", name: "content-type" }, op: "contains" }],
    ['header["X-Version"] == "2"', { subject: { kind: "header", name: "x-version" }, op: "==", value: "2" }],
    ["header.etag exists", { subject: { kind: "header", name: "etag" }, op: "exists" }],
    ["responseTime < 500", { subject: { kind: "responseTime" }, op: "<", value: 500 }],
    ["status == 204", { subject: { kind: "status" }, op: "==", value: 204 }],
    ["  body   matches /ok|healthy/i ", { subject: { kind: "body" }, op: "matches" }],
    ['body contains "\\"quoted\\""', { subject: { kind: "body" }, op: "contains", value: '"quoted"' }],
  ])("%s", (text, expected) => {
    expect(Assertions.parse(text)).toMatchObject(expected);
  });

  it.each([
    // expression, position of the error, words of the message
    ["", 0, "empty"],
    ["$.status", 8, "operator"],
    ['$.status = "ok"', 9, "operator"],
    ['$.status == "ok', 12, "unterminated string"],
    ["$.status ==", 11, "value"],
    ["$.status == ok", 12, "value"],
    ['$. == "x"', 2, "property name"],
    ['$.a[x] == 1', 4, "index"],
    ['$.a[-1] == 1', 4, "index"],
    ["$.a[1.5] == 1", 4, "whole number"],
    ['$.a[1 == 1', 5, "]"],
    ['nope == 1', 0, "expected $"],
    ['header == "x"', 6, "header."],
    ['responseTime < "fast"', 15, "number"],
    ["responseTime contains 5", 13, "takes"],
    ['body == "x"', 5, "takes"],
    ['$.a < "x"', 6, "number"],
    ['$.a matches "x"', 12, "regex"],
    ["$.a contains 3", 13, "string"],
    ["$.a == /x/", 7, "matches"],
    ['header.x == 3', 12, "string"],
    ['$.a == 1 extra', 9, "unexpected"],
    ["$.a not there", 4, "exists"],
    ["body matches /abc", 13, "unterminated regex"],
    ["body matches /a/g", 16, "flags"],
    ["body matches /(/", 13, "invalid regex"],
    ["body matches //", 13, "empty regex"],
    [`body matches /${"a".repeat(201)}/`, 13, "longer than 200"],
    [`$.a == "${"x".repeat(500)}"`, 500, "longer than 500"],
  ])("%j fails at %i", (text, position, words) => {
    let error: unknown;
    try {
      Assertions.parse(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Assertions.AssertionSyntaxError);
    expect((error as Assertions.AssertionSyntaxError).position).toBe(position);
    expect((error as Error).message).toContain(words);
  });

  it("validate names the index and position of each bad expression", () => {
    expect(Assertions.validate(['$.ok == true', "status ==", "responseTime < 9"])).toEqual([
      { index: 1, position: 9, message: "expected a value after ==" },
    ]);
  });
});

describe("regex safety", () => {
  it.each([
    ["(a+)+$", 0],
    ["x(a*)*", 1],
    ["(a|aa)+", 0],
    ["((ab)+c)*", 0],
    ["(a+){2,}", 0],
    ["(\\w+\\s?)*$", 0],
    ["(.)\\1", 3],
    ["(?<x>a)\\k<x>", 7],
  ])("%s is refused (at %i)", (pattern, at) => {
    expect(Assertions.unsafeRegex(pattern)).toMatchObject({ at });
  });

  it.each(["ok|healthy", "[ab]+", "(ab)+", "(a|b)?", "\\d+\\.\\d+", "(a+)?", "(a+){1}", "(a+)x{2}", "[(]+)?", "^\\{\"status\":\"ok\"\\}$", "(?:abc)+"])("%s is accepted", (pattern) => {
    expect(Assertions.unsafeRegex(pattern)).toBeUndefined();
  });

  it("refuses an unsafe regex when parsing, pointing into the pattern", () => {
    expect(() => Assertions.parse("body matches /x(a+)+$/")).toThrow(/catastrophic/);
    expect(Assertions.validate(["body matches /x(a+)+$/"])[0]!.position).toBe(15);
  });
});

describe("evaluating assertions", () => {
  const response = {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "x-version": "2", "set-cookie": ["a=1", "b=2"] },
    body: JSON.stringify({ status: "ok", items: [{ count: 3 }], tags: ["prod", "eu"], ok: true, gone: null, "a b": { c: 1 } }),
    latencyMs: 120,
  };
  const failure = (...texts: string[]) => Assertions.firstFailure(texts.map(Assertions.parse), response);

  it.each([
    '$.status == "ok"',
    '$.status != "down"',
    "$.items[0].count >= 3",
    "$.items[0].count < 4",
    '$["a b"].c == 1',
    "$.ok == true",
    "$.gone == null",
    "$.gone exists",
    "$.missing not exists",
    '$.tags contains "eu"',
    '$.status matches /^O/i',
    'header.content-type contains "json"',
    'header["X-Version"] == "2"',
    'header.set-cookie contains "b=2"',
    "header.x-missing not exists",
    "responseTime < 500",
    "status == 200",
    'body contains "items"',
    'body matches /"count":\\s*3/',
  ])("%s holds", (text) => {
    expect(failure(text)).toBeUndefined();
  });

  it.each([
    ['$.status == "down"', 'assertion 1 failed: $.status == "down" (got "ok")'],
    ["$.items[1].count >= 3", "assertion 1 failed: $.items[1].count >= 3 (got nothing)"],
    ['$.status > 3', 'assertion 1 failed: $.status > 3 (got "ok")'],
    ["$.ok not exists", "assertion 1 failed: $.ok not exists (got true)"],
    ["$.tags.length == 2", "assertion 1 failed: $.tags.length == 2 (got nothing)"],
    ['header.x-version == "3"', 'assertion 1 failed: header.x-version == "3" (got "2")'],
    ["responseTime < 100", "assertion 1 failed: responseTime < 100 (got 120 ms)"],
    ["status != 200", "assertion 1 failed: status != 200 (got 200)"],
    ["body matches /healthy/", "assertion 1 failed: body matches /healthy/"],
  ])("%s fails with %j", (text, message) => {
    expect(failure(text)).toBe(message);
  });

  it("names the first failing assertion by its 1-based number", () => {
    expect(failure("status == 200", '$.status == "ok"', "responseTime < 100", "$.x exists")).toBe("assertion 3 failed: responseTime < 100 (got 120 ms)");
  });

  it("a regex that passes the checks but still runs too long fails under the time limit instead of stalling the checker", () => {
    const slow = Assertions.parse("body matches /a.*a.*a.*b/");
    expect(Assertions.firstFailure([slow], { ...response, body: "a".repeat(40_000) })).toBe("assertion 1 failed: body matches /a.*a.*a.*b/ (the regex took longer than 50 ms)");
  });

  it("a JSON path on a body that is not JSON fails saying so", () => {
    expect(Assertions.firstFailure([Assertions.parse("$.a exists")], { ...response, body: "<html>" })).toBe("assertion 1 failed: $.a exists (the body is not JSON)");
  });

  it("an inherited property is not a JSON member", () => {
    expect(failure("$.constructor exists")).toMatch(/failed/);
  });

  it("needsBody only for JSON paths and body assertions", () => {
    expect(Assertions.needsBody(["responseTime < 5", "header.a exists"].map(Assertions.parse))).toBe(false);
    expect(Assertions.needsBody(["status == 200", "$.a exists"].map(Assertions.parse))).toBe(true);
  });
});
