import { FieldManagerOptions, listShapes, OwnedScope, updateOwnership } from '@openpacific/kube-api';
import { StoredObject } from '@openpacific/objects';
import { ResourceRequest } from '../core';
import { convertObject, ServedResource } from '../registry/registry';
import { deepEqual } from './object-rules';
import { MAX_MANAGER } from './write-options';
import { rfc3339 } from '@openpacific/contracts';

/**
 * Who is writing, for managedFields: the request's `fieldManager`, else the program name of its User-Agent
 * (`kubectl/v1.32.0 …` → `kubectl`), as kube-apiserver names an unnamed manager. The name was checked with the
 * request's other options (write-options.ts: at most 128 bytes, printable, required for an apply patch).
 */
export function fieldManagerOf(r: ResourceRequest): string {
  const named = r.query.get('fieldManager');
  if (named) return named;
  return (r.req.headers['user-agent'] ?? '').split('/')[0].slice(0, MAX_MANAGER);
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
    ? updateOwnership(shown(old), shown({ ...next, metadata: { ...next.metadata, managedFields: old.metadata.managedFields } }), fieldManagerOptions(r, served, fieldManagerOf(r)))
    : undefined;
  if (entries) next.metadata.managedFields = entries;
  else delete next.metadata.managedFields;
  return next;
}
