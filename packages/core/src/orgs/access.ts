import type { KeyScope, Role } from "./roles";

/**
 * The organisation a request acts in and who is acting. A signed-in user acts with their
 * membership's role; an API key acts in its own organisation with its scope.
 */
export type OrgAccess = {
  orgId: string;
  by:
    | { kind: "user"; userId: string; email: string; sessionId: string; role: Role }
    | { kind: "apiKey"; keyId: string; name: string; scope: KeyScope; createdBy: string };
};

/** For audit entries and default alert recipients: the user behind an action (a key's creator for keys). */
export const actingUserId = (a: OrgAccess) => (a.by.kind === "user" ? a.by.userId : a.by.createdBy);

