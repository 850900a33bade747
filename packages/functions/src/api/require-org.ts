import type { MiddlewareHandler } from "hono";
import { z } from "@hono/zod-openapi";
import { VisibleError } from "@uptime/core/platform/errors";
import { Session } from "@uptime/core/accounts/session";
import type { OrgAccess } from "@uptime/core/orgs/access";
import { ApiKey } from "@uptime/core/orgs/api-key";
import { resolveUserAccess } from "@uptime/core/orgs/resolve-access";
import { roleCan, scopeCan, type Permission } from "@uptime/core/orgs/roles";
import type { Env } from "./http";
import { bearerToken } from "./require-user";

/** The header that picks the organisation a signed-in user acts in; absent = their personal organisation. */
export const ORG_HEADER = "x-org-id";
const OrgId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);

/**
 * Authenticates the caller, resolves the organisation the request acts in and refuses unless the
 * caller's role (or API key scope) grants `permission`. Routes then read `c.get("org")`.
 * A user costs one read (their membership) per request; an org they are not in is a 404.
 */
/** Whether the caller's role (or API key scope) grants `permission`. */
export const accessCan = (access: OrgAccess, permission: Permission) =>
  access.by.kind === "user" ? roleCan(access.by.role, permission) : scopeCan(access.by.scope, permission);

export const requireOrg =
  (permission: Permission): MiddlewareHandler<Env> =>
  async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw new VisibleError("unauthorized", "missing_token", "Send an access token as 'Authorization: Bearer <token>'");
    const header = c.req.header(ORG_HEADER);
    let access: OrgAccess;
    if (token.startsWith(ApiKey.PREFIX)) {
      // A key always acts in its own organisation; naming another one finds nothing (404).
      access = await ApiKey.authenticate(token, header);
    } else {
      const actor = await Session.verifyAccessToken(token);
      c.set("actor", actor);
      if (header !== undefined && !OrgId.safeParse(header).success) {
        throw new VisibleError("invalid", "invalid_org_id", `The ${ORG_HEADER} header is not an organisation id`);
      }
      access = await resolveUserAccess(actor.userId, actor.sessionId, header ?? actor.userId);
    }
    if (!accessCan(access, permission)) {
      const who = access.by.kind === "user" ? `Your role (${access.by.role})` : `This key's scope (${access.by.scope})`;
      throw new VisibleError("forbidden", "forbidden", `${who} lacks the permission ${permission}`, { permission });
    }
    c.set("org", access);
    await next();
  };

/**
 * Spread into `createRoute({...})` of every organisation-scoped route: the middleware enforces the
 * permission, and `x-permission` puts it in the OpenAPI document, where the role-matrix test and
 * docs/organisations.md's table read it. The X-Org-Id header is added to these operations by openapi.ts.
 */
export const orgScoped = (permission: Permission) => ({
  middleware: [requireOrg(permission)],
  security: [{ bearerAuth: [] }],
  "x-permission": permission,
});
