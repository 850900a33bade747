import { describe, expect, it } from "vitest";
import { LoginThrottle } from "./login-throttle";
import { UserCredentials } from "./credentials";

const issuesOf = (input: unknown) => {
  const r = UserCredentials.RegisterInput.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("registration password rules", () => {
  it("counts the 72-byte bcrypt limit in UTF-8 bytes, not characters", () => {
    expect(issuesOf({ email: "ada@example.com", password: "€".repeat(24) })).toEqual([]); // 72 bytes
    expect(issuesOf({ email: "ada@example.com", password: "€".repeat(25) })).toEqual([expect.stringMatching(/^password: .*72 bytes/)]);
  });

  it("refuses common passwords case-insensitively and keeps uncommon ones", () => {
    expect(UserCredentials.isCommonPassword("PASSWORD1")).toBe(true);
    expect(UserCredentials.isCommonPassword("correct horse battery")).toBe(false);
    expect(issuesOf({ email: "ada@example.com", password: "Sunshine" })).toEqual([expect.stringMatching(/^password: .*common/)]);
  });

  it("refuses the email or its local part, after the email is normalised", () => {
    expect(issuesOf({ email: " Lovelace.Ada@Example.com", password: "lovelace.ada@example.com" })).toEqual([expect.stringMatching(/^password: .*email/)]);
    expect(issuesOf({ email: "lovelace.ada@example.com", password: "Lovelace.Ada" })).toHaveLength(1);
    expect(issuesOf({ email: "lovelace.ada@example.com", password: "lovelace.ada!" })).toEqual([]);
  });

  it("leaves login input as it was", () => {
    expect(UserCredentials.Credentials.safeParse({ email: "ada@example.com", password: "x".repeat(100) }).success).toBe(true);
  });
});

describe("client budget key", () => {
  it("is the IPv4 address itself", () => {
    expect(LoginThrottle.clientBudget("203.0.113.7")).toBe("client:203.0.113.7");
  });

  it("is the /64 of an IPv6 address, however it is written", () => {
    const key = LoginThrottle.clientKey("2001:db8:0:1::42");
    expect(key).toBe("2001:db8:0:1::/64");
    expect(LoginThrottle.clientKey("2001:0db8:0000:0001:ffff:0:0:1")).toBe(key);
    expect(LoginThrottle.clientKey("2001:db8:0:2::42")).not.toBe(key);
    expect(LoginThrottle.clientKey("::1")).toBe("0:0:0:0::/64");
  });
});
