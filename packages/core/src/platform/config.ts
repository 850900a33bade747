import { z } from "zod";
import { queueSettings } from "./queues";

/**
 * The one place configuration is read. Everything comes from the environment:
 * the stack sets it when deployed, the local runtime (packages/local) sets it before
 * anything calls `config()`. Parsed once and cached; `reloadConfig()` exists only
 * for the local runtime and tests, which choose their ports at start-up.
 */
const bool = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1");

const ConfigSchema = z.object({
  STAGE: z.string().default("local"),
  /** Powertools log level of every function (platform/telemetry.ts). */
  LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  AWS_REGION: z.string().default("us-east-1"),
  /** Set by Lambda in every function: one invocation at a time per process (platform/telemetry.ts). */
  AWS_LAMBDA_FUNCTION_NAME: z.string().min(1).optional(),
  TABLE_NAME: z.string().min(1).default("uptime-local"),
  DYNAMODB_ENDPOINT: z.url().optional(),
  SQS_ENDPOINT: z.url().optional(),
  SES_ENDPOINT: z.url().optional(),
  CHECKS_QUEUE_URL: z.string().default(""),
  ALERTS_QUEUE_URL: z.string().default(""),
  /** Alert channel deliveries and their retries (a standard queue: retries wait with DelaySeconds, which FIFO queues lack). */
  DELIVERIES_QUEUE_URL: z.string().default(""),
  /** The stage's EventBridge bus for `eventbridge` channels; unset locally, where such events are only logged. */
  EVENT_BUS_NAME: z.string().optional(),
  /**
   * Base64 of the 32-byte AES-256-GCM key that encrypts channel secrets at rest. Locally generated once
   * into the data dir; deployed, the SST Config.Secret CHANNEL_SECRET_KEY.
   */
  CHANNEL_SECRET_KEY: z.string().optional(),
  /** A channel delivery that still fails after this many hours of retries is marked failed. */
  CHANNEL_RETRY_HOURS: z.coerce.number().positive().max(48).default(24),
  /** The first retry of a failed delivery waits about this long; each further one twice as long (with jitter), at most an hour. */
  CHANNEL_RETRY_BASE_SEC: z.coerce.number().int().min(1).default(30),
  /** One channel request (connect to last byte) may take this long. */
  CHANNEL_TIMEOUT_MS: z.coerce.number().int().positive().max(30000).default(10000),
  /** Channels per organisation. */
  CHANNEL_LIMIT: z.coerce.number().int().positive().default(50),
  MAIL_FROM: z.email().default("alerts@uptime.local"),
  /** The SES configuration set whose bounce and complaint events feed the suppression list; unset locally. */
  SES_CONFIGURATION_SET: z.string().optional(),
  /** Set locally; when deployed the secret comes from the SST Config.Secret JWT_SECRET. */
  JWT_SECRET: z.string().min(32).optional(),
  JWT_ISSUER: z.string().default("uptime"),
  JWT_AUDIENCE: z.string().default("uptime-api"),
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().positive().default(900),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(30),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(10),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_WINDOW_SEC: z.coerce.number().int().positive().default(900),
  /** Failed logins per client address (IPv6: per /64) in LOGIN_WINDOW_SEC, whatever the emails: password spraying. */
  LOGIN_CLIENT_MAX_FAILURES: z.coerce.number().int().positive().default(20),
  /** Lifetime of the signed "known device" cookie a successful login sets (it has its own login budget). */
  LOGIN_DEVICE_TTL_DAYS: z.coerce.number().int().positive().default(180),
  /**
   * A container trusts that an active session is still active for this long before reading it again,
   * so a revocation made elsewhere takes at most this long to reach it (the revoking container forgets at once).
   */
  SESSION_CACHE_SEC: z.coerce.number().int().min(0).max(60).default(5),
  /** The just-rotated refresh token of a session is still accepted this long (two tabs refreshing at once). */
  REFRESH_GRACE_SEC: z.coerce.number().int().min(0).max(300).default(30),
  /**
   * The secret CloudFront sends to the API as X-Origin-Verify (stacks/Web.ts). Only a request carrying
   * it came through our distribution, so only then is its X-Viewer-Address the caller's address.
   * Unset (npm start, tests): the TCP peer is the caller.
   */
  ORIGIN_VERIFY_SECRET: z.string().min(32).optional(),
  // Deployed it is the SST secret ORIGIN_VERIFY_SECRET, read at run time; several comma-separated values are all accepted (rotation).
  /** Password reset mails per email address per clock hour, and reset requests per client address per clock hour. */
  PASSWORD_RESETS_PER_HOUR: z.coerce.number().int().positive().default(3),
  PASSWORD_RESET_CLIENT_PER_HOUR: z.coerce.number().int().positive().default(20),
  /** A reset link works this long, once. */
  PASSWORD_RESET_TTL_MIN: z.coerce.number().int().positive().default(60),
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(65536),
  /**
   * Origins (comma-separated) of web apps on another origin that may call authenticated routes with
   * the refresh cookie. Empty: only the API's own origin (the app served beside it). `*` lets any
   * origin call without cookies. Public status pages, feeds and badges are readable from anywhere.
   */
  WEB_ORIGIN: z
    .string()
    .default("")
    .transform((s) => s.split(",").map((o) => o.trim().replace(/\/$/, "")).filter(Boolean)),
  /** Whether the refresh cookie carries `Secure`; browsers drop Secure cookies over plain http on non-localhost. */
  COOKIE_SECURE: bool.default(true),
  MONITOR_LIMIT: z.coerce.number().int().positive().default(100),
  RESULT_RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  /** An organisation's audit log entries are deleted (DynamoDB TTL) this many days after they were written. */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().default(365),
  /** An invitation to an organisation can be accepted this long, once. */
  INVITATION_TTL_DAYS: z.coerce.number().int().positive().default(7),
  /** Scheduler window. 60 when deployed (the EventBridge rule is rate(1 minute)); smaller locally for fast demos. */
  TICK_SECONDS: z.coerce
    .number()
    .int()
    .refine((n) => [5, 10, 15, 20, 30, 60].includes(n), "TICK_SECONDS must divide 60 and be at least 5")
    .default(60),
  /**
   * Each scheduled tick also fans out the window after its own, ahead of time, so that window's first
   * slots are not late when the rule fires seconds into its minute. On when deployed and under
   * `npm start`; the local runtime turns it off when tests drive ticks by hand (one window per tick).
   */
  TICK_LOOKAHEAD: bool.default(true),
  /** Local scheduler only: fire each tick up to this many ms after its boundary, as EventBridge does (0: on the boundary). */
  TICK_LATE_FIRE_MS: z.coerce.number().int().min(0).max(59_000).default(0),
  /** Allow monitors to target loopback/private addresses. Off when deployed (SSRF); on for npm start and tests. */
  ALLOW_PRIVATE_TARGETS: bool.default(false),
  /** A check run through the API must answer within API Gateway's 30 s, whatever the monitor's timeoutMs. */
  MANUAL_CHECK_MAX_MS: z.coerce.number().int().positive().max(28000).default(25000),
  /** Where links in emails point (confirmation pages): the API's public address. The local runtime sets it to its own. */
  PUBLIC_URL: z.url().optional(),
  /**
   * Deployed with PUBLIC_URL=cloudfront: the SSM parameter holding the distribution's address, which
   * the Web stack writes after these functions exist. Read once per container (below) into PUBLIC_URL.
   */
  PUBLIC_URL_PARAMETER: z.string().optional(),
  /** Alert emails (and recipient confirmations) per account per clock hour; past it mails are dropped and counted. */
  ALERT_EMAILS_PER_HOUR: z.coerce.number().int().positive().default(100),
  /** A monitor opening more incidents than this in a clock hour gets one [FLAPPING] summary instead of more mails that hour. */
  FLAP_INCIDENTS_PER_HOUR: z.coerce.number().int().positive().default(3),
  /** A confirmation link for an alert recipient works this long, once. */
  RECIPIENT_TOKEN_TTL_DAYS: z.coerce.number().int().positive().default(7),
  /** An unconfirmed address gets at most one confirmation email per this many hours, however often monitors are saved. */
  RECIPIENT_RESEND_HOURS: z.coerce.number().int().positive().default(24),
  /** Status page subscribe form posts per client address (IPv6: per /64) per clock hour, over all pages. */
  SUBSCRIBE_CLIENT_PER_HOUR: z.coerce.number().int().positive().default(10),
  /** `POST /v1/monitors/{id}/check`: at most one per monitor per this many seconds (0: no per-monitor limit)... */
  MANUAL_CHECK_MONITOR_SEC: z.coerce.number().int().min(0).default(10),
  /** ...and at most this many per account per clock hour. */
  MANUAL_CHECKS_PER_HOUR: z.coerce.number().int().positive().default(60),
  /** Pings one heartbeat's token may send per clock minute; past it, 429 with Retry-After (a looping job cannot run up the bill). */
  HEARTBEAT_PINGS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  /** Team organisations one account may create (its personal one not counted); deleting one frees its place. */
  ORGS_PER_ACCOUNT: z.coerce.number().int().min(0).default(5),
  /**
   * Mails per clock hour charged to the account that created an organisation, over every organisation it
   * created: alerts, alert-recipient confirmations and invitations (each also counts against ALERT_EMAILS_PER_HOUR
   * of its organisation). This is what holds however many organisations one account makes.
   */
  ACCOUNT_EMAILS_PER_HOUR: z.coerce.number().int().positive().default(200),
  /** Monitors in all the organisations one account created, together (each organisation also has MONITOR_LIMIT). */
  ACCOUNT_MONITOR_LIMIT: z.coerce.number().int().positive().default(100),
  /** Manual checks one account (a key counts as its creator) may run per clock hour, over all organisations. */
  ACCOUNT_MANUAL_CHECKS_PER_HOUR: z.coerce.number().int().positive().default(60),
  /** Invitations one account (a key counts as its creator) may send per UTC day, over all organisations. */
  INVITATIONS_PER_INVITER_PER_DAY: z.coerce.number().int().positive().default(20),
  /** Invitations one email address may receive per UTC day, from any organisation (revoking and inviting again counts). */
  INVITATIONS_PER_ADDRESS_PER_DAY: z.coerce.number().int().positive().default(3),
  /** Status page subscription confirmation mails per page per clock hour... */
  SUBSCRIBE_MAILS_PAGE_PER_HOUR: z.coerce.number().int().positive().default(20),
  /** ...per organisation (all its pages) per clock hour... */
  SUBSCRIBE_MAILS_ORG_PER_HOUR: z.coerce.number().int().positive().default(50),
  /** ...per account that created the organisations, over all of them, per clock hour (a budget of its own, so strangers filling the form cannot starve alerts)... */
  SUBSCRIBE_MAILS_ACCOUNT_PER_HOUR: z.coerce.number().int().positive().default(50),
  /** ...and per address per UTC day, over all pages. */
  SUBSCRIBE_MAILS_ADDRESS_PER_DAY: z.coerce.number().int().positive().default(3),
  /** Wrong passwords on a protected status page's form per client address (IPv6: per /64) in LOGIN_WINDOW_SEC... */
  PAGE_PASSWORD_CLIENT_MAX_FAILURES: z.coerce.number().int().positive().default(10),
  /** ...and per page, whoever guesses. */
  PAGE_PASSWORD_PAGE_MAX_FAILURES: z.coerce.number().int().positive().default(50),
  MAX_RESPONSE_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  DEMO_SITES: z
    .string()
    .default("https://aws.amazon.com,https://github.com,https://www.cloudflare.com,https://www.google.com,https://www.wikipedia.org")
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean)),
  DEMO_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** The demo snapshot is cached in module memory (per Lambda container) this long. */
  DEMO_CACHE_SEC: z.coerce.number().int().min(0).default(60),
  /** Cache-Control max-age of the public status page, its JSON and its badge. */
  STATUS_CACHE_SEC: z.coerce.number().int().min(0).default(30),
  /**
   * Rollups (see rollup.ts). Monitors checked at most this far apart get hour rollups; slower
   * ones only day rollups, because an hourly item would cost more writes than their checks do.
   */
  ROLLUP_HOURLY_MAX_INTERVAL_SEC: z.coerce.number().int().positive().default(300),
  ROLLUP_HOUR_RETENTION_DAYS: z.coerce.number().int().positive().default(35),
  ROLLUP_DAY_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  /**
   * An hour is rolled up only this long after it ended, so late check results are still counted:
   * a check message can be redelivered (maxReceiveCount - 1) times, each after a visibility timeout.
   */
  ROLLUP_GRACE_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .default(
      queueSettings.checks.visibilityTimeoutSec * (queueSettings.checks.maxReceiveCount - 1) + queueSettings.checks.functionTimeoutSec + 60,
    ),
  /** How far back one run of the job catches up on hours it missed. */
  ROLLUP_CATCHUP_HOURS: z.coerce.number().int().positive().default(48),
  /** Reads never fall back to raw results further back than this when rollups lag behind. */
  ROLLUP_RAW_MAX_HOURS: z.coerce.number().int().positive().default(24),
  ROLLUP_CONCURRENCY: z.coerce.number().int().positive().default(16),
});

