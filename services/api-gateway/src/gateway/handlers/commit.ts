import { ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import { authorize } from '@openpacific/authz';
import { conflict, forbidden, invalid } from '@openpacific/kube-api';
import { readModelLookups } from '../auth/rbac-lookups';
import { givenBackUnlessStored, KindStrategy, strategyFor } from './kind-strategies';
import { VersionConflictError } from '@openpacific/event-store';
import { GatewayCore, ResourceRequest } from '../core';
import { ServedResource } from '../registry/registry';
import { StoredObject } from '@openpacific/objects';
import { readyToDelete, sameObject } from './object-rules';
import { admissionHooks } from './admitted';
import { warn } from './decode';
import { finalizerWarnings } from './object-meta.validation';
import { ALLOCATIONS_LOST, AllocationChecks, allocationsOf, retryingAllocations } from './allocations';

/**
 * Writes the next state of an existing object: nothing when nothing changed,
 * a deletion when the last finalizer of a deleting object went, an update
 * otherwise. A concurrent writer makes it a VersionConflictError. What the kind
 * set aside for the update (a cluster IP claimed for it) is given back if it is not stored. An update giving the
 * object an address another writer took first is made again from `next` as given (allocations.ts).
 */
export function commitUpdate(
  core: GatewayCore,
  r: ResourceRequest,
  served: ServedResource,
  stored: StoredObject,
  next: any,
  dryRun: boolean,
): Promise<any> {
  const strategy = strategyFor(served.def);
  return givenBackUnlessStored(dryRun, (onAbandon) => strategy.allocated
    ? retryingAllocations(core, next, (copy) => storeUpdate(core, r, served, strategy, stored, copy, dryRun, onAbandon),
      () => conflictFor(served, stored.object.metadata.name, ALLOCATIONS_LOST))
    : storeUpdate(core, r, served, strategy, stored, next, dryRun, onAbandon));
}

async function storeUpdate(
  core: GatewayCore, r: ResourceRequest, served: ServedResource, strategy: KindStrategy, stored: StoredObject, next: any, dryRun: boolean,
  onAbandon: (giveBack: () => void) => void,
): Promise<any> {
  const subresource = r.target.subresource;
  const ctx = { readModel: core.readModel, serviceCIDR: core.serviceCIDR, user: r.user, warn: (text: string) => warn(r, text), onAbandon, allocations: strategy.allocated && new AllocationChecks(core.allocations) };
  if (subresource !== 'status') next = strategy.prepareUpdate?.(stored.object, next, subresource, ctx) ?? next;
  else next = strategy.prepareStatusUpdate?.(stored.object, next) ?? next;
  if (sameObject(next, stored.object)) return stored.object;
  const causes = subresource !== 'status'
    ? [...(strategy.validate?.(next) ?? []), ...(strategy.validateUpdate?.(stored.object, next, subresource, ctx) ?? [])]
    : (strategy.validateStatusUpdate?.(stored.object, next) ?? []);
  if (causes.length > 0) throw invalid(served.def.kind, next.metadata.name, served.def.group, causes);
  for (const text of finalizerWarnings(served.def.group, next.metadata, stored.object.metadata)) warn(r, text);
  authorizeWriter(core, r, strategy, stored.object, next, subresource);
  const deleting = readyToDelete(served.def, next);
  return core.writer.write({
    served,
    operation: deleting ? 'DELETE' : 'UPDATE',
    subresource,
    eventType: deleting ? ObjectEventTypes.deleted : subresource === 'status' ? ObjectEventTypes.statusUpdated : ObjectEventTypes.updated,
    object: next,
    oldObject: stored.object,
    expectedVersion: stored.streamVersion,
    actor: r.user,
    dryRun,
    requestId: r.requestId,
    userAgent: r.req.headers['user-agent'],
    ...admissionHooks(r, core.registry.storage(served.resource), { old: stored.object, ctx }),
    allocations: ctx.allocations && !deleting ? allocationsOf(strategy, ctx.allocations, served.resource, stored.object) : undefined,
  });
}

/** The kind's own check of who may write what (a role's or binding's escalation, a CSR's signer), on a create (no `old`) or an update. */
export function authorizeWriter(core: GatewayCore, r: ResourceRequest, strategy: KindStrategy, old: any, next: any, subresource?: string): void {
  if (!strategy.authorizeWrite) return;
  const lookups = readModelLookups(core.readModel);
  const refusal = strategy.authorizeWrite({
    user: r.user, subresource, old, next, rbac: lookups,
    allowed: (attrs) => authorize({ ...attrs, user: r.user, resourceRequest: true }, lookups).allowed,
  });
  if (refusal) throw forbidden(refusal);
}

export function conflictFor(served: ServedResource, name: string, reason?: string) {
  return conflict(qualifiedResource(served.def), name, reason);
}

export function isVersionConflict(err: unknown): err is VersionConflictError {
  return err instanceof VersionConflictError || (err as { code?: string })?.code === 'EVENTSTORE.VERSION_CONFLICT';
}

/**
 * After a version conflict: waits (briefly) until the read model holds a newer version of the stream than
 * the one the losing write was based on, so the retry decides on what won rather than on the same old state.
 */
export async function catchUpPast(core: GatewayCore, resource: string, namespace: string | undefined, name: string, seenVersion: number, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await core.follower.kick();
    if (core.readModel.streamVersion(resource, namespace, name) !== seenVersion || Date.now() >= deadline) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}
