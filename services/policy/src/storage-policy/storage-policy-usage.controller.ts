import { randomUUID } from 'node:crypto';
import {
  claimUsageOfClass, newStoragePolicyUsage, ObjectEventTypes, objectStreamId, PVC_USAGE_EXTENSION, pvcUsageName, rfc3339, STORAGE_POLICY_QUOTAS_RESOURCE,
  STORAGE_POLICY_USAGES_RESOURCE, storageClassesOfPolicy,
} from '@openpacific/contracts';
import { type EventStore, type StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { parseQuantity } from '@openpacific/kube-api';
import { PassLoop, sameJson } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { PolicyState } from '../state/policy-state';
import { modelObjects } from '../usage/namespace-usage';
import { quotaUsageStatus, storagePolicyQuotaStatus } from './storage-policy-status';

/** The CSI driver's syncer, whose part (the claims' StoragePolicyUsages) this controller plays. */
const ACTOR = { actor: 'system:serviceaccount:vmware-system-csi:vsphere-csi-controller', source: 'policy' };

/**
 * Keeps, for every StoragePolicyQuota, what the Supervisor's storage side keeps: per StorageClass of its policy the
 * claims' StoragePolicyUsage `<class>-pvc-usage` (the CSI driver's, made if missing, owned by the quota so it goes
 * with it) and its `status.quotaUsage`; and the quota's status, aggregated from every StoragePolicyUsage of its
 * policy in the namespace (the VMs' ones are the vm-operator's). Runs on the elected policy replica; writes only
 * what differs, at the objects' stream versions.
 */
export class StoragePolicyUsageController {
  private readonly loop: PassLoop;

  constructor(
    private readonly deps: { store: EventStore; state: PolicyState; logger: Logger },
    resyncMs = 2000,
  ) {
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs,
      onError: (err) => deps.logger.warn('storage policy usage pass failed; retrying', { error: (err as Error).message }),
    });
  }

  start(): void {
    this.loop.start();
    this.loop.schedule();
  }

  stop(): void {
    this.loop.stop();
  }

  kick(): void {
    this.loop.schedule();
  }

  private async pass(): Promise<void> {
    for (const stored of this.deps.state.model.list(STORAGE_POLICY_QUOTAS_RESOURCE)) {
      const spq = stored.object;
      if (spq.metadata.deletionTimestamp || !spq.spec?.storagePolicyId) continue;
      try {
        const writes = this.quotaWrites(spq, stored.streamVersion);
        if (writes.length) await this.deps.store.appendBatch(writes);
      } catch (err) {
        // A concurrent change: the next pass sees it.
        if (!(err instanceof VersionConflictError)) throw err;
        this.deps.logger.debug('storage policy usage write skipped', { quota: `${spq.metadata.namespace}/${spq.metadata.name}`, error: (err as Error).message });
      }
    }
  }

  /** The claims' usages of the quota's classes as they should be, then the quota's status from every usage of the namespace. */
  private quotaWrites(spq: any, spqVersion: number): StreamAppend[] {
    const model = this.deps.state.model;
    const objects = modelObjects(model);
    const ns: string = spq.metadata.namespace;
    const writes: StreamAppend[] = [];
    const usages = new Map(model.list(STORAGE_POLICY_USAGES_RESOURCE, ns).map((s) => [s.object.metadata.name, s.object]));
    for (const sc of storageClassesOfPolicy(spq.spec.storagePolicyId, objects)) {
      const name = pvcUsageName(sc);
      const status = { quotaUsage: quotaUsageStatus(claimUsageOfClass(ns, sc, objects, parseQuantity)) };
      const current = usages.get(name);
      if (!current) {
        const spu = { ...newStoragePolicyUsage(spq, sc, { name, kind: 'PersistentVolumeClaim', extension: PVC_USAGE_EXTENSION }, { uid: randomUUID(), creationTimestamp: rfc3339() }), status };
        writes.push(append(STORAGE_POLICY_USAGES_RESOURCE, spu, ObjectEventTypes.created, model.streamVersion(STORAGE_POLICY_USAGES_RESOURCE, ns, name)));
        usages.set(name, spu);
      } else if (current.spec?.resourceExtensionName === PVC_USAGE_EXTENSION && !current.metadata.deletionTimestamp && !sameJson(current.status, status)) {
        const next = { ...current, status };
        writes.push(append(STORAGE_POLICY_USAGES_RESOURCE, next, ObjectEventTypes.statusUpdated, model.streamVersion(STORAGE_POLICY_USAGES_RESOURCE, ns, name)));
        usages.set(name, next);
      }
    }
    const status = storagePolicyQuotaStatus(spq, [...usages.values()]);
    if (!sameJson(spq.status ?? {}, status)) writes.push(append(STORAGE_POLICY_QUOTAS_RESOURCE, { ...spq, status }, ObjectEventTypes.statusUpdated, spqVersion));
    return writes;
  }
}

function append(resource: string, object: any, type: string, expectedVersion: number): StreamAppend {
  const next = { ...object, metadata: { ...object.metadata } };
  delete next.metadata.resourceVersion;
  const { namespace, name } = next.metadata;
  return { streamId: objectStreamId(resource, namespace, name), events: [{ type, data: { resource, object: next }, metadata: ACTOR }], expectedVersion };
}
