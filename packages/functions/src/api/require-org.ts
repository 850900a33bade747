import type { MiddlewareHandler } from "hono";
import { VisibleError } from "@uptime/core/platform/errors";
import { Session } from "@uptime/core/accounts/session";
import { ApiKey } from "@uptime/core/orgs/api-key";
import { roleCan, scopeCan, type Permission } from "@uptime/core/orgs/roles";
import type { Env } from "./http";
import { bearerToken } from "./require-user";

/** The header that picks the organisation a signed-in user acts in; absent = their personal organisation. */
export const ORG_HEADER = "x-org-id";

/**
 * Authenticates the caller, resolves the organisation the request acts in and refuses unless the
 * caller's role (or API key scope) grants `permission`. Routes then read `c.get("org")`.
 * STUB (contract only): personal organisation only, until organisations land.
 */
export const requireOrg =
  (permission: Permission): MiddlewareHandler<Env> =>
  async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new VisibleError("unauthorized", "missing_token", "Send an access token as 'Authorization: Bearer <token>'");
    if (token.startsWith(ApiKey.PREFIX)) {
      c.set("org", await apiKeyAccess(token, c.req.header(ORG_HEADER), permission));
      return next();
    }
    const actor = await Session.verifyAccessToken(token);
    c.set("actor", actor);
    const orgId = c.req.header(ORG_HEADER) ?? actor.userId;
    if (orgId !== actor.userId) throw new VisibleError("not_found", "org_not_found", "No such organisation");
    const role = "owner" as const;
    if (!roleCan(role, permission)) throw new VisibleError("forbidden", "forbidden", `Your role (${role}) may not ${permission}`);
    c.set("org", { orgId, by: { kind: "user", userId: actor.userId, sessionId: actor.sessionId, role } });
    await next();
  };

// ---- API keys (the keys work owns this block) ----

/** An API key acts in its own organisation with its scope; the scope decides instead of a role. */
async function apiKeyAccess(token: string, requestedOrgId: string | undefined, permission: Permission) {
  const access = await ApiKey.authenticate(token, requestedOrgId);
  if (access.by.kind === "apiKey" && !scopeCan(access.by.scope, permission)) {
    throw new VisibleError("forbidden", "forbidden", `This API key's scope (${access.by.scope}) may not ${permission}`);
  }
  return access;
}

// ---- end of API keys ----

/**
 * Spread into `createRoute({...})` of every organisation-scoped route: the middleware enforces the
 * permission, and `x-permission` puts it in the OpenAPI document, where the role-matrix test and
 * the README's table read it.
 */
export const orgScoped = (permission: Permission) => ({
  middleware: [requireOrg(permission)],
  security: [{ bearerAuth: [] }],
  "x-permission": permission,
});
