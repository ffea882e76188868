import { fieldForbidden, StatusCause, validateDns1123Label } from '@openpacific/kube-api';
import { deepEqual } from './object-rules';

/**
 * Ephemeral containers (`kubectl debug`) as kube-apiserver 1.32 validates them. They are added to a running pod through
 * the `pods/ephemeralcontainers` subresource, never on create, never changed or removed once there; they may not set
 * what would make a pod rely on them (ports, probes, lifecycle, resources...).
 */

const FIELD = 'spec.ephemeralContainers';

/** Container fields an ephemeral container may not set (kube-apiserver keeps an allow-list; these are the rest of Container). */
const FORBIDDEN_FIELDS = ['ports', 'resources', 'resizePolicy', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy'];


/** Unset, or set to nothing (`resources: {}`, which kubectl debug sends): what Go's zero value would be. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.values(value as object).every(isEmpty);
}

/** Only through the subresource: a new pod has none. */
export function validatePodCreate(pod: any): StatusCause[] {
  return (pod.spec?.ephemeralContainers ?? []).length > 0 ? [fieldForbidden(FIELD, 'cannot be set on create')] : [];
}

/** Names unique among every container of the pod, an image, none of the forbidden fields, a target that is a container of the pod. */
export function validateEphemeralContainers(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const others = new Set([...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => c?.name));
  const seen = new Set<string>();
  ((spec.ephemeralContainers ?? []) as any[]).forEach((c, i) => {
    const at = `${FIELD}[${i}]`;
    if (!c?.name) causes.push({ field: `${at}.name`, reason: 'FieldValueRequired', message: 'Required value' });
    else for (const m of validateDns1123Label(c.name)) causes.push({ field: `${at}.name`, reason: 'FieldValueInvalid', message: `Invalid value: "${c.name}": ${m}` });
    if (c?.name && (others.has(c.name) || seen.has(c.name))) causes.push({ field: `${at}.name`, reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"` });
    seen.add(c?.name);
    if (!c?.image) causes.push({ field: `${at}.image`, reason: 'FieldValueRequired', message: 'Required value' });
    for (const f of FORBIDDEN_FIELDS) if (!isEmpty(c?.[f])) causes.push(fieldForbidden(`${at}.${f}`, 'cannot be set for an Ephemeral Container'));
    ((c?.volumeMounts ?? []) as any[]).forEach((m, j) => {
      for (const f of ['subPath', 'subPathExpr']) if (m?.[f]) causes.push(fieldForbidden(`${at}.volumeMounts[${j}].${f}`, 'cannot be set for an Ephemeral Container'));
    });
    if (c?.targetContainerName && !others.has(c.targetContainerName)) {
      causes.push({ field: `${at}.targetContainerName`, reason: 'FieldValueNotFound', message: `Not found: "${c.targetContainerName}"` });
    }
  });
  return causes;
}

/** Through the subresource: ephemeral containers are only added; one already there is neither changed nor removed. */
export function validateEphemeralContainersUpdate(old: any, next: any): StatusCause[] {
  const now = new Map<string, any>(((next.spec?.ephemeralContainers ?? []) as any[]).map((c) => [c?.name, c]));
  const causes: StatusCause[] = [];
  for (const before of (old.spec?.ephemeralContainers ?? []) as any[]) {
    const after = now.get(before.name);
    if (!after) causes.push(fieldForbidden(FIELD, `existing ephemeral containers "${before.name}" may not be removed`));
    else if (!deepEqual(before, after)) causes.push(fieldForbidden(FIELD, `existing ephemeral containers "${before.name}" may not be changed`));
  }
  return causes;
}
