import type { MiddlewareHandler } from "hono";
import { z } from "@hono/zod-openapi";
import { VisibleError } from "@uptime/core/platform/errors";
import { Session } from "@uptime/core/accounts/session";
import type { OrgAccess } from "@uptime/core/orgs/access";
import { resolveUserAccess } from "@uptime/core/orgs/resolve-access";
import { roleCan, scopeCan, type Permission } from "@uptime/core/orgs/roles";
import type { Env } from "./http";
import { bearerToken } from "./require-user";

/** The header that picks the organisation a signed-in user acts in; absent = their personal organisation. */
export const ORG_HEADER = "x-org-id";
const OrgId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);

/** Bearer tokens of API keys start with this; anything else is a session's access token. */
export const API_KEY_PREFIX = "upk_";

/**
 * API KEYS GO HERE: the API keys work replaces this with `ApiKey.authenticate(token)`, which
 * returns the key's OrgAccess (its own organisation, its scope) or throws 401.
 */
async function apiKeyAccess(_token: string): Promise<OrgAccess> {
  throw new VisibleError("unauthorized", "invalid_api_key", "This API key is not valid");
}

/**
 * Authenticates the caller, resolves the organisation the request acts in and refuses unless the
 * caller's role (or API key scope) grants `permission`. Routes then read `c.get("org")`.
 * A user costs one read (their membership) per request; an org they are not in is a 404.
 */
export const requireOrg =
  (permission: Permission): MiddlewareHandler<Env> =>
  async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new VisibleError("unauthorized", "missing_token", "Send an access token as 'Authorization: Bearer <token>'");
    const header = c.req.header(ORG_HEADER);
    let access: OrgAccess;
    if (token.startsWith(API_KEY_PREFIX)) {
      access = await apiKeyAccess(token);
      // A key always acts in its own organisation; naming another one finds nothing.
      if (header !== undefined && header !== access.orgId) throw orgNotFound();
    } else {
      const actor = await Session.verifyAccessToken(token);
      c.set("actor", actor);
      if (header !== undefined && !OrgId.safeParse(header).success) {
        throw new VisibleError("invalid", "invalid_org_id", `The ${ORG_HEADER} header is not an organisation id`);
      }
      access = await resolveUserAccess(actor.userId, actor.sessionId, header ?? actor.userId);
    }
    const allowed = access.by.kind === "user" ? roleCan(access.by.role, permission) : scopeCan(access.by.scope, permission);
    if (!allowed) {
      const who = access.by.kind === "user" ? `Your role (${access.by.role})` : `This key's scope (${access.by.scope})`;
      throw new VisibleError("forbidden", "forbidden", `${who} lacks the permission ${permission}`, { permission });
    }
    c.set("org", access);
    await next();
  };

const orgNotFound = () => new VisibleError("not_found", "org_not_found", "No such organisation");

/**
 * Spread into `createRoute({...})` of every organisation-scoped route: the middleware enforces the
 * permission, and `x-permission` puts it in the OpenAPI document, where the role-matrix test and
 * the README's table read it. The X-Org-Id header is added to these operations by openapi.ts.
 */
export const orgScoped = (permission: Permission) => ({
  middleware: [requireOrg(permission)],
  security: [{ bearerAuth: [] }],
  "x-permission": permission,
});
