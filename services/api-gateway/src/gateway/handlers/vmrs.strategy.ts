import { labelSelectorString } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy, StrategyContext } from './kind-strategies';
import { controlPlaneAnnotationCauses } from './vm-annotations.validation';
import { validateLabelSelector } from './networkpolicy.strategy';
import { validateVirtualMachine } from './vm.strategy';

/** labels.Selector's String(): requirements by key, `k=v`, `k in (a,b)`, `k notin (a)`, `k`, `!k`. */
export const selectorString = labelSelectorString;

function goMap(m: Record<string, string>): string {
  return `map[${Object.keys(m).sort().map((k) => `${k}:${m[k]}`).join(' ')}]`;
}

/**
 * VM Operator's VirtualMachineReplicaSet webhook: the selector must parse and match the template's labels (a set
 * without a selector matches nothing, so its template's labels never match). Besides it, as a ReplicaSet's,
 * `replicas` may not be negative, and the template's VM spec must be a valid VirtualMachine's (its causes under
 * `spec.template.spec`).
 */
export function validateVirtualMachineReplicaSet(rs: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = rs.spec ?? {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0) {
    causes.push({ field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0` });
  }
  const labels = spec.template?.metadata?.labels ?? {};
  const selectorProblems = spec.selector ? validateLabelSelector(spec.selector, 'spec.selector') : [];
  causes.push(...selectorProblems);
  if (selectorProblems.length === 0) {
    const matches = spec.selector !== undefined && spec.selector !== null && matchesLabelSelector(labelSelectorFromObject(spec.selector), labels);
    if (!matches) {
      causes.push({ field: 'spec.template.metadata.labels', reason: 'FieldValueInvalid', message: `Invalid value: ${goMap(labels)}: must match spec.selector ${JSON.stringify(spec.selector ? selectorString(spec.selector) : '')}` });
    }
  }
  for (const c of validateVirtualMachine({ spec: spec.template?.spec ?? {} })) causes.push({ ...c, field: c.field?.replace(/^spec\./, 'spec.template.spec.') });
  return causes;
}

/** `replicas` defaults to 1 (the CRD's default). */
export function defaultVirtualMachineReplicaSet(rs: any): any {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  return rs;
}

/**
 * The template's annotations as its VMs' (the set's controller copies them onto each VM it makes, past admission): the
 * control plane's own ones are refused there as on a VM (vm-annotations.validation.ts), under `spec.template`.
 */
function templateAnnotationCauses(old: any, next: any, ctx?: StrategyContext): StatusCause[] {
  const template = (rs: any) => (rs ? { metadata: rs.spec?.template?.metadata ?? {} } : undefined);
  return controlPlaneAnnotationCauses(template(old), template(next), ctx?.user).map((c) => ({ ...c, field: `spec.template.${c.field}` }));
}

export const vmReplicaSetKindStrategies: Record<string, KindStrategy> = {
  'vmoperator.vmware.com/VirtualMachineReplicaSet': {
    defaults: defaultVirtualMachineReplicaSet,
    validate: validateVirtualMachineReplicaSet,
    validateCreate: (rs, ctx) => templateAnnotationCauses(undefined, rs, ctx),
    validateUpdate: (old, next, _subresource, ctx) => templateAnnotationCauses(old, next, ctx),
  },
};
