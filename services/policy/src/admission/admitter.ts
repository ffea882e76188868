import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import type { LogPosition } from '@openpacific/event-store';

/**
 * An admitter's answer: pass (optionally with a mutated object, and warnings for the client) or refuse; either way
 * with annotations for the request's audit record, if it has any.
 */
export type AdmissionVerdict =
  | { allowed: true; patchedObject?: unknown; warnings?: string[]; auditAnnotations?: Record<string, string> }
  | { allowed: false; status: NonNullable<AdmissionResponse['status']>; auditAnnotations?: Record<string, string> };

/**
 * One admission rule (quota, limit range, class access, ...). Admitters run in
 * order; a mutating one returns `patchedObject`, which the next ones see as `object`.
 */
export interface Admitter {
  readonly name: string;
  admit(request: AdmissionRequest, context?: AdmissionContext): AdmissionVerdict | Promise<AdmissionVerdict>;
}

/** What the asking gateway tells about the log along with its reviews (admission-batch.ts). */
export interface AdmissionContext {
  /**
   * How far the asking gateway had read the log when it asked: every write it acknowledged, and everything
   * its clients could read from it, is at or below this position. Decisions that must see such writes wait
   * for the policy service's read model to get this far (PolicyState.caughtUp) instead of reading the log
   * twice to its end. Absent: they read the log to its end.
   */
  readAt?: LogPosition;
}

/** Nest token under which the policy module collects its admitters, in order. */
export const ADMITTERS = Symbol.for('openpacific.policy.Admitters');
