import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';

/** An admitter's answer: pass (optionally with a mutated object) or refuse. */
export type AdmissionVerdict =
  | { allowed: true; patchedObject?: unknown }
  | { allowed: false; status: NonNullable<AdmissionResponse['status']> };

/**
 * One admission rule (quota, limit range, class access, ...). Admitters run in
 * order; a mutating one returns `patchedObject`, which the next ones see as `object`.
 */
export interface Admitter {
  readonly name: string;
  admit(request: AdmissionRequest): AdmissionVerdict | Promise<AdmissionVerdict>;
}

/** Nest token under which the policy module collects its admitters, in order. */
export const ADMITTERS = Symbol.for('openpacific.policy.Admitters');
