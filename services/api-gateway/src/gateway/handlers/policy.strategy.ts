import { StatusCause } from '@openpacific/kube-api';
import { intOrPercent } from './apps.strategy';
import type { KindStrategy } from './kind-strategies';

/** policy/v1 PodDisruptionBudget: the validation the schema cannot express, worded as kube-apiserver's. */
export function validatePodDisruptionBudget(pdb: any): StatusCause[] {
  const spec = pdb.spec ?? {};
  const causes: StatusCause[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    causes.push({ field: 'spec', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(spec)}: minAvailable and maxUnavailable cannot be both set` });
  }
  intOrPercent('spec.minAvailable', spec.minAvailable, causes);
  intOrPercent('spec.maxUnavailable', spec.maxUnavailable, causes);
  return causes;
}

export const policyKindStrategies: Record<string, KindStrategy> = {
  'policy/PodDisruptionBudget': { validate: validatePodDisruptionBudget },
};
