import { randomUUID } from 'node:crypto';
import { carriesGeneration, ResourceDefinition, rfc3339 } from '@openpacific/contracts';
import { badRequest, invalid, StatusCause } from '@openpacific/kube-api';
import { labelNamespaceName, validateObjectMetaCreate, validateObjectMetaUpdate } from './object-meta.validation';

/**
 * What the server decides about an object on create and update, whoever sent
 * it: identity and timestamps, generation, what the status subresource owns,
 * and the few kinds with rules of their own (Namespace). The ObjectMeta rules
 * every kind shares and the request decoder does not check (owner references;
 * no new finalizers once deleting) refuse the write with a 422 here.
 */
export function prepareForCreate(def: ResourceDefinition, obj: any, namespace: string | undefined): any {
  refuseInvalidMeta(def, obj, validateObjectMetaCreate(def.group, obj.metadata));
  const out = structuredClone(obj);
  const meta = out.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339();
  if (carriesGeneration(def)) meta.generation = 1;
  else delete meta.generation;
  for (const f of ['resourceVersion', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink']) delete meta[f];
  if (def.scope === 'Namespaced') meta.namespace = namespace;
  else delete meta.namespace;
  if (def.subresources.status) delete out.status;
  if (def.kind === 'Namespace' && def.group === '') {
    out.spec = { ...(out.spec ?? {}), finalizers: out.spec?.finalizers ?? ['kubernetes'] };
    out.status = { phase: 'Active' };
    labelNamespaceName(out);
  }
  return out;
}

function refuseInvalidMeta(def: ResourceDefinition, obj: any, causes: StatusCause[]): void {
  if (causes.length > 0) throw invalid(def.kind, obj.metadata?.name ?? '', def.group, causes);
}

/** The new state of an object updated through its main resource (PUT, PATCH). */
export function prepareForUpdate(def: ResourceDefinition, old: any, incoming: any): any {
  const out = structuredClone(incoming);
  if (out.metadata?.name !== undefined && out.metadata.name !== old.metadata.name) {
    throw badRequest(`the name of the object (${out.metadata.name}) does not match the name on the URL (${old.metadata.name})`);
  }
  refuseInvalidMeta(def, old, validateObjectMetaUpdate(def.group, old.metadata, out.metadata ?? {}));
  const meta = (out.metadata = { ...(out.metadata ?? {}) });
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
    if (old.metadata[f] === undefined) delete meta[f];
    else meta[f] = old.metadata[f];
  }
  delete meta.resourceVersion;
  delete meta.selfLink;
  if (def.subresources.status) {
    if (old.status === undefined) delete out.status;
    else out.status = old.status;
  }
  if (def.kind === 'Namespace' && def.group === '') {
    out.spec = old.spec;
    labelNamespaceName(out);
  }
  // A custom kind without the status subresource counts its status too, as kube-apiserver does for it.
  const changed = def.structural && !def.subresources.status ? !deepEqual({ ...old, metadata: undefined }, { ...out, metadata: undefined }) : specChanged(old, out);
  if (changed && carriesGeneration(def)) meta.generation = (old.metadata.generation ?? 1) + 1;
  return out;
}

/** A status update changes only `status`. */
export function prepareForStatusUpdate(old: any, incoming: any): any {
  const out = structuredClone(old);
  delete out.metadata.resourceVersion;
  if (incoming.status === undefined) delete out.status;
  else out.status = structuredClone(incoming.status);
  return out;
}

/**
 * The new state of an object written through one of its subresources that take the whole object: `status`, or one
 * that writes one field of the spec (`ephemeralcontainers`) or of the status (`approval`); anything else is an
 * update of the object itself.
 */
export function prepareForSubresourceUpdate(def: ResourceDefinition, subresource: string | undefined, old: any, incoming: any): any {
  if (subresource === 'status') return prepareForStatusUpdate(old, incoming);
  const statusField = subresource ? def.subresources.statusFields?.[subresource] : undefined;
  if (statusField) {
    const out = structuredClone(old);
    delete out.metadata.resourceVersion;
    const value = incoming.status?.[statusField];
    out.status ??= {};
    if (value === undefined) delete out.status[statusField];
    else out.status[statusField] = structuredClone(value);
    return out;
  }
  const field = subresource ? def.subresources.specFields?.[subresource] : undefined;
  if (!field) return prepareForUpdate(def, old, incoming);
  const out = structuredClone(old);
  delete out.metadata.resourceVersion;
  const value = incoming.spec?.[field];
  if (value === undefined) delete out.spec[field];
  else out.spec[field] = structuredClone(value);
  return out;
}

/** Everything but metadata and status is "spec" for the purpose of generation. */
export function specChanged(a: any, b: any): boolean {
  const strip = (o: any) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

export function sameObject(a: any, b: any): boolean {
  const clean = (o: any) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(clean(a), clean(b));
}

/**
 * Is the object waiting on nothing more before it can go? A pod still in its grace period waits for its host,
 * which stops its containers and then ends the period (kube-apiserver deletes on an update only at grace 0).
 */
export function readyToDelete(def: ResourceDefinition, obj: any): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  if ((obj.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  if (def.kind === 'Namespace' && def.group === '' && (obj.spec?.finalizers ?? []).length > 0) return false;
  return true;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

/**
 * A written object is the one the request names (a patch's result, a PUT's body), as kube-apiserver requires before
 * anything else (patcher.applyPatch, EnsureObjectNamespaceMatchesRequestNamespace): its namespace is the request's
 * (left empty, it is set; a cluster-scoped object's is cleared), else a 400; its name is the URL's, an emptied one
 * included, else a 400. A write moved neither before: it was undone without a word. A metadata that is no map, or a
 * name that is no string, is left to validation.
 */
export function refuseOtherObject(def: ResourceDefinition, namespace: string | undefined, name: string, patched: any): void {
  const meta = patched.metadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return;
  const expected = def.scope === 'Namespaced' ? (namespace ?? '') : '';
  const sent = meta.namespace ?? '';
  if (typeof sent === 'string' && sent !== expected) {
    if (sent === '') meta.namespace = expected;
    else if (expected === '') delete meta.namespace;
    else throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const named = meta.name ?? '';
  if (typeof named === 'string' && named !== name) throw badRequest(`the name of the object (${named}) does not match the name on the URL (${name})`);
}
