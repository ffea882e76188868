import { CRDS_RESOURCE, ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import { alreadyExists, badRequest, conflict, forbidden, generateName, invalid, methodNotAllowed, notFound, statusError } from '@openpacific/kube-api';
import { conditionOf } from '../customresources/crd.status';
import { givenBackUnlessStored, KindStrategy, strategyFor } from './kind-strategies';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendObject } from '../http/respond';
import { convertOne } from '../customresources/conversion-webhook';
import { authorizeWriter, isVersionConflict } from './commit';
import { checkTypeMeta, decodeBody, fieldValidationOf, validateCustomRules, validateObject, warn } from './decode';
import { finalizerWarnings } from './object-meta.validation';
import { prepareForCreate } from './object-rules';
import { admissionHooks } from './admitted';
import { noteRequestedName } from '../audit/audit-annotations';
import type { ServedResource } from '../registry/registry';
import { ALLOCATIONS_LOST, AllocationChecks, allocationsOf, isAllocationConflict, retryingAllocations } from './allocations';

export async function handleCreate(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const obj = decodeBody(r);
  const created = await createObject(core, r, obj);
  sendObject(r.res, 201, await convertOne(core.readModel, created, r.target.served));
}

/**
 * POST, and server-side apply of an object that does not exist yet. What the kind set aside for the object (a cluster
 * IP claimed for it) is given back if it is not stored. A kind that takes addresses from a shared range is created
 * again, from the body as sent, when another writer took one of them first (allocations.ts).
 */
export function createObject(core: GatewayCore, r: ResourceRequest, body: any): Promise<any> {
  const { served } = r.target;
  const strategy = strategyFor(served.def);
  return givenBackUnlessStored(isDryRun(r.query), (onAbandon) => strategy.allocated
    ? retryingAllocations(core, body, (copy) => storeNew(core, r, strategy, copy, onAbandon), () => lostAllocation(served, body))
    : storeNew(core, r, strategy, body, onAbandon));
}

/** A create whose addresses other writers kept taking (allocations.ts). */
const lostAllocation = (served: ServedResource, body: any) =>
  conflict(qualifiedResource(served.def), body?.metadata?.name ?? '', ALLOCATIONS_LOST);

async function storeNew(core: GatewayCore, r: ResourceRequest, strategy: KindStrategy, body: any, onAbandon: (giveBack: () => void) => void): Promise<any> {
  const { served, namespace } = r.target;
  if (served.def.viewOf && !served.def.viewOf.creates) {
    throw methodNotAllowed(`POST: ${served.def.plural} are registered by their hosts, not created through the API`);
  }
  checkTypeMeta(body, served);
  // A custom kind takes no new objects while its CRD is deleting them (built-in kinds pay one property read here).
  if (served.def.structural && conditionOf(core.readModel.get(CRDS_RESOURCE, undefined, served.resource)?.object, 'Terminating')?.status === 'True') {
    throw statusError(405, 'MethodNotAllowed', 'create not allowed while custom resource definition is terminating');
  }
  if (body.metadata && typeof body.metadata === 'object' && !body.metadata.name && body.metadata.generateName) {
    body.metadata.name = generateName(body.metadata.generateName);
  }
  // The audit record of a create refused from here on names the object asked for (kube-apiserver's objectRef).
  noteRequestedName(r.res, body.metadata?.name);
  const obj = validateObject(r, served, body, fieldValidationOf(r.query));
  if (served.def.scope === 'Namespaced') {
    if (obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const ns = core.readModel.get('namespaces', undefined, namespace!);
    if (!ns) throw notFound('namespaces', namespace!);
    if (ns.object.metadata.deletionTimestamp) {
      throw forbidden(`${served.def.plural} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }
  const storage = core.registry.storage(served.resource);
  let prepared = prepareForCreate(served.def, await convertOne(core.readModel, obj, storage), namespace);
  const ctx = { readModel: core.readModel, serviceCIDR: core.serviceCIDR, user: r.user, warn: (text: string) => warn(r, text), onAbandon, allocations: strategy.allocated && new AllocationChecks(core.allocations) };
  if (strategy.defaults) prepared = strategy.defaults(prepared, ctx);
  const kindCauses = [...(strategy.validateCreate?.(prepared, ctx) ?? []), ...(strategy.validate?.(prepared) ?? [])];
  if (kindCauses.length > 0) throw invalid(served.def.kind, prepared.metadata.name, served.def.group, kindCauses);
  for (const text of finalizerWarnings(served.def.group, prepared.metadata)) warn(r, text);
  authorizeWriter(core, r, strategy, undefined, prepared);
  validateCustomRules(served, prepared);
  for (let attempt = 0; ; attempt++) {
    if (core.readModel.get(served.resource, namespace, prepared.metadata.name)) {
      throw alreadyExists(qualifiedResource(served.def), prepared.metadata.name);
    }
    try {
      return await core.writer.write({
        served,
        operation: 'CREATE',
        eventType: ObjectEventTypes.created,
        object: prepared,
        expectedVersion: core.readModel.streamVersion(served.resource, namespace, prepared.metadata.name),
        actor: r.user,
        dryRun: isDryRun(r.query),
        requestId: r.requestId,
        userAgent: r.req.headers['user-agent'],
        ...admissionHooks(r, storage, { ctx }),
        allocations: ctx.allocations && allocationsOf(strategy, ctx.allocations, served.resource),
      });
    } catch (err) {
      // Someone else wrote this name meanwhile: catch up and decide again. One that took an address first: the whole
      // create goes again (createObject).
      if (!isVersionConflict(err) || isAllocationConflict(err) || attempt >= 3) throw err;
      await core.follower.kick();
    }
  }
}
