import { ObjectEventTypes, objectStreamId, VIRTUAL_MACHINE_GROUP_PUBLISH_REQUESTS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import { generateName } from '@openpacific/kube-api';
import { controllerReadModel, sameJson, StoredObject } from '@openpacific/objects';
import { randomUUID } from 'node:crypto';
import { GROUP_PUBLISH_FINALIZER, groupExpiresAt, groupPublishStatus, isComplete, ownedRequests, publishRequestFor, specProblems } from './group-publish-request.status';
import { PUBLISH_REQUESTS_RESOURCE } from './publish-request-controller';
import { RequestControllerDeps, RequestPass } from './request-pass';

const GROUP_REQUESTS = VIRTUAL_MACHINE_GROUP_PUBLISH_REQUESTS_RESOURCE;
const ACTOR = { actor: 'system:serviceaccount:vmware-system-vmop:vmware-system-vmop-controller-manager', source: 'vm-operator' };

/** A write of `next` over what `stored` holds, of the given event type. */
function writeOf(resource: string, stored: StoredObject, next: any, type: string): StreamAppend {
  const object = { ...next, metadata: { ...next.metadata } };
  delete object.metadata.resourceVersion;
  return { streamId: stored.streamId, events: [{ type, data: { resource, object }, metadata: ACTOR }], expectedVersion: stored.streamVersion };
}

/** Deletes an object now, or starts its deletion when finalizers hold it. */
function deletion(resource: string, stored: StoredObject, now: string): StreamAppend {
  const obj = stored.object;
  if (!obj.metadata.finalizers?.length) return writeOf(resource, stored, obj, ObjectEventTypes.deleted);
  if (obj.metadata.deletionTimestamp) return writeOf(resource, stored, obj, ObjectEventTypes.updated);
  return writeOf(resource, stored, { ...obj, metadata: { ...obj.metadata, deletionTimestamp: now, deletionGracePeriodSeconds: 0 } }, ObjectEventTypes.deletionStarted);
}

/**
 * VirtualMachineGroupPublishRequests (in the elected vm-operator), as VM Operator's group publish controller: a
 * request holds its finalizer, makes one VirtualMachinePublishRequest per VM of `spec.virtualMachines` (which the
 * publish controller carries out), copies their progress into `status.images`, and is Complete once every one is
 * ready. A complete request is deleted `ttlSecondsAfterFinished` after its completion; a deleted one deletes its
 * publish requests before letting go of its finalizer (the garbage collector would take them too, by their owner
 * reference, but later). The images outlive them all.
 */
export class GroupPublishRequestController extends RequestPass {
  constructor(deps: RequestControllerDeps) {
    super(deps, controllerReadModel([GROUP_REQUESTS, PUBLISH_REQUESTS_RESOURCE]), GROUP_REQUESTS, 'group publish request');
  }

  protected async handle(stored: StoredObject): Promise<number | undefined> {
    const at = stored.object.metadata.deletionTimestamp ? undefined : groupExpiresAt(stored.object);
    if (at !== undefined && at > Date.now()) return at;
    const writes = this.reconcile(stored, at !== undefined);
    if (writes.length) await this.deps.store.appendBatch(writes);
    return undefined;
  }

  /**
   * The writes one group request needs now. New publish requests go out in one transaction with the group
   * request's status, which names them: written at the version this pass read, so a pass that has not seen them yet
   * (the model behind the log) conflicts instead of making them twice.
   */
  private reconcile(stored: StoredObject, expired: boolean): StreamAppend[] {
    const groupReq = stored.object;
    const { namespace } = groupReq.metadata;
    const now = rfc3339();
    const finalizers: string[] = groupReq.metadata.finalizers ?? [];
    const owned = ownedRequests(groupReq, this.model.list(PUBLISH_REQUESTS_RESOURCE, namespace).map((s) => s.object));
    if (groupReq.metadata.deletionTimestamp) {
      if (!finalizers.includes(GROUP_PUBLISH_FINALIZER)) return [];
      const children = [...owned.values()].map((req) => deletion(PUBLISH_REQUESTS_RESOURCE, this.model.get(PUBLISH_REQUESTS_RESOURCE, namespace, req.metadata.name)!, now));
      const left = finalizers.filter((f) => f !== GROUP_PUBLISH_FINALIZER);
      const next = { ...groupReq, metadata: { ...groupReq.metadata, finalizers: left } };
      if (!left.length) delete next.metadata.finalizers;
      return [...children, writeOf(GROUP_REQUESTS, stored, next, left.length ? ObjectEventTypes.updated : ObjectEventTypes.deleted)];
    }
    if (expired) return [deletion(GROUP_REQUESTS, stored, now)];
    const next = structuredClone(groupReq);
    if (!finalizers.includes(GROUP_PUBLISH_FINALIZER)) next.metadata.finalizers = [...finalizers, GROUP_PUBLISH_FINALIZER];
    if (isComplete(groupReq)) return sameJson(next, groupReq) ? [] : [writeOf(GROUP_REQUESTS, stored, next, ObjectEventTypes.updated)];
    const creates: StreamAppend[] = [];
    if (!specProblems(groupReq).length) {
      for (const vm of groupReq.spec.virtualMachines as string[]) {
        if (owned.has(vm)) continue;
        let name = generateName(`${groupReq.metadata.name}-`);
        while (this.model.get(PUBLISH_REQUESTS_RESOURCE, namespace, name)) name = generateName(`${groupReq.metadata.name}-`);
        const req = publishRequestFor(groupReq, vm, name, randomUUID(), now);
        owned.set(vm, req);
        const streamId = objectStreamId(PUBLISH_REQUESTS_RESOURCE, namespace, req.metadata.name);
        const expectedVersion = this.model.streamVersion(PUBLISH_REQUESTS_RESOURCE, namespace, req.metadata.name);
        creates.push({ streamId, events: [{ type: ObjectEventTypes.created, data: { resource: PUBLISH_REQUESTS_RESOURCE, object: req }, metadata: ACTOR }], expectedVersion });
      }
    }
    // As stored: without the undefined fields a JSON round trip drops, so an unchanged status compares equal.
    next.status = JSON.parse(JSON.stringify(groupPublishStatus(next, owned, now)));
    if (sameJson(next, groupReq)) return creates;
    const type = sameJson(next.metadata, groupReq.metadata) ? ObjectEventTypes.statusUpdated : ObjectEventTypes.updated;
    return [...creates, writeOf(GROUP_REQUESTS, stored, next, type)];
  }
}
