import { isConditionalCheckFailed } from "../platform/errors";
import { MonitorEntity } from "./entity";

/**
 * The monitor's live state, moved only by the checker on transitions (never per successful
 * check). Conditions on `openIncidentId` keep one open incident per monitor.
 */

/** Marks the monitor down with this incident, unless another incident is already open. */
export async function markDown(monitorId: string, incidentId: string, at: number): Promise<"marked" | "already" | "other"> {
  try {
    await MonitorEntity.patch({ monitorId })
      .set({ openIncidentId: incidentId, state: "down", stateChangedAt: at })
      .where((a, op) => `${op.notExists(a.openIncidentId)} OR ${op.eq(a.openIncidentId, incidentId)}`)
      .go();
    return "marked";
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    const { data: m } = await MonitorEntity.get({ monitorId }).go({ consistent: true });
    return m?.openIncidentId === incidentId ? "already" : "other";
  }
}

/**
 * An up monitor without an incident turns degraded (its checks pass, slowly). False when it was
 * not up any more (an incident opened, or another check marked it first).
 */
export async function markDegraded(monitorId: string, at: number): Promise<boolean> {
  try {
    await MonitorEntity.patch({ monitorId })
      .set({ state: "degraded", stateChangedAt: at })
      .where((a, op) => `${op.notExists(a.openIncidentId)} AND ${op.eq(a.state, "up")}`)
      .go();
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

/** Clears the open incident if it is still this one. */
export async function markUp(monitorId: string, incidentId: string | undefined, at: number) {
  try {
    let op = MonitorEntity.patch({ monitorId }).set({ state: "up", stateChangedAt: at });
    if (incidentId) op = op.remove(["openIncidentId"]);
    await op
      .where((a, o) => (incidentId ? o.eq(a.openIncidentId, incidentId) : o.notExists(a.openIncidentId)))
      .go();
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}
