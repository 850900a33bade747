import { z } from "zod";
import { CHECK_KINDS } from "./check-job";
import { PHASE_NAMES } from "./probe-types";

/** What a stored check result is, whichever store holds it (check/result.ts). */
export const Phases = z.object(Object.fromEntries(PHASE_NAMES.map((n) => [n, z.number().optional()])) as Record<(typeof PHASE_NAMES)[number], z.ZodOptional<z.ZodNumber>>);
export type Phases = z.infer<typeof Phases>;

export const Result = z.object({
  monitorId: z.string(),
  at: z.number(),
  ok: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  httpStatus: z.number().optional(),
  latencyMs: z.number(),
  certDaysLeft: z.number().optional(),
  phases: Phases.optional(),
  kind: z.enum(CHECK_KINDS),
  inMaintenance: z.boolean().optional(),
  checkedAt: z.number(),
});
export type Result = z.infer<typeof Result>;
