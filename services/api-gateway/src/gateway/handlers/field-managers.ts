import { FieldManagerOptions, invalid, listShapes, OwnedScope, updateOwnership } from '@openpacific/kube-api';
import { StoredObject } from '@openpacific/objects';
import { ResourceRequest } from '../core';
import { convertObject, ServedResource } from '../registry/registry';
import { deepEqual } from './object-rules';
import { rfc3339 } from '@openpacific/contracts';

/** A manager's name: at most 128 characters, as kube-apiserver allows. */
const MAX_MANAGER = 128;

function refuseOptions(field: string, message: string): never {
  throw invalid('PatchOptions', '', 'meta.k8s.io', [{ field, reason: 'FieldValueInvalid', message }]);
}

/**
 * Who is writing, for managedFields: the request's `fieldManager`, else the program name of its User-Agent
 * (`kubectl/v1.32.0 …` → `kubectl`), as kube-apiserver names an unnamed manager. Server-side apply must name one.
 */
export function fieldManagerOf(r: ResourceRequest, apply: boolean): string {
  const named = r.query.get('fieldManager');
  if (named !== null && named.length > MAX_MANAGER) refuseOptions('fieldManager', `Too long: may not be more than ${MAX_MANAGER} bytes`);
  if (named) return named;
  if (apply) refuseOptions('fieldManager', 'Required value: is required for apply patch');
  return (r.req.headers['user-agent'] ?? '').split('/')[0].slice(0, MAX_MANAGER);
}

/** `force` belongs to apply; on any other patch it is refused, as kube-apiserver does. */
export function forceOf(r: ResourceRequest, apply: boolean): boolean {
  const force = r.query.get('force');
  if (force !== null && !apply) refuseOptions('force', 'Forbidden: may not be specified for non-apply patch');
  return force === 'true';
}

/** What a write through this request may own: the status subresource only status; the main resource of a kind with one, everything else. */
function scopeOf(served: ServedResource, subresource: string | undefined): OwnedScope {
  if (subresource === 'status') return 'status';
  return served.def.subresources.status ? 'spec' : 'object';
}

export function fieldManagerOptions(r: ResourceRequest, served: ServedResource, manager: string): FieldManagerOptions {
  const subresource = r.target.subresource;
  return { manager, apiVersion: served.apiVersion, scope: scopeOf(served, subresource), shapes: listShapes(served.def.mergeKeys), now: rfc3339(), ...(subresource ? { subresource } : {}) };
}

/**
 * The managedFields of an ordinary write's next state (PUT, a non-apply PATCH): kept from the stored object and
 * moved to this manager for what it changed (`updateOwnership`). Managed fields the request carried are not
 * taken, except `[{}]`, which clears them as it does in kube-apiserver.
 */
export function withUpdateOwnership(r: ResourceRequest, served: ServedResource, stored: StoredObject, next: any): any {
  const sent = next.metadata?.managedFields;
  if (deepEqual(sent, [{}])) {
    delete next.metadata.managedFields;
    return next;
  }
  const old = stored.object;
  // Ownership is compared at the version written; a kind converted by a webhook is compared at its storage version
  // (the paths of its versions are the webhook's to know, and this step does not call it).
  const shown = (obj: any) => (served.def.conversionWebhook ? obj : convertObject(obj, served));
  const entries = old.metadata?.managedFields
    ? updateOwnership(shown(old), shown({ ...next, metadata: { ...next.metadata, managedFields: old.metadata.managedFields } }), fieldManagerOptions(r, served, fieldManagerOf(r, false)))
    : undefined;
  if (entries) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
  return next;
}
