import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { KEY_SCOPES, PERMISSIONS, ROLES, permissionTable, rank, roleCan } from "./roles";

it("docs/organisations.md's permission table is the one printed from PERMISSIONS (npm run permissions)", () => {
  const doc = readFileSync(new URL("../../../../docs/organisations.md", import.meta.url), "utf8");
  const copy = /<!-- permissions:start -->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(doc)?.[1];
  expect(copy).toBe(permissionTable());
});

it("gives every role at least what the roles below it have, and owners everything", () => {
  for (const p of Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]) {
    expect(roleCan("owner", p)).toBe(true);
    for (const r of ROLES) if (roleCan(r, p)) for (const higher of ROLES.filter((h) => rank(h) > rank(r))) expect(roleCan(higher, p)).toBe(true);
  }
  expect(roleCan("viewer", "monitors.write")).toBe(false);
  expect(roleCan("admin", "org.delete")).toBe(false);
});

it("never lets an API key manage people, keys or the organisation", () => {
  for (const scope of Object.values(KEY_SCOPES)) {
    for (const p of ["members.manage", "invitations.manage", "apiKeys.manage", "org.update", "org.delete", "audit.read"]) expect(scope).not.toContain(p);
  }
});
