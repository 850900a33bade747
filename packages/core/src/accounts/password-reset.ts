export * as PasswordReset from "./password-reset";

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { Entity } from "electrodb";
import { z } from "zod";
import { sqs } from "../platform/aws";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { escapeHtml } from "../platform/html";
import { Mail } from "../platform/mail";
import { RateLimit } from "../platform/rate-limit";
import { lazyEntity, entityOptions } from "../platform/table";
import { HOUR } from "../platform/time";
import { parseNewPassword, setPassword } from "./credentials";
import { LoginThrottle } from "./login-throttle";
import { Session } from "./session";
import { EmailClaimEntity, Email, UserEntity } from "./user";

/**
 * A user's one pending reset: a newer request replaces it (and so voids its link). The alert
 * function claims the request (`mailedFor`) before mailing, so a redelivered message never sends
 * twice; the token exists only in that mail and here as its SHA-256, and is deleted when used.
 */
export const PasswordResetEntity = lazyEntity(() =>
  new Entity(
    {
      model: { entity: "passwordReset", version: "1", service: "uptime" },
      attributes: {
        userId: { type: "string", required: true },
        requestedAt: { type: "number", required: true },
        mailedFor: { type: "number" },
        tokenHash: { type: "string" },
        validUntil: { type: "number" },
        expiresAt: { type: "number", required: true },
      },
      indexes: {
        // the pending reset of one user
        byUser: { pk: { field: "pk", composite: ["userId"] }, sk: { field: "sk", composite: [] } },
      },
    },
    entityOptions(),
  ),
);

/** Sent through the alerts queue: only the alert function may send mail. */
export const Requested = z.object({ type: z.literal("password.reset"), userId: z.string(), requestedAt: z.number() });
export type Requested = z.infer<typeof Requested>;

export const RequestInput = z.object({ email: Email });
export const ConfirmInput = z.object({ token: z.string().min(1).max(200), password: z.string().max(1024) });

const hashOf = (secret: string) => createHash("sha256").update(secret).digest("base64url");
const ttlMs = () => config().PASSWORD_RESET_TTL_MIN * 60_000;

function tooMany(retryAfterSec: number) {
  return new VisibleError("rate_limited", "too_many_reset_requests", `Too many password reset requests; try again in ${retryAfterSec} seconds`, undefined, retryAfterSec);
}

/**
 * Asks for a reset mail. Answers the same whether or not the address has an account; the budgets
 * (per address, per client) are charged before the account is looked up, so a 429 tells nothing either.
 */
export async function request(input: z.infer<typeof RequestInput>, clientIp: string | undefined, now = Date.now()) {
  const { email } = RequestInput.parse(input);
  const c = config();
  if (clientIp) {
    const client = await RateLimit.take(`password-reset-client:${LoginThrottle.clientKey(clientIp)}`, c.PASSWORD_RESET_CLIENT_PER_HOUR, HOUR, now);
    if (!client.ok) throw tooMany(client.retryAfterSec);
  }
  const forEmail = await RateLimit.take(`password-reset:${email}`, c.PASSWORD_RESETS_PER_HOUR, HOUR, now);
  if (!forEmail.ok) throw tooMany(forEmail.retryAfterSec);

  const claim = await EmailClaimEntity.get({ email }).go({ consistent: true });
  const user = claim.data && (await UserEntity.get({ userId: claim.data.userId }).go({ consistent: true })).data;
  if (!user) return;
  await PasswordResetEntity.put({ userId: user.userId, requestedAt: now, expiresAt: Math.ceil((now + ttlMs() + HOUR) / 1000) }).go({ response: "none" });
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: c.ALERTS_QUEUE_URL,
      MessageBody: JSON.stringify({ type: "password.reset", userId: user.userId, requestedAt: now } satisfies Requested),
      MessageGroupId: `password-reset:${user.userId}`,
      MessageDeduplicationId: hashOf(`${user.userId}\n${now}`),
    }),
  );
}

/** Mails the reset link of one request, exactly once; a newer request or a used link makes it stale. */
export async function send(event: Requested, now = Date.now()): Promise<"sent" | "stale"> {
  const secret = randomBytes(32).toString("base64url");
  try {
    await PasswordResetEntity.patch({ userId: event.userId })
      .set({ mailedFor: event.requestedAt, tokenHash: hashOf(secret), validUntil: now + ttlMs() })
      .where((a, op) => `${op.eq(a.requestedAt, event.requestedAt)} AND ${op.notExists(a.mailedFor)}`)
      .go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) return "stale";
    throw err;
  }
  const { data: user } = await UserEntity.get({ userId: event.userId }).go({ consistent: true });
  if (!user) return "stale";
  try {
    await Mail.send({ to: user.email, ...renderMail(`${event.userId}.${secret}`) });
  } catch (err) {
    // Only a refused send releases the claim; once SES took the mail it must never go again.
    await PasswordResetEntity.patch({ userId: event.userId }).remove(["mailedFor", "tokenHash", "validUntil"]).go({ response: "none" });
    throw err;
  }
  return "sent";
}

export function renderMail(token: string) {
  const link = Mail.publicLink(`reset-password?token=${encodeURIComponent(token)}`);
  const subject = "Reset your Uptime password";
  const text = [
    "Someone (hopefully you) asked to reset the password of your Uptime account.",
    "To choose a new password, open:",
    link,
    `The link works once, for ${config().PASSWORD_RESET_TTL_MIN} minutes. Resetting signs you out everywhere. If you did not ask, ignore this email: your password stays as it is.`,
  ].join("\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#101828">${text
    .split("\n")
    .map((l) => `<p>${escapeHtml(l)}</p>`)
    .join("")}</body></html>`;
  return { subject, text, html };
}

const invalidToken = () => new VisibleError("invalid", "reset_token_invalid", "This reset link is not valid or was already used; ask for a new one");

/** Sets a new password with a mailed token, once, and ends every session of the account. */
export async function confirm(input: z.infer<typeof ConfirmInput>, now = Date.now()) {
  const { token, password } = ConfirmInput.parse(input);
  const m = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw invalidToken();
  const [, userId, secret] = m as unknown as [string, string, string];
  const [{ data: reset }, { data: user }] = await Promise.all([
    PasswordResetEntity.get({ userId }).go({ consistent: true }),
    UserEntity.get({ userId }).go({ consistent: true }),
  ]);
  const presented = Buffer.from(hashOf(secret));
  const stored = Buffer.from(reset?.tokenHash ?? "");
  if (!reset || !user || stored.length !== presented.length || !timingSafeEqual(stored, presented)) throw invalidToken();
  if ((reset.validUntil ?? 0) <= now) throw new VisibleError("invalid", "reset_token_expired", "This reset link has expired; ask for a new one");
  // Checked before the token is used up, so a refused password can be corrected with the same link.
  const newPassword = parseNewPassword(user.email, password, "password");
  try {
    await PasswordResetEntity.delete({ userId })
      .where((a, op) => op.eq(a.tokenHash, reset.tokenHash!))
      .go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw invalidToken();
    throw err;
  }
  await setPassword(userId, newPassword, now);
  await Session.revokeAllOf(userId, { reason: "password_reset" });
}
