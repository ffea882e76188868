import { fieldInvalid, isQuantity, parseQuantity, StatusCause, validateDns1123Label, validateLabelValue, validateQualifiedName } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * node.k8s.io/v1 RuntimeClass as kube-apiserver validates it: the handler a DNS label (and immutable), the overhead
 * whole quantities of at least 0, the node selector labels.
 */
export function validateRuntimeClass(rc: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const handler = typeof rc.handler === 'string' ? rc.handler : '';
  for (const m of validateDns1123Label(handler)) causes.push(fieldInvalid('handler', handler, m));
  for (const [name, q] of Object.entries<unknown>(rc.overhead?.podFixed ?? {})) {
    const field = `overhead.podFixed[${name}]`;
    if (!isQuantity(q)) causes.push(fieldInvalid(field, String(q), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (parseQuantity(q as string)! < 0) causes.push(fieldInvalid(field, String(q), 'must be greater than or equal to 0'));
  }
  for (const [k, v] of Object.entries<string>(rc.scheduling?.nodeSelector ?? {})) {
    for (const m of validateQualifiedName(k)) causes.push(fieldInvalid('scheduling.nodeSelector', k, m));
    for (const m of validateLabelValue(v)) causes.push(fieldInvalid('scheduling.nodeSelector', v, m));
  }
  return causes;
}

export function validateRuntimeClassUpdate(old: any, next: any): StatusCause[] {
  return old.handler === next.handler ? [] : [fieldInvalid('handler', next.handler ?? '', 'field is immutable')];
}

export const runtimeClassKindStrategies: Record<string, KindStrategy> = {
  'node.k8s.io/RuntimeClass': { validate: validateRuntimeClass, validateUpdate: validateRuntimeClassUpdate },
};
