import { useEffect, useState } from "preact/hooks";

/*
 * Which organisation the app acts in and what the caller may do there. The names mirror
 * packages/core/src/orgs/roles.ts (the app may not import core); the API sends the caller's
 * permissions with the organisation, so the app never decides a role's rights itself, and the API
 * refuses whatever a hidden button would have done anyway.
 */

export const PERMISSIONS = [
  "org.read", "org.update", "org.delete", "members.read", "members.manage", "invitations.manage", "apiKeys.manage",
  "audit.read", "monitors.read", "monitors.write", "statusPages.read", "statusPages.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Role = "owner" | "admin" | "member" | "viewer";

/** What `GET /v1/org` answers for the organisation picked by X-Org-Id. */
export interface OrgInfo {
  orgId: string;
  name: string;
  role: Role;
  permissions: string[];
}

export interface Session {
  /** null: no X-Org-Id header, so the API uses the caller's personal organisation. */
  orgId: string | null;
  orgName: string | null;
  role: Role;
  permissions: ReadonlySet<string>;
}

// Until the API says otherwise the caller is in their personal organisation, which they own.
const personal: Session = { orgId: null, orgName: null, role: "owner", permissions: new Set(PERMISSIONS) };
let current = personal;
const listeners = new Set<(s: Session) => void>();

export const session = () => current;

function set(next: Session) {
  current = next;
  for (const fn of listeners) fn(next);
}

export function useSession() {
  const [s, setS] = useState(current);
  useEffect(() => {
    listeners.add(setS);
    setS(current);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

export const can = (permission: Permission, s: Session = current) => s.permissions.has(permission);

/** Picks the organisation later requests act in (the role arrives with `applyOrg`). */
export function chooseOrg(orgId: string | null) {
  set({ ...current, orgId });
}

export function applyOrg(info: OrgInfo) {
  set({ orgId: info.orgId, orgName: info.name, role: info.role, permissions: new Set(info.permissions) });
}

export function resetSession() {
  set(personal);
}
