import { useEffect, useState } from "preact/hooks";
import type { components } from "./api/schema";

/*
 * Which organisation the app acts in and what the caller may do there. The names mirror
 * packages/core/src/orgs/roles.ts (the app may not import core); the API sends the caller's
 * permissions with the organisation, so the app never decides a role's rights itself, and the API
 * refuses whatever a hidden button would have done anyway.
 */

export const PERMISSIONS = [
  "org.read", "org.update", "org.delete", "members.read", "members.manage", "invitations.manage", "apiKeys.manage",
  "audit.read", "monitors.read", "monitors.write", "statusPages.read", "statusPages.write", "channels.read", "channels.write",
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export type Role = "owner" | "admin" | "member" | "viewer";

/** What `GET /v1/org` answers for the organisation picked by X-Org-Id. */
export type OrgInfo = components["schemas"]["CurrentOrganisation"];

export interface Session {
  /** null: no X-Org-Id header, so the API uses the caller's personal organisation. */
  orgId: string | null;
  orgName: string | null;
  personal: boolean;
  role: Role;
  permissions: ReadonlySet<string>;
}

// An organisation id is not a secret; remembering it keeps the choice across reloads.
const ORG_KEY = "uptime.org";
// When this browser last acted in the remembered organisation: one joined since then opens instead.
const USED_KEY = "uptime.org.usedAt";
const remembered = () => {
  try {
    return localStorage.getItem(ORG_KEY);
  } catch {
    return null;
  }
};
function remember(orgId: string | null) {
  try {
    if (orgId) localStorage.setItem(ORG_KEY, orgId);
    else localStorage.removeItem(ORG_KEY);
    localStorage.setItem(USED_KEY, String(Date.now()));
  } catch {
    // Storage may be disabled: the choice then lasts until the next reload.
  }
}

/** When this browser last acted in an organisation (0: never, e.g. a new device). */
export const lastUsedAt = () => {
  try {
    return Number(localStorage.getItem(USED_KEY) ?? 0) || 0;
  } catch {
    return 0;
  }
};

// An alert mail's link names the monitor's organisation (`?org=`): it wins over the remembered choice.
const linked = new URLSearchParams(location.search).get("org");
if (linked) remember(linked);

// Until the API says otherwise the caller is in their personal organisation, which they own.
// Another organisation grants nothing until `GET /v1/org` says what the caller may do there.
const personal = (): Session => {
  const orgId = remembered();
  return orgId
    ? { orgId, orgName: null, personal: false, role: "viewer", permissions: new Set() }
    : { orgId, orgName: null, personal: true, role: "owner", permissions: new Set(PERMISSIONS) };
};
let current = personal();
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

/** Picks the organisation later requests act in (null: the personal one); the role arrives with `applyOrg`. */
export function chooseOrg(orgId: string | null) {
  remember(orgId);
  set({ orgId, orgName: null, personal: orgId === null, role: "viewer", permissions: new Set() });
}

export function applyOrg(info: OrgInfo) {
  // The personal organisation needs no header: its id is the user's.
  const orgId = info.personal ? null : info.id;
  remember(orgId);
  set({ orgId, orgName: info.name, personal: info.personal, role: info.role, permissions: new Set(info.permissions) });
}

export function resetSession() {
  set(personal());
}