/**
 * Deploy-time settings: read by the stacks (stacks/*.ts) when `sst deploy` or `sst dev` synthesises,
 * never by a function at run time. Nothing here has a silent default that a forgotten variable would
 * deploy: a missing MAIL_FROM or PUBLIC_URL fails the synthesis (docs/deploying.md).
 */
const DeploySchema = z.object({
  /** The sender of every mail; its address or domain must be a verified SES identity in the stack's region. */
  MAIL_FROM: z.email({ error: "MAIL_FROM must be set to the verified SES sender address, e.g. alerts@example.com" }),
  /**
   * Where links in mails point: `https://status.example.com` for a custom domain, or `cloudfront` for
   * this stack's own CloudFront address (known only after the distribution exists; functions read it
   * from SSM at cold start, so no second deploy is needed).
   */
  PUBLIC_URL: z.union([z.literal("cloudfront"), z.url()], {
    error: 'PUBLIC_URL must be set: "cloudfront" (the stack\'s own CloudFront address) or your custom domain\'s https:// URL',
  }),
  /** Retain the table and turn on its deletion protection; default: only stages named prod or production. */
  PRODUCTION: z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1").optional(),
  /** At most this many checker invocations at once (the event source mapping's maximum concurrency, 2-1000). */
  CHECKER_MAX_CONCURRENCY: z.coerce.number().int().min(2).max(1000).default(10),
  /** API Gateway's default-route throttle: steady requests per second and burst, for the whole API. */
  API_THROTTLE_RATE: z.coerce.number().int().positive().default(100),
  API_THROTTLE_BURST: z.coerce.number().int().positive().default(200),
  /**
   * Status pages' custom domains this stage serves (docs/deploying.md, "Custom domains for status
   * pages"): comma-separated hostnames, wildcards like `*.status.example.com` allowed, the alternate
   * domain names of a CloudFront distribution that answers at each host's root with its page.
   */
  STATUS_DOMAINS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "STATUS_DOMAINS must be hostnames, e.g. status.acme.com,*.status.example.com")).max(100)),
  /** The ACM certificate covering every STATUS_DOMAINS name. CloudFront only takes certificates from us-east-1. */
  STATUS_DOMAINS_CERTIFICATE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/, "STATUS_DOMAINS_CERTIFICATE_ARN must be an ACM certificate in us-east-1 (CloudFront uses no other region)")
    .optional(),
}).refine((d) => d.STATUS_DOMAINS.length === 0 || d.STATUS_DOMAINS_CERTIFICATE_ARN, {
  path: ["STATUS_DOMAINS_CERTIFICATE_ARN"],
  message: "STATUS_DOMAINS needs STATUS_DOMAINS_CERTIFICATE_ARN: an ACM certificate in us-east-1 covering them",
});
export type DeployConfig = z.infer<typeof DeploySchema> & { production: boolean };

