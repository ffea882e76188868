import { isQuantity, parseQuantity, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';
import { validateQuotaScopes, validateQuotaScopesUpdate } from './quota-scopes.validation';

/** Validation of ResourceQuota and LimitRange that the schema cannot express: every value a quantity, worded as kube-apiserver. */

const invalidQuantity = (q: unknown) => `Invalid value: "${q}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;

/** Each value of a resource list (`{cpu: 500m}`) a quantity, and not below zero. */
export function resourceListCauses(field: string, list: unknown): StatusCause[] {
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
    causes.push(...limitOrderCauses(item, `spec.limits[${i}]`));
  });
  return causes;
}

/**
 * As kube-apiserver's ValidateLimitRange, for each resource: min <= defaultRequest <= default <= max, and a
 * maxLimitRequestRatio of at least 1 and at most max/min. A default over the max was taken, and every pod the
 * LimitRange defaulted was then refused for exceeding it.
 */
function limitOrderCauses(item: any, at: string): StatusCause[] {
  const lists = ['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
  const quantities: Record<string, Record<string, string>> = {};
  for (const list of lists) {
    const entries = typeof item?.[list] === 'object' && item[list] !== null ? Object.entries<unknown>(item[list]) : [];
    quantities[list] = Object.fromEntries(entries.filter(([, q]) => isQuantity(q)).map(([name, q]) => [name, String(q)]));
  }
  const causes: StatusCause[] = [];
  const invalid = (list: string, name: string, value: string, message: string) =>
    causes.push({ field: `${at}.${list}[${name}]`, reason: 'FieldValueInvalid', message: `Invalid value: "${value}": ${message}` });
  const names = new Set(lists.flatMap((list) => Object.keys(quantities[list])));
  for (const name of names) {
    const [min, max, dflt, request, ratio] = lists.map((list) => quantities[list][name]);
    const value = (q: string | undefined) => (q === undefined ? undefined : parseQuantity(q)!);
    const [minV, maxV, defaultV, requestV, ratioV] = [min, max, dflt, request, ratio].map(value);
    if (minV !== undefined && maxV !== undefined && minV > maxV) invalid('min', name, min, `min value ${min} is greater than max value ${max}`);
    if (requestV !== undefined && minV !== undefined && minV > requestV) invalid('defaultRequest', name, request, `min value ${min} is greater than default request value ${request}`);
    if (requestV !== undefined && maxV !== undefined && requestV > maxV) invalid('defaultRequest', name, request, `default request value ${request} is greater than max value ${max}`);
    if (requestV !== undefined && defaultV !== undefined && requestV > defaultV) invalid('defaultRequest', name, request, `default request value ${request} is greater than default limit value ${dflt}`);
    if (defaultV !== undefined && minV !== undefined && minV > defaultV) invalid('default', name, min, `min value ${min} is greater than default value ${dflt}`);
    if (defaultV !== undefined && maxV !== undefined && defaultV > maxV) invalid('default', name, max, `default value ${dflt} is greater than max value ${max}`);
    if (ratioV !== undefined && ratioV < 1) invalid('maxLimitRequestRatio', name, ratio, `ratio ${ratio} is less than 1`);
    if (ratioV !== undefined && minV !== undefined && maxV !== undefined && minV > 0 && ratioV > maxV / minV) {
      invalid('maxLimitRequestRatio', name, ratio, `ratio ${ratio} is greater than max/min = ${(maxV / minV).toFixed(6)}`);
    }
  }
  return causes;
}

export const quotaKindStrategies: Record<string, KindStrategy> = {
  '/ResourceQuota': {
    validate: validateResourceQuota, validateUpdate: validateQuotaScopesUpdate,
    // A status write (the quota controller's, or an admin's) is checked too: garbage there was stored as written.
    validateStatusUpdate: (_old, next) => [...resourceListCauses('status.hard', next.status?.hard), ...resourceListCauses('status.used', next.status?.used)],
  },
  '/LimitRange': { validate: validateLimitRange },
};
