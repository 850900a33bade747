export * as SlugClaim from "./slug-claim";

import { VisibleError, isConditionalCheckFailed } from "../platform/errors";
import { SlugClaimEntity } from "./entity";

/** What holds a public slug: a monitor's page or an organisation's status page (one namespace). */
export type Holder = { monitorId: string } | { pageId: string };
export type Claim = { slug: string; monitorId?: string; pageId?: string; claimedAt?: number };

const holds = (claim: Claim, holder: Holder) => ("pageId" in holder ? claim.pageId === holder.pageId : claim.monitorId === holder.monitorId);

/**
 * Claims a slug with a conditional create. A claim a killed request left behind is taken over
 * only when `isAbandoned` (the holder's own rule) says so, and only if it is still that claim.
 */
export async function claim(slug: string, holder: Holder, now: number, isAbandoned: (claim: Claim) => Promise<boolean>) {
  let taken: Claim | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await SlugClaimEntity.create({ slug, ...holder, claimedAt: now }).go();
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const { data: current } = await SlugClaimEntity.get({ slug }).go({ consistent: true });
    if (current && holds(current, holder)) return;
    if (!current) continue; // released meanwhile
    taken = current;
    if (!(await isAbandoned(current))) break;
    try {
      await SlugClaimEntity.put({ slug, ...holder, claimedAt: now })
        .where((a, op) => {
          const sameHolder = current.pageId ? op.eq(a.pageId, current.pageId) : op.eq(a.monitorId, current.monitorId!);
          const sameTime = current.claimedAt === undefined ? op.notExists(a.claimedAt) : op.eq(a.claimedAt, current.claimedAt);
          return `${sameHolder} AND ${sameTime}`;
        })
        .go();
      return;
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
  }
  // say what has it (a kind, never whose: it may be another organisation's)
  const message = `The slug "${slug}" is already used by ${taken?.pageId ? "a status page" : taken?.monitorId ? "a monitor's public page" : "another page"}`;
  throw new VisibleError("conflict", "slug_taken", message, [{ path: "slug", message, code: "slug_taken" }]);
}

/** Frees a slug if this holder still has it. */
export async function release(slug: string, holder: Holder) {
  try {
    await SlugClaimEntity.delete({ slug })
      .where((a, op) => ("pageId" in holder ? op.eq(a.pageId, holder.pageId) : op.eq(a.monitorId, holder.monitorId)))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