/** Stage names that are production unless PRODUCTION says otherwise. */
export const PRODUCTION_STAGES = ["prod", "production"];

export function deployConfig(stage: string, env: Record<string, string | undefined> = process.env): DeployConfig {
  const parsed = DeploySchema.safeParse(env);
  if (!parsed.success) throw new Error(`Cannot deploy stage "${stage}": ${z.prettifyError(parsed.error)}`);
  return { ...parsed.data, production: parsed.data.PRODUCTION ?? PRODUCTION_STAGES.includes(stage) };
}

export type Config = z.infer<typeof ConfigSchema>;

let cached: Config | undefined;

// Before anything calls config(): module evaluation waits for it, so PUBLIC_URL is set by the first request.
if (process.env.PUBLIC_URL_PARAMETER && !process.env.PUBLIC_URL) {
  try {
    const { getParameters } = await import("./ssm");
    const [found] = await getParameters([process.env.PUBLIC_URL_PARAMETER], process.env.AWS_REGION ?? "us-east-1");
    if (found) process.env.PUBLIC_URL = found.Value;
  } catch (err) {
    // Mails with links fail (and say PUBLIC_URL is missing); everything else works.
    console.error(JSON.stringify({ msg: "PUBLIC_URL not read from SSM", parameter: process.env.PUBLIC_URL_PARAMETER, error: String(err) }));
  }
}

