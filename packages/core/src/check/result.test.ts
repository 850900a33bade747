import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { CheckResult, CheckResultEntity } from "./result";

const plain = (a: AttributeValue): unknown =>
  a.S !== undefined ? a.S : a.N !== undefined ? Number(a.N) : a.BOOL !== undefined ? a.BOOL : Object.fromEntries(Object.entries(a.M!).map(([k, v]) => [k, plain(v)]));

describe("CheckResult.putInput", () => {
  const results = [
    { monitorId: "mon_7QkZ", at: 1_700_000_000_000, ok: true, latencyMs: 12, kind: "scheduled" as const, checkedAt: 1_700_000_000_140, expiresAt: 1_702_592_000 },
    {
      monitorId: "MiXeD-Case_id",
      at: 1_700_000_060_123,
      ok: false,
      reason: "status_mismatch",
      message: "expected 200-399, got 503",
      httpStatus: 503,
      latencyMs: 210,
      certDaysLeft: 40,
      phases: { dns: 1, connect: 2, tls: 30, firstByte: 170, download: 7 },
      kind: "retry" as const,
      inMaintenance: true,
      checkedAt: 1_700_000_060_400,
      expiresAt: 1_702_592_060,
    },
  ];
  it.each(results)("writes exactly the item and condition ElectroDB's create would ($monitorId)", (r) => {
    const mine = CheckResult.putInput(r);
    const electro = CheckResultEntity.create(r).params() as Record<string, any>;
    expect(Object.fromEntries(Object.entries(mine.Item!).map(([k, v]) => [k, plain(v)]))).toEqual(electro.Item);
    expect(mine.TableName).toBe(electro.TableName);
    expect(mine.ConditionExpression).toBe(electro.ConditionExpression);
    expect(mine.ExpressionAttributeNames).toEqual(electro.ExpressionAttributeNames);
  });
});
