import { z } from "zod";
import { Slug } from "../monitors/shape";
import { UserText } from "../platform/user-text";
import { COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, MAINTENANCE_STATUSES, THEMES, VISIBILITIES } from "./shape";

/**
 * The admin API's input rules for status pages. The vocabulary they use is in shape.ts, apart, so
 * the modules that only store or show pages do not build these schemas at every cold start.
 */
export * from "./shape";

const Text = (max: number) => z.string().trim().min(1).max(max).regex(UserText.ONE_LINE, UserText.ONE_LINE_MESSAGE);
/** Messages and descriptions may span lines; other control characters are refused (they would make feed.rss invalid XML). */
const Message = z.string().trim().min(1).max(5000).regex(UserText.MULTI_LINE, UserText.MULTI_LINE_MESSAGE);
const Description = z.string().trim().max(1000).regex(UserText.MULTI_LINE, UserText.MULTI_LINE_MESSAGE);
const Id = z.string().min(1).max(100);
/** An ISO 8601 instant with its offset; it stays a string through parsing, so the API and core parse the same input. */
const Instant = z.iso.datetime({ offset: true }).describe("ISO 8601 instant, e.g. 2025-01-31T12:00:00Z");
/** Epoch ms of a parsed Instant, which items store. */
export const instantMs = <T extends string | undefined>(iso: T): T extends string ? number : undefined => (iso === undefined ? undefined : Date.parse(iso)) as never;
const TimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "must be an IANA time zone such as Europe/Berlin");

// ---------- page ----------


/**
 * A hostname the page answers at the root of (status.acme.com): lowercase DNS labels with at least
 * one dot, which no slug has, so hostnames and slugs share the claim namespace without clashing.
 */
export const Hostname = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=[a-z0-9-]{1,63}\.)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a hostname such as status.example.com");

const PageRules = z.object({
  slug: Slug,
  title: Text(100),
  description: Description,
  logoUrl: z.url({ protocol: /^https?$/, message: "must be an http or https URL" }).max(2048),
  theme: z.enum(THEMES),
  visibility: z.enum(VISIBILITIES),
  /** Required to make a page protected; stored only as a bcrypt hash. */
  password: z.string().min(8).refine((p) => Buffer.byteLength(p, "utf8") <= 72, "must be at most 72 bytes in UTF-8 (bcrypt ignores the rest)"),
  timeZone: TimeZone,
  autoPublishIncidents: z.boolean().describe("Publish linked monitors' incidents on the page automatically (default), or only once someone promotes them"),
  customDomain: Hostname.describe("Serve the page at the root of this host too (point its DNS at the deployment; see docs/status-pages.md)"),
});

export const CreatePageInput = PageRules.partial({ description: true, logoUrl: true, password: true, customDomain: true })
  .extend({
    theme: PageRules.shape.theme.default("auto"),
    visibility: PageRules.shape.visibility.default("public"),
    timeZone: TimeZone.default("UTC"),
    autoPublishIncidents: PageRules.shape.autoPublishIncidents.default(true),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.visibility === "protected" && !p.password) ctx.addIssue({ code: "custom", path: ["password"], message: "a protected page needs a password" });
  });
export type CreatePageInput = z.input<typeof CreatePageInput>;

export const UpdatePageInput = PageRules.extend({ description: Description.nullable(), logoUrl: PageRules.shape.logoUrl.nullable(), customDomain: PageRules.shape.customDomain.nullable() })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdatePageInput = z.input<typeof UpdatePageInput>;

// ---------- groups and components ----------

export const CreateGroupInput = z.object({ name: Text(100), collapsed: z.boolean().default(false) }).strict();
export type CreateGroupInput = z.input<typeof CreateGroupInput>;
export const UpdateGroupInput = CreateGroupInput.partial().strict().refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateGroupInput = z.input<typeof UpdateGroupInput>;

const ComponentRules = z.object({
  name: Text(100),
  description: Description,
  groupId: Id,
  /** Linked: the status follows this monitor. Static when absent: `manualStatus` is shown. */
  monitorId: Id,
  manualStatus: z.enum(COMPONENT_STATUSES),
  /** For a linked component: a status shown instead of the monitor's, visibly marked as set by hand. */
  override: z.enum(COMPONENT_STATUSES),
  /** A linked component whose last check took longer than this shows degraded_performance. */
  degradedAboveMs: z.number().int().min(1).max(60_000),
});