export function config(): Config {
  if (!cached) {
    const parsed = ConfigSchema.safeParse(process.env);
    if (!parsed.success) {
      throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
    }
    cached = parsed.data;
  }
  return cached;
}

/** Re-read the environment (local runtime and tests set ports after start-up). */
export function reloadConfig(): Config {
  cached = undefined;
  for (const reset of resetHooks) reset();
  return config();
}

const resetHooks: Array<() => void> = [];
/** Modules that cache clients built from config register here so a reload rebuilds them. */
export function onConfigReload(reset: () => void) {
  resetHooks.push(reset);
}

let jwtSecretCache: Uint8Array | undefined;
onConfigReload(() => (jwtSecretCache = undefined));

/**
 * The HS256 key. Locally from JWT_SECRET. Deployed, it is the SST Config.Secret JWT_SECRET, which
 * SST binds as SST_Secret_value_JWT_SECRET="__FETCH_FROM_SSM__"; we read the SSM parameter at the
 * paths SST v2 uses ourselves instead of importing sst/node/config, which bundles its own, older
 * copy of the AWS SDK (~690 KB per function); see ssm.ts.
 */
export async function jwtSecret(): Promise<Uint8Array> {
  if (jwtSecretCache) return jwtSecretCache;
  let secret = config().JWT_SECRET;
  const bound = process.env.SST_Secret_value_JWT_SECRET;
  if (!secret && bound && bound !== "__FETCH_FROM_SSM__") secret = bound;
  if (!secret) secret = await secretFromSsm("JWT_SECRET");
  if (!secret || secret.length < 32) throw new Error("JWT secret missing or shorter than 32 characters");
  jwtSecretCache = new TextEncoder().encode(secret);
  return jwtSecretCache;
}

