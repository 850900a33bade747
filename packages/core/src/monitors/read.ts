export * as MonitorRead from "./read";

import { notFound } from "../platform/errors";
import { MonitorEntity, SlugClaimEntity, type MonitorItem } from "./entity";

/*
 * Reading monitors, apart from creating and changing them: dashboards and status pages import
 * only this, so their Lambdas do not bundle the write path (queues, mail, recipient checks)
 * and stay within the cold-start budget.
 */

/** The monitor if the actor owns it. Another user's monitor is "not found", never "forbidden". */
export async function getOwned(ownerId: string, monitorId: string): Promise<MonitorItem> {
  const { data } = await MonitorEntity.get({ monitorId }).go({ consistent: true });
  if (!data || data.ownerId !== ownerId) throw notFound("Monitor");
  return data;
}

export async function get(monitorId: string, opts: { consistent?: boolean } = {}): Promise<MonitorItem | undefined> {
  const { data } = await MonitorEntity.get({ monitorId }).go({ consistent: opts.consistent ?? true });
  return data ?? undefined;
}

export async function bySlug(slug: string): Promise<MonitorItem | undefined> {
  const { data } = await SlugClaimEntity.get({ slug: slug.toLowerCase() }).go();
  if (!data?.monitorId) return undefined;
  // Public pages tolerate a second of staleness; an eventually consistent read costs half.
  const m = await get(data.monitorId, { consistent: false });
  // a claim an interrupted update left behind names a monitor that no longer uses the slug
  return m?.slug === data.slug ? m : undefined;
}