export const CreateComponentInput = ComponentRules.partial({ description: true, groupId: true, monitorId: true, override: true, degradedAboveMs: true })
  .extend({ manualStatus: ComponentRules.shape.manualStatus.default("operational") })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.monitorId && c.override) ctx.addIssue({ code: "custom", path: ["override"], message: "only a monitor-linked component has an override; set manualStatus" });
    if (!c.monitorId && c.degradedAboveMs) ctx.addIssue({ code: "custom", path: ["degradedAboveMs"], message: "only a monitor-linked component has a latency threshold" });
  });
export type CreateComponentInput = z.input<typeof CreateComponentInput>;

export const UpdateComponentInput = ComponentRules.extend({
  description: Description.nullable(),
  groupId: Id.nullable(),
  monitorId: Id.nullable(),
  override: ComponentRules.shape.override.nullable(),
  degradedAboveMs: ComponentRules.shape.degradedAboveMs.nullable(),
})
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateComponentInput = z.input<typeof UpdateComponentInput>;

/** The whole order of a page at once: groups in order, each with its components; then the ungrouped ones. */
export const LayoutInput = z
  .object({
    groups: z.array(z.object({ groupId: Id, componentIds: z.array(Id).max(200) }).strict()).max(50),
    ungrouped: z.array(Id).max(200).default([]),
  })
  .strict();
export type LayoutInput = z.input<typeof LayoutInput>;

// ---------- incidents ----------

const ComponentStatuses = z.record(Id, z.enum(COMPONENT_STATUSES)).refine((m) => Object.keys(m).length <= 200, "at most 200 components");

export const UpdateInput = z
  .object({
    message: Message,
    status: z.enum(INCIDENT_STATUSES),
    /** Each affected component's status from this update on; absent ones keep theirs. */
    componentStatuses: ComponentStatuses.default({}),
    at: Instant.optional().describe("When this happened (default: now); may be in the past"),
  })
  .strict();
export type UpdateInput = z.input<typeof UpdateInput>;

export const CreateIncidentInput = z
  .object({
    title: Text(200),
    impact: z.enum(IMPACTS),
    componentIds: z.array(Id).max(200).default([]),
    startedAt: Instant.optional().describe("Back-dates the incident (default: now)"),
    /** The first update: every posted incident opens with one. */
    update: UpdateInput,
  })
  .strict();
export type CreateIncidentInput = z.input<typeof CreateIncidentInput>;

export const EditIncidentInput = z
  .object({ title: Text(200), impact: z.enum(IMPACTS), componentIds: z.array(Id).max(200), startedAt: Instant })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type EditIncidentInput = z.input<typeof EditIncidentInput>;

export const EditUpdateInput = z.object({ message: Message }).strict();
export type EditUpdateInput = z.input<typeof EditUpdateInput>;

export const PromoteInput = z
  .object({ monitorIncidentId: Id, title: Text(200).optional(), impact: z.enum(IMPACTS).default("major"), componentIds: z.array(Id).max(200).optional(), message: Message.optional() })
  .strict();
export type PromoteInput = z.input<typeof PromoteInput>;

// ---------- maintenance ----------

export const CreateMaintenanceInput = z
  .object({ title: Text(200), message: Message, startsAt: Instant, endsAt: Instant, componentIds: z.array(Id).min(1).max(200) })
  .strict()
  .refine((m) => Date.parse(m.endsAt) > Date.parse(m.startsAt), { path: ["endsAt"], message: "must be after startsAt" });
export type CreateMaintenanceInput = z.input<typeof CreateMaintenanceInput>;

export const UpdateMaintenanceInput = z
  .object({ title: Text(200), message: Message, startsAt: Instant, endsAt: Instant, componentIds: z.array(Id).min(1).max(200) })
  .partial()
  .strict()
  .refine((u) => Object.keys(u).length > 0, "send at least one field to change");
export type UpdateMaintenanceInput = z.input<typeof UpdateMaintenanceInput>;

export const MaintenanceStatusInput = z.object({ status: z.enum(["in_progress", "completed"]), message: Message.optional() }).strict();
export type MaintenanceStatusInput = z.input<typeof MaintenanceStatusInput>;

export const MaintenanceUpdateInput = z.object({ message: Message }).strict();
export type MaintenanceUpdateInput = z.input<typeof MaintenanceUpdateInput>;
