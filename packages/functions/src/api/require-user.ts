import type { MiddlewareHandler } from "hono";
import { VisibleError } from "@uptime/core/platform/errors";
import { Session } from "@uptime/core/accounts/session";
import type { Env } from "./http";

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export const bearerToken = (header: string | undefined) => /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim();

/** Establishes the actor from the bearer token; routes behind it call `c.get("actor")`. */
export const requireUser: MiddlewareHandler<Env> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (!token) throw new VisibleError("unauthorized", "missing_token", "Send an access token as 'Authorization: Bearer <token>'");
  // A key acts for an organisation, not for a person: account routes need someone's login.
  if (token.startsWith("upk_")) {
    throw new VisibleError("unauthorized", "api_key_not_allowed", "API keys act for an organisation, not a person; this route needs a user's access token");
  }
  c.set("actor", await Session.verifyAccessToken(token));
  await next();
};
