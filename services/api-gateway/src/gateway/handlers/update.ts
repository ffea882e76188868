import { qualifiedResource } from '@openpacific/contracts';
import { notFound } from '@openpacific/kube-api';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendObject } from '../http/respond';
import { convertOne } from '../customresources/conversion-webhook';
import { commitUpdate, conflictFor, isVersionConflict } from './commit';
import { checkTypeMeta, decodeBody, fieldValidationOf, validateCustomRules, validateObject } from './decode';
import { withUpdateOwnership } from './field-managers';
import { prepareForSubresourceUpdate } from './object-rules';

/** PUT of the whole object (or of its status). A stale resourceVersion is a 409, as is a concurrent write. */
export async function handleUpdate(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name, subresource } = r.target;
  const body = decodeBody(r);
  checkTypeMeta(body, served);
  const obj = validateObject(r, served, body, fieldValidationOf(r.query));
  const stored = core.readModel.get(served.resource, namespace, name!);
  if (!stored) throw notFound(qualifiedResource(served.def), name!);
  const sent = obj.metadata.resourceVersion;
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
