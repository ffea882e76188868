import { CONTENT_LIBRARIES_RESOURCE, DEFAULT_LIBRARY_LABEL, ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import { controllerReadModel, sameJson, StoredObject } from '@openpacific/objects';
import { R } from '../vms/vm-resources';
import { publishedImage } from './published-image';
import { expiresAt, PublishFacts, publishConditions, publishedIds } from './publish-request.status';
import { RequestControllerDeps, RequestPass } from './request-pass';

export const PUBLISH_REQUESTS_RESOURCE = 'virtualmachinepublishrequests.vmoperator.vmware.com';
const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };

/**
 * VirtualMachinePublishRequests (in the elected vm-operator), as VM Operator's publish controller: validates the
 * source VM and the target ContentLibrary, "uploads" the VM (on the simulated hypervisor: a new VirtualMachineImage
 * of the namespace with the source's image facts and a ContentLibraryItem providerRef), reports the image, and
 * deletes the request `ttlSecondsAfterFinished` after it completed.
 */
export class PublishRequestController extends RequestPass {
  constructor(deps: RequestControllerDeps) {
    super(deps, controllerReadModel([PUBLISH_REQUESTS_RESOURCE, R.vms, R.images, R.clusterImages, CONTENT_LIBRARIES_RESOURCE]), PUBLISH_REQUESTS_RESOURCE, 'publish request');
  }

  protected async handle(stored: StoredObject): Promise<number | undefined> {
    if (stored.object.metadata.deletionTimestamp) return undefined;
    const at = expiresAt(stored.object);
    if (at !== undefined && at <= Date.now()) await this.remove(stored);
    else if (at !== undefined) return at;
    else if (!stored.object.status?.ready) await this.reconcile(stored);
    return undefined;
  }

  private library(namespace: string, name: string | undefined): StoredObject | undefined {
    if (name) return this.model.get(CONTENT_LIBRARIES_RESOURCE, namespace, name);
    return this.model.list(CONTENT_LIBRARIES_RESOURCE, namespace).find((l) => l.object.metadata.labels?.[DEFAULT_LIBRARY_LABEL] !== undefined);
  }

  private async reconcile(stored: StoredObject): Promise<void> {
    const req = stored.object;
    const ns = req.metadata.namespace;
    const spec = req.spec ?? {};
    const sourceName = spec.source?.name || req.metadata.name;
    const itemName = spec.target?.item?.name || `${sourceName}-image`;
    const vm = this.model.get(R.vms, ns, sourceName)?.object;
    const lib = this.library(ns, spec.target?.location?.name);
    const libraryName = lib?.object.metadata.name ?? spec.target?.location?.name;
    const ids = publishedIds(req.metadata.uid, libraryName ?? '', itemName);
    const ours = this.model.get(R.images, ns, ids.imageName)?.object;
    const taken = this.model.list(R.images, ns).some((i) => i.object.metadata.name !== ids.imageName && (i.object.status?.name === itemName || i.object.metadata.name === itemName));
    const facts: PublishFacts = {
      source: !vm || vm.metadata.deletionTimestamp ? 'missing' : vm.status?.uniqueID ? 'ok' : 'notCreated',
      target: !lib ? 'missing' : lib.object.spec?.writable !== true ? 'notWritable' : taken && !ours ? 'itemTaken' : 'ok',
      sourceName,
      libraryName,
      itemName,
      attempted: (req.status?.attempts ?? 0) > 0 || !!ours,
      uploaded: !!ours,
      imageName: this.model.list(R.images, ns).find((i) => i.object.status?.providerItemID === ids.itemID)?.object.metadata.name,
    };
    const now = rfc3339();
    const prev = req.status ?? {};
    const status: any = {
      ...prev,
      sourceRef: { name: sourceName, apiVersion: spec.source?.apiVersion, kind: spec.source?.kind ?? 'VirtualMachine' },
      targetRef: { item: { name: itemName, ...(spec.target?.item?.description ? { description: spec.target.item.description } : {}) }, location: { ...spec.target?.location, ...(libraryName ? { name: libraryName } : {}) } },
      startTime: prev.startTime ?? now,
    };
    if (facts.source === 'ok' && facts.target === 'ok' && !ours) {
      // The upload: one attempt, whose result (the image) the next pass finds in the read model.
      status.attempts = (prev.attempts ?? 0) + 1;
      status.lastAttemptTime = now;
      const image = publishedImage({ vm, images: this.model, namespace: ns, ids, itemName, now });
      await this.deps.store.append(objectStreamId(R.images, ns, ids.imageName), [{ type: ObjectEventTypes.created, data: { resource: R.images, object: image }, metadata: ACTOR }], {
        expectedVersion: this.model.streamVersion(R.images, ns, ids.imageName),
      });
      facts.attempted = facts.uploaded = true;
    }
    status.conditions = publishConditions(facts, prev.conditions, req.metadata.generation ?? 1, now);
    const done = status.conditions.every((c: any) => c.status === 'True');
    if (facts.imageName) status.imageName = facts.imageName;
    if (done) {
      status.ready = true;
      status.completionTime = status.conditions.find((c: any) => c.type === 'Complete').lastTransitionTime;
    }
    // As stored: without the undefined fields a JSON round trip drops, so an unchanged status compares equal.
    const written = JSON.parse(JSON.stringify(status));
    if (sameJson(written, prev)) return;
    const next = structuredClone(req);
    delete next.metadata.resourceVersion;
    next.status = written;
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.statusUpdated, data: { resource: PUBLISH_REQUESTS_RESOURCE, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
  }

  private async remove(stored: StoredObject): Promise<void> {
    const next = structuredClone(stored.object);
    delete next.metadata.resourceVersion;
    await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.deleted, data: { resource: PUBLISH_REQUESTS_RESOURCE, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
  }
}
