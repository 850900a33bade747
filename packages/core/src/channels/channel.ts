export * as Channel from "./channel";

import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { Target } from "../check/target";
import { AlertRecipient } from "../alert/recipients";
import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed, notFound } from "../platform/errors";
import { assertCursorFor } from "../platform/table";
import { CHANNEL_TYPES, ChannelEntity, type ChannelItem, type ChannelType } from "./entity";
import type { Resolved } from "./formats";
import { ChannelSecrets } from "./secrets";
import { Claim } from "../platform/claim";

export { CHANNEL_TYPES, type ChannelItem, type ChannelType };

// ---------- input ----------

const Name = z.string().trim().min(1).max(100).regex(/^[^\p{Cc}]*$/u, "must not contain control characters such as CR or LF");
const HttpUrl = z.url({ protocol: /^https?$/, message: "must be an http or https URL" }).max(2048);

/** Per type: which fields are secret (encrypted, shown masked) and which plain, with their rules. */
const SECRET_FIELDS = {
  url: HttpUrl,
  botToken: z.string().regex(/^\d{3,20}:[A-Za-z0-9_-]{20,100}$/, "must look like 123456:ABC-DEF… (from @BotFather)"),
  token: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  routingKey: z.string().regex(/^[A-Za-z0-9]{32}$/, "must be the 32-character integration key of an Events API v2 integration"),
} as const;
const PLAIN_FIELDS = {
  chatId: z.union([z.string().regex(/^(-?\d{1,20}|@[A-Za-z0-9_]{5,32})$/, "must be a numeric chat id or @channelusername"), z.number().int().transform(String)]),
  apiUrl: HttpUrl,
  priority: z.number().int().min(1).max(5),
  tags: z.array(z.string().regex(/^[a-z0-9_+-]{1,40}$/, "ntfy tags are emoji short codes or words")).max(5),
  severity: z.enum(["critical", "error", "warning", "info"]),
  eventsUrl: HttpUrl,
  address: z.email().toLowerCase(),
  /** Also announce the organisation's posted status page incidents (status_page.incident.*) here. */
  statusPages: z.boolean(),
} as const;
type SecretField = keyof typeof SECRET_FIELDS;
type PlainField = keyof typeof PLAIN_FIELDS;

const SPEC: Record<ChannelType, { required: (SecretField | PlainField)[]; optional: (SecretField | PlainField)[] }> = {
  webhook: { required: ["url"], optional: [] },
  slack: { required: ["url"], optional: [] },
  discord: { required: ["url"], optional: [] },
  teams: { required: ["url"], optional: [] },
  googlechat: { required: ["url"], optional: [] },
  telegram: { required: ["botToken", "chatId"], optional: ["apiUrl"] },
  ntfy: { required: ["url"], optional: ["token", "priority", "tags"] },
  pagerduty: { required: ["routingKey"], optional: ["severity", "eventsUrl"] },
  email: { required: ["address"], optional: [] },
  eventbridge: { required: [], optional: [] },
};
const isSecret = (f: string): f is SecretField => f in SECRET_FIELDS;
const URL_FIELDS = ["url", "apiUrl", "eventsUrl"] as const;

const Fields = z.object({ ...SECRET_FIELDS, ...PLAIN_FIELDS }).partial();

export const CreateInput = Fields.extend({
  type: z.enum(CHANNEL_TYPES),
  name: Name,
  isDefault: z.boolean().default(false).describe("Add this channel to monitors created from now on"),
}).strict();
export type CreateInput = z.input<typeof CreateInput>;

export const UpdateInput = Fields.extend({
  name: Name,
  isDefault: z.boolean(),
  /** webhook: replace the signing secret; the new one is shown once in the answer. */
  rotateSigningSecret: z.literal(true),
})
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateInput = z.input<typeof UpdateInput>;

function invalid(path: string, message: string): never {
  throw new VisibleError("invalid", "validation_error", "Request is invalid", [{ path, message, code: "custom" }]);
}

