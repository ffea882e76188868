import { randomUUID } from 'node:crypto';
import {
  CLUSTER_VM_IMAGES_RESOURCE, memoryQuantity, newStoragePolicyUsage, ObjectEventTypes, objectStreamId, rfc3339, STORAGE_CLASSES_RESOURCE, STORAGE_POLICY_QUOTAS_RESOURCE,
  STORAGE_POLICY_USAGES_RESOURCE, storageClassesOfPolicy, VIRTUAL_MACHINES_RESOURCE, VM_IMAGES_RESOURCE, VM_USAGE_EXTENSION, vmUsageName, vmUsageOfClass,
} from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { parseQuantity } from '@openpacific/kube-api';
import { controllerReadModel, feedPassLoop, PassLoop, sameJson, type SharedFollower } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';

const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };

/**
 * VM Operator's StoragePolicyQuota and StoragePolicyUsage controllers (in the elected vm-operator): for every
 * StoragePolicyQuota, per StorageClass of its policy, the VMs' StoragePolicyUsage `<class>-vm-usage` (made if
 * missing, owned by the quota so it goes with it), whose `status.quotaUsage` is what the namespace's VMs of that
 * class reserve (not created yet: their image's disks) and use (created). Writes only what differs.
 */
export class VmUsageController {
  private readonly model = controllerReadModel([STORAGE_POLICY_QUOTAS_RESOURCE, STORAGE_POLICY_USAGES_RESOURCE, STORAGE_CLASSES_RESOURCE, VIRTUAL_MACHINES_RESOURCE, VM_IMAGES_RESOURCE, CLUSTER_VM_IMAGES_RESOURCE]);
  private readonly objects = { get: (r: string, ns: string | undefined, name: string) => this.model.get(r, ns, name)?.object, list: (r: string, ns?: string) => this.model.list(r, ns).map((s) => s.object) };
  private readonly loop: PassLoop;

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger }) {
    this.loop = feedPassLoop(deps.feed, this.model, () => this.pass(), { what: 'storage policy usage', logger: deps.logger });
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async pass(): Promise<void> {
    for (const { object: spq } of this.model.list(STORAGE_POLICY_QUOTAS_RESOURCE)) {
      if (spq.metadata.deletionTimestamp || !spq.spec?.storagePolicyId) continue;
      const writes = storageClassesOfPolicy(spq.spec.storagePolicyId, this.objects).flatMap((sc) => this.usageWrites(spq, sc));
      try {
        if (writes.length) await this.deps.store.appendBatch(writes);
      } catch (err) {
        // A concurrent change: the next pass sees it.
        if (!(err instanceof VersionConflictError)) throw err;
      }
    }
  }

  private usageWrites(spq: any, storageClass: string): StreamAppend[] {
    const ns: string = spq.metadata.namespace;
    const name = vmUsageName(storageClass);
    const u = vmUsageOfClass(ns, storageClass, this.objects, parseQuantity);
    const status = { quotaUsage: { reserved: memoryQuantity(u.reserved), used: memoryQuantity(u.used) } };
    const stored = this.model.get(STORAGE_POLICY_USAGES_RESOURCE, ns, name);
    const version = this.model.streamVersion(STORAGE_POLICY_USAGES_RESOURCE, ns, name);
    if (!stored) {
      const usage = { name, kind: 'VirtualMachine', apiGroup: 'vmoperator.vmware.com', extension: VM_USAGE_EXTENSION };
      return [append({ ...newStoragePolicyUsage(spq, storageClass, usage, { uid: randomUUID(), creationTimestamp: rfc3339() }), status }, ObjectEventTypes.created, version)];
    }
    const spu = stored.object;
    if (spu.metadata.deletionTimestamp || spu.spec?.resourceExtensionName !== VM_USAGE_EXTENSION || sameJson(spu.status, status)) return [];
    return [append({ ...spu, status }, ObjectEventTypes.statusUpdated, version)];
  }
}

function append(object: any, type: string, expectedVersion: number): StreamAppend {
  const next = { ...object, metadata: { ...object.metadata } };
  delete next.metadata.resourceVersion;
  const resource = STORAGE_POLICY_USAGES_RESOURCE;
  return { streamId: objectStreamId(resource, next.metadata.namespace, next.metadata.name), events: [{ type, data: { resource, object: next }, metadata: ACTOR }], expectedVersion };
}
