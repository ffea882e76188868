import type { StatusCause } from '@openpacific/kube-api';

const ID_MSG = 'must be between 0 and 2147483647, inclusive';
const MAX_ID = 2 ** 31 - 1;

/**
 * The pod's and its containers' securityContext as kube-apiserver (1.32) validates them: user and group ids in range
 * (`spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive`), a known
 * fsGroupChangePolicy, and `allowPrivilegeEscalation: false` with neither `privileged` nor CAP_SYS_ADMIN. A value
 * that is no integer at all fails the same way (kube-apiserver fails to decode it, with a 400).
 */
export function validateSecurityContexts(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const sc = spec?.securityContext;
  if (isObject(sc)) {
    const at = 'spec.securityContext';
    for (const field of ['runAsUser', 'runAsGroup', 'fsGroup']) checkId(sc[field], `${at}.${field}`, causes);
    if (Array.isArray(sc.supplementalGroups)) sc.supplementalGroups.forEach((g: unknown, i: number) => checkId(g, `${at}.supplementalGroups[${i}]`, causes));
    if (sc.fsGroupChangePolicy != null && sc.fsGroupChangePolicy !== 'OnRootMismatch' && sc.fsGroupChangePolicy !== 'Always') {
      causes.push({ field: `${at}.fsGroupChangePolicy`, reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(sc.fsGroupChangePolicy)}: supported values: "Always", "OnRootMismatch"` });
    }
  }
  const lists: [unknown, string][] = [[spec?.initContainers, 'spec.initContainers'], [spec?.containers, 'spec.containers'], [spec?.ephemeralContainers, 'spec.ephemeralContainers']];
  for (const [list, path] of lists) {
    if (!Array.isArray(list)) continue;
    list.forEach((c: any, i: number) => {
      if (isObject(c?.securityContext)) causes.push(...containerCauses(c.securityContext, `${path}[${i}].securityContext`));
    });
  }
  return causes;
}

function containerCauses(sc: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['runAsUser', 'runAsGroup']) checkId(sc[field], `${at}.${field}`, causes);
  if (sc.allowPrivilegeEscalation === false) {
    // kube-apiserver prints the whole securityContext as the invalid value; its Go struct has no JSON form to copy.
    if (sc.privileged === true) causes.push({ field: at, reason: 'FieldValueInvalid', message: 'Invalid value: "securityContext": cannot set `allowPrivilegeEscalation` to false and `privileged` to true' });
    const added: unknown[] = Array.isArray(sc.capabilities?.add) ? sc.capabilities.add : [];
    if (added.includes('SYS_ADMIN')) causes.push({ field: at, reason: 'FieldValueInvalid', message: 'Invalid value: "securityContext": cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN' });
  }
  return causes;
}

function checkId(value: unknown, field: string, causes: StatusCause[]): void {
  if (value === undefined || value === null) return;
  if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_ID) return;
  causes.push({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}: ${ID_MSG}` });
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
