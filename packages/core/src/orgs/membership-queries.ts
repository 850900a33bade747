export * as Membership from "./membership-queries";

/**
 * STUB until the organisations work lands memberships: whether the user is the only owner of an
 * organisation that has other members (then deleting the account would orphan it). Without
 * memberships every organisation is personal, so the answer is no.
 */
export async function soleOwnerOfSharedOrg(_userId: string): Promise<boolean> {
  return false;
}
