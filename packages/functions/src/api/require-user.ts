import type { MiddlewareHandler } from "hono";
import { VisibleError } from "@uptime/core/errors";
import { Session } from "@uptime/core/session";
import type { Env } from "./http";

/** Establishes the actor from the bearer token; routes behind it call `c.get("actor")`. */
export const requireUser: MiddlewareHandler<Env> = async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match) throw new VisibleError("unauthorized", "missing_token", "Send an access token as 'Authorization: Bearer <token>'");
  c.set("actor", await Session.verifyAccessToken(match[1]!.trim()));
  await next();
};
