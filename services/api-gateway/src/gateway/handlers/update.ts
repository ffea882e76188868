import { qualifiedResource } from '@openpacific/contracts';
import { fieldInvalid, goRendered, invalid, notFound } from '@openpacific/kube-api';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendObject } from '../http/respond';
import { convertOne } from '../customresources/conversion-webhook';
import { commitUpdate, conflictFor, isVersionConflict } from './commit';
import { checkTypeMeta, decodeBody, fieldValidationOf, validateCustomRules, validateObject } from './decode';
import { withUpdateOwnership } from './field-managers';
import { prepareForSubresourceUpdate, refuseOtherObject } from './object-rules';

/** PUT of the whole object (or of its status). A stale resourceVersion is a 409, as is a concurrent write. */
export async function handleUpdate(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name, subresource } = r.target;
  const body = decodeBody(r);
  checkTypeMeta(body, served);
  const obj = validateObject(r, served, body, fieldValidationOf(r.query));
  // The body's namespace is the URL's (a 400 otherwise; filled in when left out), as in kube-apiserver; its name,
  // when it has one, too (prepareForUpdate, a 400).
  refuseOtherObject(served.def, namespace, obj.metadata.name ?? name!, obj);
  const stored = core.readModel.get(served.resource, namespace, name!);
  if (!stored) throw notFound(qualifiedResource(served.def), name!);
  // A uid in the body is a precondition (rest.DefaultUpdatedObjectInfo): another object's is a 409, checked before the
  // resourceVersion. It was undone without a word before.
  const uid = obj.metadata.uid;
  if (typeof uid === 'string' && uid !== '' && uid !== stored.object.metadata.uid) {
    throw conflictFor(served, name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.object.metadata.uid}`);
  }
  const sent = obj.metadata.resourceVersion;
  // A custom resource is never updated unconditionally (customResourceStrategy.AllowUnconditionalUpdate): a PUT names
  // the version it read, as kube-apiserver requires before any other check of the object.
  if (!sent && served.def.structural) {
    throw invalid(served.def.kind, name!, served.def.group, [fieldInvalid('metadata.resourceVersion', goRendered('0x0'), 'must be specified for an update')]);
  }
  if (sent && sent !== stored.object.metadata.resourceVersion) throw conflictFor(served, name!);
  const storage = core.registry.storage(served.resource);
  const incoming = await convertOne(core.readModel, obj, storage, stored.object);
  const prepared = prepareForSubresourceUpdate(served.def, subresource, stored.object, incoming);
  validateCustomRules(served, prepared, stored.object);
  const next = withUpdateOwnership(r, served, stored, prepared);
  try {
    const written = await commitUpdate(core, r, served, stored, next, isDryRun(r.query));
    sendObject(r.res, 200, await convertOne(core.readModel, written, served));
  } catch (err) {
    if (isVersionConflict(err)) throw conflictFor(served, name!);
    throw err;
  }
}
