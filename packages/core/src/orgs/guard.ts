export * as OrgGuard from "./guard";

import { config } from "../platform/config";
import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { AccountQuotaEntity, OrgEntity } from "./entity";

/**
 * What every create in an organisation goes through, and the per-account counts behind it. An
 * organisation "belongs to" the account that created it (its `createdBy`; a personal organisation's
 * is its user): that account's budgets bound everything its organisations do, however many it makes.
 */

const deleting = () => new VisibleError("conflict", "org_deleting", "This organisation is being deleted: nothing new can be created in it");

/**
 * The deletion fence: one conditional write on the organisation, refused once its deletion started
 * (or when it does not exist). Returns the account the organisation's usage counts against.
 */
export async function enterCreate(orgId: string, now = Date.now()): Promise<{ accountId: string }> {
  try {
    const { data } = await OrgEntity.patch({ orgId })
      .set({ lastCreateAt: now })
      .where((a, op) => op.notExists(a.deletingAt))
      .go({ response: "all_new" });
    return { accountId: data.createdBy ?? orgId };
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw deleting();
    throw err;
  }
}

/**
 * After a create wrote its item: whether the organisation's deletion started meanwhile. Deletion
 * sets the fence before it looks for what to delete, so a create that passed the fence just before
 * and wrote after deletion looked sees the fence here, and removes what it made itself.
 */
export async function deletionStarted(orgId: string): Promise<boolean> {
  const { data } = await OrgEntity.get({ orgId }).go({ consistent: true, attributes: ["deletingAt"] });
  return !data || data.deletingAt !== undefined;
}

/** Throws the fence's error (for a create that found deletion started after it wrote). */
export const refuseDeleting = deleting;

/** The account an organisation's usage counts against. */
export async function accountOf(orgId: string): Promise<string> {
  const { data } = await OrgEntity.get({ orgId }).go({ attributes: ["createdBy"] });
  return data?.createdBy ?? orgId;
}

export type QuotaKind = "orgs" | "monitors";
const LIMITS: Record<QuotaKind, () => number> = { orgs: () => config().ORGS_PER_ACCOUNT, monitors: () => config().ACCOUNT_MONITOR_LIMIT };
const MESSAGES: Record<QuotaKind, (limit: number) => string> = {
  orgs: (limit) => `An account may create at most ${limit} organisations; delete one first`,
  monitors: (limit) => `The organisations this account created already have the maximum of ${limit} monitors together`,
};

/** Takes one of an account's places of a kind, or throws 403 at its limit. */
export async function takePlace(accountId: string, kind: QuotaKind, now = Date.now()) {
  const limit = LIMITS[kind]();
  try {
    await AccountQuotaEntity.update({ userId: accountId, kind })
      .add({ count: 1 })
      .set({ changedAt: now })
      .where((a, op) => `${op.notExists(a.count)} OR ${op.lt(a.count, limit)}`)
      .go({ response: "none" });
  } catch (err) {
    if (isConditionalCheckFailed(err)) throw new VisibleError("forbidden", `account_${kind === "orgs" ? "org" : "monitor"}_limit_reached`, MESSAGES[kind](limit), { limit });
    throw err;
  }
}

/** Gives a place back (the thing was deleted, or its create failed). Never below zero. */
export async function givePlace(accountId: string, kind: QuotaKind, now = Date.now()) {
  try {
    await AccountQuotaEntity.patch({ userId: accountId, kind })
      .subtract({ count: 1 })
      .set({ changedAt: now })
      .where((a, op) => op.gt(a.count, 0))
      .go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
