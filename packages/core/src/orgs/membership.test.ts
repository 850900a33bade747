import { expect, it } from "vitest";
import { ROLES, type Role } from "./roles";
import { refusal } from "./membership";

it("lets admins move members between admin, member and viewer, and only owners touch ownership", () => {
  const allowed: string[] = [];
  for (const by of ROLES) for (const from of ROLES) for (const to of ROLES) if (!refusal(by, from, to)) allowed.push(`${by}: ${from}→${to}`);
  const admins = ["admin", "member", "viewer"] as Role[];
  expect(allowed.sort()).toEqual(
    [...ROLES.flatMap((from) => ROLES.map((to) => `owner: ${from}→${to}`)), ...admins.flatMap((from) => admins.map((to) => `admin: ${from}→${to}`))].sort(),
  );
});

it("lets only owners remove owners, and nobody below admin remove anyone", () => {
  expect(refusal("owner", "owner")).toBeUndefined();
  expect(refusal("admin", "owner")).toBe("forbidden");
  expect(refusal("admin", "viewer")).toBeUndefined();
  expect(refusal("member", "viewer")).toBe("forbidden");
});
