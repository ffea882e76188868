import { LEASE_STRATEGIES, normalizeMicroTime } from '@openpacific/contracts';
import { fieldForbidden, fieldInvalid, fieldNotSupported, StatusCause, validateQualifiedName } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * coordination.k8s.io/v1 Lease as kube-apiserver admits it: ValidateLeaseSpec's checks with their fields and messages,
 * and the MicroTimes written back as it writes them (UTC, six fractional digits). `strategy` and `preferredHolder` are
 * kept and validated as with the CoordinatedLeaderElection feature gate on (this gateway has no gates to turn off).
 */

const MICRO_TIME_FIELDS = ['acquireTime', 'renewTime'] as const;

/** The spec's MicroTimes in kube-apiserver's form; a time that does not parse is left for `validateLease` to refuse. */
export function normalizeLease(lease: any): any {
  const spec = lease.spec;
  if (!spec) return lease;
  for (const field of MICRO_TIME_FIELDS) {
    if (typeof spec[field] !== 'string') continue;
    spec[field] = normalizeMicroTime(spec[field]) ?? spec[field];
  }
  return lease;
}

function validateStrategy(strategy: string): StatusCause[] {
  const field = 'spec.strategy';
  if (!strategy.includes('/')) {
    if (LEASE_STRATEGIES.includes(strategy)) return [];
    return [fieldNotSupported(field, strategy, LEASE_STRATEGIES)];
  }
  const problems = validateQualifiedName(strategy);
  return problems.length ? [fieldInvalid(field, strategy, problems.join(','))] : [];
}

export function validateLease(lease: any): StatusCause[] {
  const spec = lease.spec ?? {};
  const causes: StatusCause[] = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push(fieldInvalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    causes.push(fieldInvalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (spec.strategy !== undefined) causes.push(...validateStrategy(spec.strategy));
  if (spec.preferredHolder && !spec.strategy) {
    causes.push(fieldForbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  for (const field of MICRO_TIME_FIELDS) {
    const value = spec[field];
    if (typeof value === 'string' && normalizeMicroTime(value) === undefined) {
      causes.push(fieldInvalid(`spec.${field}`, value, 'must be an RFC 3339 time, e.g. 2026-12-04T03:30:00.123456Z'));
    }
  }
  return causes;
}

export const coordinationKindStrategies: Record<string, KindStrategy> = {
  'coordination.k8s.io/Lease': { defaults: normalizeLease, validate: validateLease, prepareUpdate: (_old, next) => normalizeLease(next) },
};
