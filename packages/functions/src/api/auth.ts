import { createRoute, z } from "@hono/zod-openapi";
import { handle } from "hono/aws-lambda";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { Context } from "hono";
import { config } from "@uptime/core/platform/config";
import { VisibleError } from "@uptime/core/platform/errors";
import { Session, type Tokens } from "@uptime/core/accounts/session";
import { User } from "@uptime/core/accounts/user";
import { UserCredentials } from "@uptime/core/accounts/credentials";
import { Account } from "@uptime/core/accounts/account";
import { PasswordReset } from "@uptime/core/accounts/password-reset";
import { bearer, createApi, described, errorResponses, json, named, type Env } from "./http";
import { clientAddress } from "./client-address";
import { bearerToken, requireUser } from "./require-user";

const REFRESH_COOKIE = "refresh_token";
const COOKIE_PATH = "/v1/auth";
/** The signed "known device" cookie (see LoginThrottle): sent only to the login route. */
const DEVICE_COOKIE = "login_device";
const DEVICE_COOKIE_PATH = "/v1/auth/login";

const UserView = named(User.Info, "User", { id: "5b1c…", email: "ada@example.com", name: "Ada", createdAt: "2026-11-25T10:00:00.000Z" });
const TokenView = z
  .object({
    accessToken: z.string(),
    tokenType: z.literal("Bearer"),
    expiresIn: z.number().openapi({ example: 900 }),
    refreshToken: z.string(),
    refreshExpiresIn: z.number(),
  })
  .openapi("Tokens");
const RefreshBody = z.object({ refreshToken: z.string().max(512).optional() }).optional();


function withRefreshCookie(c: Context, tokens: Tokens) {
  setCookie(c, REFRESH_COOKIE, tokens.refreshToken, {
    httpOnly: true,
    secure: config().COOKIE_SECURE,
    sameSite: "Strict",
    path: COOKIE_PATH,
    maxAge: tokens.refreshExpiresIn,
  });
  return tokens;
}

function withDeviceCookie(c: Context, value: string) {
  setCookie(c, DEVICE_COOKIE, value, {
    httpOnly: true,
    secure: config().COOKIE_SECURE,
    sameSite: "Strict",
    path: DEVICE_COOKIE_PATH,
    maxAge: config().LOGIN_DEVICE_TTL_DAYS * 86400,
  });
}

async function refreshTokenFrom(c: Context): Promise<string | undefined> {
  const cookie = getCookie(c, REFRESH_COOKIE);
  if (cookie) return cookie;
  const text = await c.req.text();
  if (!text) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new VisibleError("invalid", "invalid_json", "Request body is not valid JSON");
  }
  const parsed = RefreshBody.safeParse(body);
  if (!parsed.success) throw parsed.error;
  return parsed.data?.refreshToken;
}

export const app = createApi()
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/register",
      tags: ["auth"],
      summary: "Create an account",
      request: { body: { required: true, ...json(described(UserCredentials.RegisterInput, { example: { email: "ada@example.com", password: "correct horse battery", name: "Ada" } })) } },
      responses: { 201: { description: "Account created", ...json(UserView) }, ...errorResponses(400, 409, 413, 415) },
    }),
    async (c) => c.json(await UserCredentials.register(c.req.valid("json")), 201),
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/login",
      tags: ["auth"],
      summary: "Log in; sets the refresh cookie and a known-device cookie and returns an access token",
      request: { body: { required: true, ...json(described(UserCredentials.Credentials, { example: { email: "ada@example.com", password: "correct horse battery" } })) } },
      responses: { 200: { description: "Logged in", ...json(TokenView) }, ...errorResponses(400, 401, 415, 429) },
    }),
    async (c) => {
      const { user, deviceToken } = await UserCredentials.authenticate(c.req.valid("json"), {
        clientIp: clientAddress(c),
        deviceToken: getCookie(c, DEVICE_COOKIE),
      });
      const tokens = withRefreshCookie(c, await Session.start(user.id));
      withDeviceCookie(c, deviceToken);
      return c.json(tokens, 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/refresh",
      tags: ["auth"],
      summary: "Exchange a refresh token (cookie or body) for new tokens; rotates the refresh token",
      request: { body: { required: false, ...json(RefreshBody.unwrap()) } },
      responses: { 200: { description: "New tokens", ...json(TokenView) }, ...errorResponses(400, 401) },
    }),
    async (c) => {
      const token = await refreshTokenFrom(c);
      if (!token) throw new VisibleError("unauthorized", "missing_refresh_token", "Send the refresh token as the cookie or in the body");
      return c.json(withRefreshCookie(c, await Session.refresh(token)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/v1/auth/logout",
      tags: ["auth"],
      summary: "Revoke the session of the refresh token (cookie or body) or of the bearer token",
      request: { body: { required: false, ...json(RefreshBody.unwrap()) } },
      responses: { 204: { description: "Logged out" }, ...errorResponses(400) },
    }),
    async (c) => {
      const token = await refreshTokenFrom(c);
      if (token) await Session.revokeByRefreshToken(token);
      const accessToken = bearerToken(c.req.header("authorization"));
      if (accessToken) {
        const actor = await Session.verifyAccessToken(accessToken).catch(() => undefined);
        if (actor) await Session.revoke(actor.sessionId);
      }
      deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH });
      return c.body(null, 204);
    },
  );