let channelKeyCache: Buffer | undefined;
onConfigReload(() => (channelKeyCache = undefined));

/** The AES-256 key of channel secrets: CHANNEL_SECRET_KEY locally, the SST secret of the same name deployed (see jwtSecret). */
export async function channelSecretKey(): Promise<Buffer> {
  if (channelKeyCache) return channelKeyCache;
  let value = config().CHANNEL_SECRET_KEY;
  const bound = process.env.SST_Secret_value_CHANNEL_SECRET_KEY;
  if (!value && bound && bound !== "__FETCH_FROM_SSM__") value = bound;
  if (!value) value = await secretFromSsm("CHANNEL_SECRET_KEY");
  const key = Buffer.from(value ?? "", "base64");
  if (key.length !== 32) throw new Error("CHANNEL_SECRET_KEY must be the base64 of 32 random bytes (openssl rand -base64 32)");
  channelKeyCache = key;
  return key;
}

/** An SST secret of this stage (or the app's fallback), read from SSM. */
export async function secretFromSsm(name: string): Promise<string | undefined> {
  const { getParameters } = await import("./ssm");
  const stagePath = `${process.env.SST_SSM_PREFIX ?? ""}Secret/${name}/value`;
  const fallbackPath = `/sst/${process.env.SST_APP}/.fallback/Secret/${name}/value`;
  const found = await getParameters([stagePath, fallbackPath], process.env.SST_REGION ?? config().AWS_REGION);
  const byName = new Map(found.map((p) => [p.Name, p.Value]));
  const value = byName.get(stagePath) ?? byName.get(fallbackPath);
  if (!value) throw new Error(`Secret ${name} is not set for stage ${process.env.SST_STAGE}: run "npx sst secrets set ${name} <value>"`);
  return value;
}
