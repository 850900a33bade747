export * as Roles from "./roles";

/**
 * Who may do what in an organisation: written once here; every route names one permission
 * (functions/src/api/require-org.ts), and the permission table in docs/organisations.md is printed from this file.
 */
export const ROLES = ["owner", "admin", "member", "viewer"] as const;
export type Role = (typeof ROLES)[number];

const everyone: readonly Role[] = ROLES;
const editors: readonly Role[] = ["owner", "admin", "member"];
const admins: readonly Role[] = ["owner", "admin"];
const owners: readonly Role[] = ["owner"];

export const PERMISSIONS = {
  "org.read": { roles: everyone, describe: "see the organisation and its settings" },
  "org.update": { roles: admins, describe: "rename the organisation, change its settings" },
  "org.delete": { roles: owners, describe: "delete the organisation, grant or transfer ownership" },
  "members.read": { roles: everyone, describe: "list members and their roles" },
  "members.manage": { roles: admins, describe: "change roles (not to or from owner) and remove members" },
  "invitations.manage": { roles: admins, describe: "invite by email, list and revoke pending invitations" },
  "apiKeys.manage": { roles: admins, describe: "create, list and revoke API keys" },
  "audit.read": { roles: admins, describe: "read the audit log" },
  "monitors.read": { roles: everyone, describe: "read monitors, results, incidents, dashboards, alert recipients" },
  "monitors.write": { roles: editors, describe: "create, change, delete, pause and check monitors" },
  "channels.read": { roles: everyone, describe: "list alert channels (secrets masked) and their delivery logs" },
  "channels.write": { roles: editors, describe: "create, change, delete and test alert channels" },
  "statusPages.read": { roles: everyone, describe: "read status pages, components, posted incidents, maintenance, subscriber counts" },
  "statusPages.write": { roles: editors, describe: "manage status pages; post incidents and maintenance" },
} as const satisfies Record<string, { roles: readonly Role[]; describe: string }>;
export type Permission = keyof typeof PERMISSIONS;

/**
 * What an API key may do. Keys never manage people, keys or the organisation itself, so a
 * leaked key cannot mint more keys or lock the team out.
 */
export const KEY_SCOPES = {
  read: ["org.read", "members.read", "monitors.read", "channels.read", "statusPages.read"],
  write: ["org.read", "members.read", "monitors.read", "monitors.write", "channels.read", "channels.write", "statusPages.read", "statusPages.write"],
} as const satisfies Record<string, readonly Permission[]>;
export type KeyScope = keyof typeof KEY_SCOPES;

export const roleCan = (role: Role, permission: Permission) => (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
export const scopeCan = (scope: KeyScope, permission: Permission) => (KEY_SCOPES[scope] as readonly Permission[]).includes(permission);

/** Owners outrank admins outrank members outrank viewers; used for "may not grant more than you have". */
export const rank = (role: Role) => ROLES.length - ROLES.indexOf(role);

/** The permission table of docs/organisations.md, printed from PERMISSIONS (`npm run permissions`; a test keeps the page equal to it). */
export function permissionTable(): string {
  const head = `| Permission | ${ROLES.join(" | ")} | API key scopes | What it allows |`;
  const rule = `|---|${ROLES.map(() => ":-:|").join("")}---|---|`;
  const rows = (Object.keys(PERMISSIONS) as Permission[]).map((p) => {
    const scopes = (Object.keys(KEY_SCOPES) as KeyScope[]).filter((s) => scopeCan(s, p));
    return `| \`${p}\` | ${ROLES.map((r) => (roleCan(r, p) ? "✓" : "")).join(" | ")} | ${scopes.join(", ") || "none"} | ${PERMISSIONS[p].describe} |`;
  });
  return [head, rule, ...rows].join("\n");
}
