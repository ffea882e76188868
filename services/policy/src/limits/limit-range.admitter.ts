import type { AdmissionRequest } from '@openpacific/contracts';
import type { AdmissionContext, AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { aggregate, claimLimitViolations, defaultPodResources, limitItems, podLimitViolations, vmClassViolations } from './limit-range';

export const LIMIT_RANGES_RESOURCE = 'limitranges';
const CLASSES = 'virtualmachineclasses.vmoperator.vmware.com';

/** Mutating: LimitRange defaults on pods, then min/max/ratio on pods, claims and VMs (through their class). */
export class LimitRangeAdmitter implements Admitter {
  readonly name = 'LimitRanger';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionVerdict> {
    const ns = request.namespace;
    if (!ns || request.subResource || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return { allowed: true };
    const kind = request.kind;
    if (kind !== 'Pod' && kind !== 'PersistentVolumeClaim' && kind !== 'VirtualMachine') return { allowed: true };
    // Pod resources are immutable, a VM's only change with its class: nothing to check on other updates.
    if (request.operation === 'UPDATE' && kind === 'Pod') return { allowed: true };
    if (request.operation === 'UPDATE' && kind === 'VirtualMachine' && (request.object as any)?.spec?.className === (request.oldObject as any)?.spec?.className) return { allowed: true };
    // A LimitRange written a moment ago must apply: read the log as far as the asking gateway had (or to its end).
    await this.state.caughtUp(context.readAt);
    const ranges = this.state.model.list(LIMIT_RANGES_RESOURCE, ns).map((s) => s.object);
    if (ranges.length === 0) return { allowed: true };
    const obj = request.object as any;
    const plural = request.resource.group ? `${request.resource.resource}.${request.resource.group}` : request.resource.resource;
    const refuse = (errors: string[]): AdmissionVerdict => ({
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: `${plural} "${obj.metadata.name}" is forbidden: ${aggregate(errors)}` },
    });
    if (kind === 'Pod') {
      const defaulted = defaultPodResources(obj, limitItems(ranges, 'Container'));
      const pod = defaulted.pod;
      if (defaulted.annotation) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), 'kubernetes.io/limit-ranger': defaulted.annotation };
      const errors = podLimitViolations(pod, limitItems(ranges, 'Container'), limitItems(ranges, 'Pod'));
      if (errors.length) return refuse(errors);
      return pod === obj ? { allowed: true } : { allowed: true, patchedObject: pod };
    }
    if (kind === 'PersistentVolumeClaim') {
      const errors = claimLimitViolations(obj, limitItems(ranges, 'PersistentVolumeClaim'));
      return errors.length ? refuse(errors) : { allowed: true };
    }
    const cls = obj.spec?.className && this.state.model.get(CLASSES, ns, obj.spec.className)?.object;
    const errors = cls ? vmClassViolations(cls, limitItems(ranges, 'Container')) : [];
    return errors.length ? refuse(errors) : { allowed: true };
  }
}
