import type { AdmissionRequest } from '@openpacific/contracts';
import type { AdmissionVerdict, Admitter } from '../admission/admitter';
import type { PolicyState } from '../state/policy-state';
import { modelObjects, STORAGE_NOT_ASSOCIATED, storageClassesOf, unassociatedStorageClasses, vmClassProblem, vmImageProblem } from './namespace-usage';

const KINDS = new Set(['VirtualMachine', 'PersistentVolumeClaim', 'TanzuKubernetesCluster']);

/** Refuses VMs, claims and TKCs that use classes, images or storage policies the namespace does not have. */
export class NamespaceUsageAdmitter implements Admitter {
  readonly name = 'NamespaceUsage';

  constructor(private readonly state: PolicyState) {}

  async admit(request: AdmissionRequest): Promise<AdmissionVerdict> {
    const ns = request.namespace;
    if (!ns || request.subResource || !KINDS.has(request.kind) || (request.operation !== 'CREATE' && request.operation !== 'UPDATE')) return { allowed: true };
    let problems = this.problems(request, ns);
    if (problems.length > 0) {
      // The class or image may have been written a moment ago: decide again on the log as it is now.
      await this.state.fresh();
      problems = this.problems(request, ns);
    }
    if (problems.length === 0) return { allowed: true };
    const plural = request.resource.group ? `${request.resource.resource}.${request.resource.group}` : request.resource.resource;
    const name = (request.object as any)?.metadata?.name ?? request.name;
    return { allowed: false, status: { code: 403, reason: 'Forbidden', message: `${plural} "${name}" is forbidden: ${problems.join('; ')}` } };
  }

  private problems(request: AdmissionRequest, ns: string): string[] {
    const objects = modelObjects(this.state.model);
    const obj = request.object as any;
    const old = request.oldObject as any;
    const out: string[] = [];
    if (request.kind === 'VirtualMachine') {
      // On an update only what changed is checked: a class removed from the namespace does not freeze its VMs.
      if (request.operation === 'CREATE' || obj?.spec?.className !== old?.spec?.className) {
        const p = vmClassProblem(obj, ns, objects);
        if (p) out.push(p);
      }
      const ref = (o: any) => JSON.stringify([o?.spec?.image, o?.spec?.imageName]);
      if (request.operation === 'CREATE' || ref(obj) !== ref(old)) {
        const p = vmImageProblem(obj, ns, objects);
        if (p) out.push(p);
      }
    }
    const before = new Set(request.operation === 'UPDATE' ? storageClassesOf(request.kind, old) : []);
    const added = storageClassesOf(request.kind, obj).filter((c) => !before.has(c));
    const missing = unassociatedStorageClasses(added, ns, objects);
    if (missing.length > 0) out.push(`${STORAGE_NOT_ASSOCIATED} "${ns}": ${missing.map((c) => `StorageClass "${c}"`).join(', ')}`);
    return out;
  }
}
