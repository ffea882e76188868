import { microTimeMs } from './micro-time';

/**
 * When a Lease runs out: its renewTime (else acquireTime) plus leaseDurationSeconds, in ms since the epoch; undefined
 * for a Lease that names no time or no duration (it never runs out, and is never live either: see `leaseLive`).
 */
export function leaseExpiresAtMs(lease: any): number | undefined {
  const spec = lease?.spec ?? {};
  const renewed = microTimeMs(spec.renewTime ?? spec.acquireTime);
  const seconds = spec.leaseDurationSeconds;
  if (Number.isNaN(renewed) || !Number.isInteger(seconds) || seconds <= 0) return undefined;
  return renewed + seconds * 1000;
}

/** Whether a Lease is held now: it has a holder and its renewTime plus its duration has not passed. */
export function leaseLive(lease: any, nowMs: number): boolean {
  const expires = leaseExpiresAtMs(lease);
  return !!lease?.spec?.holderIdentity && expires !== undefined && nowMs < expires;
}
