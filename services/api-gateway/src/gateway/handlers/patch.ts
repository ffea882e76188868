import { objectStreamId, qualifiedResource, ResourceDefinition } from '@openpacific/contracts';
import {
  applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch, badRequest, fieldInvalid, invalid, notFound, parseBody, patchContentType,
  unsupportedMediaType,
} from '@openpacific/kube-api';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendObject } from '../http/respond';
import { ServedResource } from '../registry/registry';
import { convertOne } from '../customresources/conversion-webhook';
import { catchUpPast, commitUpdate, conflictFor, isVersionConflict } from './commit';
import { createObject } from './create';
import { checkTypeMeta, fieldValidationOf, refuseNonObjectMetadata, validateCustomRules, validateObject } from './decode';
import { fieldManagerOf, fieldManagerOptions, withUpdateOwnership } from './field-managers';
import { prepareForSubresourceUpdate, refuseOtherObject } from './object-rules';
import { forceOf } from './write-options';

const MAX_ATTEMPTS = 10;

function applyOptions(r: ResourceRequest, served: ServedResource) {
  return { ...fieldManagerOptions(r, served, fieldManagerOf(r)), force: forceOf(r.query) };
}

/**
 * An object's uid is immutable (rest.BeforeUpdate, ValidateObjectMetaAccessorUpdate): a patch that changes it is a
 * 422 naming metadata.uid; one that empties it keeps the stored uid. It was undone without a word before.
 */
export function refuseUidChange(def: ResourceDefinition, current: any, patched: any): void {
  const uid = patched.metadata?.uid;
  if (typeof uid !== 'string' || uid === '' || uid === current.metadata?.uid) return;
  throw invalid(def.kind, patched.metadata.name ?? '', def.group, [fieldInvalid('metadata.uid', uid, 'field is immutable')]);
}

/**
 * An apply that creates the object may not name a uid: kube-apiserver answers `uid mismatch` with a 409, since no
 * object has it.
 */
export function refuseUidOnCreate(served: ServedResource, name: string, applied: any): void {
  const uid = applied?.metadata?.uid;
  if (typeof uid === 'string' && uid !== '') throw conflictFor(served, name, `uid mismatch: the provided object specified uid ${uid}, and no existing object was found`);
}

function acceptedPatchTypes(served: ServedResource): string[] {
  const types = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
  return served.def.strategicMergePatch ? [...types, 'application/strategic-merge-patch+json'] : types;
}

/**
 * PATCH in the four flavours kubectl uses. Without a resourceVersion
 * precondition the patch is re-applied to the latest state when another write
 * got in first, as kube-apiserver does.
 */
export async function handlePatch(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const contentType = r.req.headers['content-type'];
  const type = patchContentType(contentType ?? '');
  if (!type || (type === 'strategic' && !served.def.strategicMergePatch)) {
    throw unsupportedMediaType(contentType ?? '', acceptedPatchTypes(served));
  }
  const patch = parseBody(r.body ?? Buffer.alloc(0), contentType) as any;
  if (type === 'json' && !Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  // An applied object's metadata is an object, as Go decodes it: a string of 70,000 characters was spread into 70,000
  // unknown fields.
  if (type === 'apply') refuseNonObjectMetadata(patch);
  const apply = type === 'apply' ? applyOptions(r, r.target.served) : undefined;
  const attempts = () => patchAttempts(core, r, type, patch, apply);
  // Patches of one object through this gateway take turns (store/object-turns.ts); a dry run writes nothing to wait for.
  if (isDryRun(r.query)) await attempts();
  else await core.writer.turns.run(objectStreamId(served.resource, namespace, name!), attempts);
}

async function patchAttempts(
  core: GatewayCore,
  r: ResourceRequest,
  type: NonNullable<ReturnType<typeof patchContentType>>,
  patch: any,
  apply: ReturnType<typeof applyOptions> | undefined,
): Promise<void> {
  const { served, namespace, name, subresource } = r.target;
  const validation = fieldValidationOf(r.query);
  const storage = core.registry.storage(served.resource);
  for (let attempt = 1; ; attempt++) {
    const stored = core.readModel.get(served.resource, namespace, name!);
    if (!stored) {
      if (type === 'apply' && !subresource) {
        refuseUidOnCreate(served, name!, patch);
        if (patch?.metadata?.name !== undefined && patch.metadata.name !== name) {
          throw badRequest(`the name of the object (${patch.metadata.name}) does not match the name on the URL (${name})`);
        }
        const owned = applyServerSideApply({}, { ...patch, metadata: { ...(patch?.metadata ?? {}), name } }, apply!);
        const created = await createObject(core, r, owned);
        sendObject(r.res, 201, await convertOne(core.readModel, created, served));
        return;
      }
      throw notFound(qualifiedResource(served.def), name!);
    }
    const current = await convertOne(core.readModel, stored.object, served);
    const precondition = type !== 'json' ? patch?.metadata?.resourceVersion : undefined;
    if (precondition && precondition !== current.metadata.resourceVersion) throw conflictFor(served, name!);

    let patched: any;
    if (type === 'merge') patched = applyMergePatch(current, patch);
    else if (type === 'json') patched = applyJsonPatch(current, patch);
    else if (type === 'strategic') patched = applyStrategicMergePatch(current, patch, served.def.mergeKeys ?? {});
    else patched = applyServerSideApply(current, patch, apply!);
    if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) throw badRequest('the patch did not result in an object');
    refuseOtherObject(served.def, namespace, name!, patched);
    // A JSON patch that sets resourceVersion makes it a precondition, as in kube-apiserver (optimistic locking with
    // `test`-less patches: a stale one was taken).
    if (type === 'json' && patched.metadata?.resourceVersion !== undefined && patched.metadata.resourceVersion !== current.metadata.resourceVersion) throw conflictFor(served, name!);
    patched.apiVersion = current.apiVersion;
    patched.kind = current.kind;
    checkTypeMeta(patched, served);
    const obj = validateObject(r, served, patched, validation);
    refuseUidChange(served.def, current, obj);
    const incoming = await convertOne(core.readModel, obj, storage, stored.object);
    let next = prepareForSubresourceUpdate(served.def, subresource, stored.object, incoming);
    validateCustomRules(served, next, stored.object);
    // An apply's managedFields are its own (above); any other patch moves what it changed to its manager.
    if (type !== 'apply') next = withUpdateOwnership(r, served, stored, next);
    else if (subresource === 'status') next.metadata.managedFields = patched.metadata.managedFields;
    try {
      const written = await commitUpdate(core, r, served, stored, next, isDryRun(r.query));
      sendObject(r.res, 200, await convertOne(core.readModel, written, served));
      return;
    } catch (err) {
      if (!isVersionConflict(err)) throw err;
      if (precondition || attempt >= MAX_ATTEMPTS) throw conflictFor(served, name!);
      await catchUpPast(core, served.resource, namespace, name!, stored.streamVersion);
    }
  }
}
