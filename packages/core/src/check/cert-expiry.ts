export * as CertExpiry from "./cert-expiry";

import { MonitorNotice } from "../alert/notice";
import { DEFAULT_CERT_EXPIRY_DAYS } from "../monitors/shape";
import { MonitorEntity } from "../monitors/entity";
import { isConditionalCheckFailed } from "../platform/errors";
import type { Snapshot } from "./check-job";
import type { ProbeOutcome } from "./probe-types";

/**
 * Certificate expiry warnings: at each of the monitor's thresholds (days before expiry), once
 * per certificate. Only the smallest threshold crossed warns (a certificate first seen with 10
 * days left gets the 14-day warning, not also the 30-day one). The certificate is named by its
 * notAfter, so a renewed one starts again. The warning sent is recorded on the monitor and
 * travels in job snapshots: checks after it cost nothing extra; the notice's claims make the
 * few checks made before the snapshot caught up harmless.
 */

export interface Warning {
  threshold: number;
  daysLeft: number;
  expiresAt?: number;
  /** Recorded on the monitor as certWarned. */
  key: string;
}

/** The warning this check's certificate calls for, unless it was sent already. */
export function due(snapshot: Pick<Snapshot, "certExpiryDays" | "certWarned">, outcome: Pick<ProbeOutcome, "certDaysLeft" | "certExpiresAt">): Warning | undefined {
  const daysLeft = outcome.certDaysLeft;
  if (daysLeft === undefined) return undefined;
  const crossed = (snapshot.certExpiryDays ?? DEFAULT_CERT_EXPIRY_DAYS).filter((d) => daysLeft <= d);
  if (!crossed.length) return undefined;
  const threshold = Math.min(...crossed);
  // a probe that cannot tell the notAfter (none today) names no certificate: renewals then reset nothing
  const key = `${outcome.certExpiresAt ?? "unknown"}:${threshold}`;
  if (snapshot.certWarned === key) return undefined;
  return { threshold, daysLeft, key, ...(outcome.certExpiresAt !== undefined && { expiresAt: outcome.certExpiresAt }) };
}

/** Publishes the warning a check calls for, then records it on the monitor. */
export async function warnIfDue(snapshot: Snapshot, outcome: ProbeOutcome, at: number) {
  const warning = due(snapshot, outcome);
  if (!warning) return;
  await MonitorNotice.publish({
    type: "monitor.notice",
    kind: "cert_expiry",
    noticeId: `${snapshot.monitorId}.cert.${warning.key}`,
    monitorId: snapshot.monitorId,
    at,
    certificate: { daysLeft: warning.daysLeft, threshold: warning.threshold, ...(warning.expiresAt !== undefined && { expiresAt: warning.expiresAt }) },
  });
  try {
    await MonitorEntity.patch({ monitorId: snapshot.monitorId }).set({ certWarned: warning.key }).go({ response: "none" });
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // deleted meanwhile
  }
}