app.use("/v1/me", requireUser);
app.openapi(
  createRoute({
    method: "get",
    path: "/v1/me",
    tags: ["auth"],
    summary: "The current user",
    security: bearer,
    responses: { 200: { description: "The current user", ...json(UserView) }, ...errorResponses(401) },
  }),
  async (c) => {
    const user = await User.get(c.get("actor").userId);
    if (!user) throw new VisibleError("unauthorized", "invalid_token", "The account for this token no longer exists");
    return c.json(user, 200);
  },
);

app.openapi(
  createRoute({
    method: "delete",
    path: "/v1/me",
    tags: ["auth"],
    summary: "Delete your account (password required)",
    description:
      "Deletes the user, frees the email address and ends every session. The personal organisation's monitors are deleted (so they are no longer checked) and its API keys revoked; you leave every other organisation. Refused with 409 `sole_owner` (details name the `orgIds`) while you are the only owner of a team organisation. API keys cannot use this route (401 `api_key_not_allowed`).",
    security: bearer,
    request: { body: { required: true, ...json(Account.DeleteInput) } },
    responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 409, 415, 429) },
  }),
  async (c) => {
    await Account.remove(c.get("actor"), c.req.valid("json"));
    deleteCookie(c, REFRESH_COOKIE, { path: COOKIE_PATH });
    return c.body(null, 204);
  },
);

app.use("/v1/auth/password", requireUser);
app.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password",
    tags: ["auth"],
    summary: "Change your password; ends every other session (this one stays signed in)",
    description: "A wrong `currentPassword` is 400 `wrong_password`, and counts against the account's login budget (429 past it).",
    security: bearer,
    request: { body: { required: true, ...json(described(Account.ChangePasswordInput, { example: { currentPassword: "correct horse battery", newPassword: "staple battery horse" } })) } },
    responses: { 204: { description: "Changed" }, ...errorResponses(400, 401, 415, 429) },
  }),
  async (c) => {
    await Account.changePassword(c.get("actor"), c.req.valid("json"));
    return c.body(null, 204);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password-reset",
    tags: ["auth"],
    summary: "Ask for a password reset link by email",
    description: "Always 202, whether or not the address has an account. The link (to `/reset-password?token=…` on the app) works once, for an hour. Limited per address and per client (429).",
    request: { body: { required: true, ...json(described(PasswordReset.RequestInput, { example: { email: "ada@example.com" } })) } },
    responses: { 202: { description: "If the address has an account, a link is on its way", ...json(z.object({ message: z.string() })) }, ...errorResponses(400, 415, 429) },
  }),
  async (c) => {
    await PasswordReset.request(c.req.valid("json"), clientAddress(c));
    return c.json({ message: "If an account exists for this address, a reset link is on its way" }, 202);
  },
);

app.openapi(
  createRoute({
    method: "post",
    path: "/v1/auth/password-reset/confirm",
    tags: ["auth"],
    summary: "Set a new password with a mailed reset token; ends every session",
    description: "400 `reset_token_invalid` for an unknown or used token, 400 `reset_token_expired` after an hour. A password the rules refuse leaves the token usable.",
    request: { body: { required: true, ...json(PasswordReset.ConfirmInput) } },
    responses: { 204: { description: "Password set" }, ...errorResponses(400, 415) },
  }),
  async (c) => {
    await PasswordReset.confirm(c.req.valid("json"));
    return c.body(null, 204);
  },
);

export const handler = handle(app);
export type { Env };
