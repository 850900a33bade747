export * as Audit from "./audit";
import type { OrgAccess } from "./access";

/**
 * Records who did what in an organisation. STUB (contract only): the organisations work stores
 * entries under the organisation with a TTL; callers already call it where an action is audited.
 */
export async function record(_access: OrgAccess, _action: string, _target: { type: string; id: string }, _details?: Record<string, unknown>) {}