/** Splits the fields a type uses into plain settings and secrets, refusing fields the type does not have. */
function split(type: ChannelType, input: Record<string, unknown>) {
  const spec = SPEC[type];
  const allowed = new Set<string>([...spec.required, ...spec.optional, "statusPages"]);
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || !(k in SECRET_FIELDS || k in PLAIN_FIELDS)) continue;
    if (!allowed.has(k)) invalid(k, `a ${type} channel has no ${k}`);
    if (isSecret(k)) secrets[k] = String(v);
    else settings[k] = v;
  }
  return { settings, secrets };
}

/** Channel URLs obey the check targets' SSRF rules, here and again when sending. */
async function assertUrls(values: Record<string, unknown>) {
  for (const f of URL_FIELDS) if (typeof values[f] === "string") await Target.assertAllowedUrl(values[f] as string);
}

const newSigningSecret = () => `whsec_${randomBytes(24).toString("base64")}`;

/** The secret whose last four characters identify the channel in listings. */
const hintOf = (secrets: Record<string, string>) => {
  const main = secrets.url ?? secrets.botToken ?? secrets.routingKey;
  return main ? ChannelSecrets.mask(main) : undefined;
};

// ---------- view ----------

export const View = z.object({
  id: z.string(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  isDefault: z.boolean(),
  /** Settings that are not secret (chat id, priority, severity, address...). */
  settings: z.record(z.string(), z.unknown()),
  /** Each secret field, masked to its last four characters. */
  secrets: z.record(z.string(), z.string()),
  broken: z.object({ at: z.string(), reason: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type View = z.infer<typeof View>;

export async function toView(c: ChannelItem): Promise<View> {
  const secrets = await ChannelSecrets.open(c.channelId, c.sealed);
  return {
    id: c.channelId,
    type: c.type,
    name: c.name,
    isDefault: c.isDefault,
    settings: JSON.parse(c.settings),
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, ChannelSecrets.mask(v)])),
    broken: c.brokenAt ? { at: new Date(c.brokenAt).toISOString(), reason: c.brokenReason ?? "" } : null,
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
  };
}

// ---------- reads ----------

export async function get(channelId: string): Promise<ChannelItem | undefined> {
  return (await ChannelEntity.get({ channelId }).go({ consistent: true })).data ?? undefined;
}

export async function getOwned(orgId: string, channelId: string): Promise<ChannelItem> {
  const c = await get(channelId);
  if (!c || c.orgId !== orgId) throw notFound("Channel");
  return c;
}

// an organisation's channels, a page at a time
export async function list(orgId: string, opts: { limit?: number; cursor?: string | null } = {}) {
  const query = ChannelEntity.query.byOrg({ orgId });
  assertCursorFor(opts.cursor, ChannelEntity, "byOrg", query.params());
  const res = await query.go({ limit: opts.limit ?? 50, cursor: opts.cursor ?? null });
  return { data: res.data, cursor: res.cursor };
}

// all of an organisation's channels (at most CHANNEL_LIMIT)
async function all(orgId: string) {
  return (await ChannelEntity.query.byOrg({ orgId }).go({ pages: "all" })).data;
}

/** The channels that announce posted status page incidents. */
export async function statusPageChannelsOf(orgId: string): Promise<ChannelItem[]> {
  return (await all(orgId)).filter((c) => JSON.parse(c.settings).statusPages === true);
}

/** The channels new monitors get when they name none. */
export async function defaultsOf(orgId: string): Promise<string[]> {
  return (await all(orgId)).filter((c) => c.isDefault).map((c) => c.channelId);
}

/** Refuses channel ids that are not the organisation's. */
export async function assertOwned(orgId: string, channelIds: readonly string[], path: string) {
  if (!channelIds.length) return;
  const mine = new Set((await all(orgId)).map((c) => c.channelId));
  const foreign = channelIds.find((id) => !mine.has(id));
  if (foreign) invalid(path, `no channel ${foreign} in this organisation`);
}

/** A channel with its secrets opened, for sending. */
export async function resolve(c: ChannelItem): Promise<Resolved> {
  return { id: c.channelId, type: c.type, name: c.name, settings: JSON.parse(c.settings), secrets: await ChannelSecrets.open(c.channelId, c.sealed) };
}

// ---------- writes ----------

/** The view, plus the webhook signing secret the one time it is shown. */
export type Written = { channel: View; signingSecret?: string };

export async function create(orgId: string, ownerEmail: string | undefined, input: CreateInput, now = Date.now()): Promise<Written> {
  const c = CreateInput.parse(input);
  const { settings, secrets } = split(c.type, c);
  for (const f of SPEC[c.type].required) if (settings[f] === undefined && secrets[f] === undefined) invalid(f, `a ${c.type} channel needs ${f}`);
  await assertUrls({ ...settings, ...secrets });
  if ((await all(orgId)).length >= config().CHANNEL_LIMIT) {
    throw new VisibleError("forbidden", "channel_limit_reached", `This organisation already has the maximum of ${config().CHANNEL_LIMIT} channels`);
  }
  if (c.type === "webhook") secrets.signingSecret = newSigningSecret();
  const channelId = randomUUID();
  await Claim.createFresh(async () => ChannelEntity.create({
    channelId,
    orgId,
    type: c.type,
    name: c.name,
    settings: JSON.stringify(settings),
    sealed: Object.keys(secrets).length ? await ChannelSecrets.seal(channelId, secrets) : undefined,
    hint: hintOf(secrets),
    isDefault: c.isDefault,
    createdAt: now,
    updatedAt: now,
  }).go());
  if (c.type === "email") await AlertRecipient.requestConfirmations(orgId, ownerEmail, [settings.address as string], now);
  return { channel: await toView((await get(channelId))!), ...(secrets.signingSecret && { signingSecret: secrets.signingSecret }) };
}

export async function update(orgId: string, channelId: string, input: UpdateInput, now = Date.now()): Promise<Written> {
  const u = UpdateInput.parse(input);
  const current = await getOwned(orgId, channelId);
  const { settings, secrets } = split(current.type, u);
  await assertUrls({ ...settings, ...secrets });
  if (u.rotateSigningSecret && current.type !== "webhook") invalid("rotateSigningSecret", "only webhook channels sign their requests");
  const mergedSecrets = { ...(await ChannelSecrets.open(channelId, current.sealed)), ...secrets };
  if (u.rotateSigningSecret) mergedSecrets.signingSecret = newSigningSecret();
  const mergedSettings = { ...JSON.parse(current.settings), ...settings };
  const touchesTarget = Object.keys(secrets).length > 0 || Object.keys(settings).length > 0;
  let op = ChannelEntity.patch({ channelId }).set({
    ...(u.name !== undefined && { name: u.name }),
    ...(u.isDefault !== undefined && { isDefault: u.isDefault }),
    settings: JSON.stringify(mergedSettings),
    ...(Object.keys(mergedSecrets).length && { sealed: await ChannelSecrets.seal(channelId, mergedSecrets), hint: hintOf(mergedSecrets) }),
    updatedAt: now,
  });
  // A new address or key may well fix a broken channel: it is tried afresh.
  if (touchesTarget && current.brokenAt) op = op.remove(["brokenAt", "brokenReason"]);
  await op.go({ response: "none" });
  if (current.type === "email" && settings.address) await AlertRecipient.requestConfirmations(orgId, undefined, [settings.address as string], now);
  return { channel: await toView((await get(channelId))!), ...(u.rotateSigningSecret && { signingSecret: mergedSecrets.signingSecret }) };
}

/** Monitors naming a deleted channel keep its id; deliveries to it are skipped. */
export async function remove(orgId: string, channelId: string) {
  await getOwned(orgId, channelId);
  await ChannelEntity.delete({ channelId }).go();
}

/** Marks the channel broken once; true for the call that did (it tells the owners). */
export async function markBroken(channelId: string, reason: string, now = Date.now()): Promise<boolean> {
  try {
    await ChannelEntity.patch({ channelId })
      .set({ brokenAt: now, brokenReason: reason })
      .where((a, op) => op.notExists(a.brokenAt))
      .go({ response: "none" });
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

export async function clearBroken(channelId: string) {
  await ChannelEntity.patch({ channelId })
    .remove(["brokenAt", "brokenReason"])
    .where((a, op) => op.exists(a.brokenAt))
    .go({ response: "none" })
    .catch((err) => {
      if (!isConditionalCheckFailed(err)) throw err;
    });
}
