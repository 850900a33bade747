import { describe, expect, it } from "vitest";
import { Claim } from "./claim";

const conditionFailed = () => Object.assign(new Error("The conditional request failed"), { name: "ConditionalCheckFailedException" });

describe("Claim.create", () => {
  it("is ours when the write succeeds", async () => {
    expect(await Claim.create(async () => {}, async () => undefined)).toBe(true);
  });

  it("is still ours when a retried write fails its condition on the item our first attempt wrote", async () => {
    let stored: string | undefined;
    const write = async (token: string) => {
      if (stored) throw conditionFailed(); // the SDK's retry after a lost response
      stored = token;
      throw conditionFailed(); // first attempt applied; what the caller sees is the retry's answer
    };
    expect(await Claim.create(write, async () => stored)).toBe(true);
  });

  it("is someone else's when the item carries another call's token, or none", async () => {
    expect(await Claim.create(async () => Promise.reject(conditionFailed()), async () => "another-call")).toBe(false);
    expect(await Claim.create(async () => Promise.reject(conditionFailed()), async () => undefined)).toBe(false);
  });

  it("passes on any other error", async () => {
    await expect(Claim.create(async () => Promise.reject(new Error("ThrottlingException")), async () => undefined)).rejects.toThrow("Throttling");
  });
});

describe("Claim.createFresh", () => {
  it("takes a failed condition on a fresh key as its own lost-response retry", async () => {
    await expect(Claim.createFresh(async () => Promise.reject(conditionFailed()))).resolves.toBeUndefined();
  });

  it("passes on any other error", async () => {
    await expect(Claim.createFresh(async () => Promise.reject(new Error("ThrottlingException")))).rejects.toThrow("Throttling");
  });
});
