import { isQuantity, parseQuantity, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';
import { validateQuotaScopes, validateQuotaScopesUpdate } from './quota-scopes.validation';

/** Validation of ResourceQuota and LimitRange that the schema cannot express: every value a quantity, worded as kube-apiserver. */

const invalidQuantity = (q: unknown) => `Invalid value: "${q}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

function resourceListCauses(field: string, list: unknown): StatusCause[] {
  if (list === undefined || list === null || typeof list !== 'object') return [];
  const causes: StatusCause[] = [];
  for (const [name, q] of Object.entries(list as Record<string, unknown>)) {
    const at = `${field}.${name}`;
    if (!isQuantity(q)) causes.push({ field: at, reason: 'FieldValueInvalid', message: invalidQuantity(q) });
    else if (parseQuantity(q as string)! < 0) causes.push({ field: at, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": must be greater than or equal to 0` });
  }
  return causes;
}

export function validateResourceQuota(quota: any): StatusCause[] {
  return [
    ...resourceListCauses('spec.hard', quota.spec?.hard),
    ...validateQuotaScopes(quota),
    ...resourceListCauses('status.hard', quota.status?.hard),
    ...resourceListCauses('status.used', quota.status?.used),
  ];
}

export function validateLimitRange(lr: any): StatusCause[] {
  const causes: StatusCause[] = [];
  (lr.spec?.limits ?? []).forEach((item: any, i: number) => {
    for (const key of ['default', 'defaultRequest', 'min', 'max', 'maxLimitRequestRatio']) {
      causes.push(...resourceListCauses(`spec.limits[${i}].${key}`, item?.[key]));
    }
    // As kube-apiserver: min <= defaultRequest <= default <= max for each resource.
    for (const [name, q] of Object.entries<any>(item?.min ?? {})) {
      const max = item?.max?.[name];
      if (max !== undefined && isQuantity(q) && isQuantity(max) && parseQuantity(q)! > parseQuantity(max)!) {
        causes.push({ field: `spec.limits[${i}].min[${name}]`, reason: 'FieldValueInvalid', message: `Invalid value: "${q}": min value ${q} is greater than max value ${max}` });
      }
    }
  });
  return causes;
}

export const quotaKindStrategies: Record<string, KindStrategy> = {
  '/ResourceQuota': { validate: validateResourceQuota, validateUpdate: validateQuotaScopesUpdate },
  '/LimitRange': { validate: validateLimitRange },
};
