import { ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import { applyJsonPatch, applyMergePatch, badRequest, conflict, forbidden, INT32_MAX, invalid, methodNotAllowed, notFound, parseBody } from '@openpacific/kube-api';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { catchUpPast, isVersionConflict } from './commit';
import { validateCustomRules } from './decode';
import { withUpdateOwnership } from './field-managers';
import { admissionHooks } from './admitted';
import type { AdmittedAs } from '../store/object-writer';
import { strategyFor } from './kind-strategies';

function getPath(obj: any, path: string): any {
  return path.replace(/^\./, '').split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function setPath(obj: any, path: string, value: unknown): void {
  const keys = path.replace(/^\./, '').split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}

type ScalePaths = { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string; selector?: (obj: any) => string };

/** The kind admission is told a write through `/scale` has, whatever the resource (kube-apiserver's for apps/v1 and custom resources). */
const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

/** The autoscaling/v1 Scale of an object whose kind has the scale subresource. */
function scaleOf(obj: any, paths: ScalePaths) {
  const m = obj.metadata;
  const selector = paths.selector ? paths.selector(obj) : paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : obj.status?.selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: getPath(obj, paths.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, paths.statusReplicasPath) ?? 0, ...(typeof selector === 'string' ? { selector } : {}) },
  };
}

/**
 * The replicas a Scale asks for, decoded as kube-apiserver decodes autoscaling/v1's int32 `spec.replicas`: left out or
 * null it is 0; a string or a fraction does not decode (400); a negative count is a 422, and so is one past 2^31 - 1.
 */
function replicasOf(scale: any, name: string): number {
  const replicas = scale?.spec?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas)) {
    const what = typeof replicas === 'number' ? `number ${replicas}` : Array.isArray(replicas) ? 'array' : typeof replicas === 'object' ? 'object' : typeof replicas === 'boolean' ? 'bool' : 'string';
    throw badRequest(`Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal ${what} into Go struct field ScaleSpec.spec.replicas of type int32`);
  }
  if (replicas < 0) {
    throw invalid('Scale', name, 'autoscaling', [{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
  }
  // autoscaling/v1's replicas are int32, as the kinds' own (2^31 VM replicas through /scale hung vm-operator's sets).
  if (replicas > INT32_MAX) {
    throw invalid('Scale', name, 'autoscaling', [{ field: 'spec.replicas', reason: 'FieldValueTypeInvalid', message: `Invalid value: ${replicas}: spec.replicas in body must be of type int32: "${replicas}"` }]);
  }
  return replicas;
}

/** A Scale PUT names the object of the URL, as kube-apiserver's update requires of any object. */
function refuseOtherObject(scale: any, name: string, namespace: string | undefined): void {
  const meta = scale.metadata ?? {};
  if (meta.name !== undefined && meta.name !== '' && meta.name !== name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
  if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** The stored object with its replicas set (to be written at the version read), its generation one up if they changed. */
export function withReplicas(stored: any, paths: ScalePaths, replicas: number): any {
  const next = structuredClone(stored);
  delete next.metadata.resourceVersion;
  if (getPath(next, paths.specReplicasPath) !== replicas) {
    setPath(next, paths.specReplicasPath, replicas);
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
  }
  return next;
}

/**
 * How a write through `/scale` is admitted, as kube-apiserver admits it: an UPDATE of subresource `scale` whose
 * objects are autoscaling/v1 Scales (the one read, and the one asked for), so that a rule on `deployments` does not
 * see it and one on `deployments/scale` does. The replicas of the Scale that mutating admission returns are the ones
 * stored (`store` makes the object of them).
 */
export function scaleAdmission(stored: any, paths: ScalePaths, replicas: number, store: (replicas: number) => any): AdmittedAs {
  const current = scaleOf(stored, paths);
  return {
    kind: SCALE_KIND,
    object: { ...current, spec: { ...current.spec, replicas } },
    oldObject: current,
    toStored: (admitted) => store(replicasOf(admitted, stored.metadata.name)),
  };
}

/**
 * `<object>/scale`, as kubectl scale uses it: GET the Scale, PUT or PATCH it to set the replicas, which
 * becomes an update of the object's own spec (at the version read; a stale resourceVersion is a 409).
 */
export async function handleScale(core: GatewayCore, r: ResourceRequest, method: string): Promise<void> {
  const { served, namespace, name } = r.target;
  const paths = served.def.subresources.scale!;
  for (let attempt = 1; ; attempt++) {
    const stored = core.readModel.get(served.resource, namespace, name!);
    if (!stored) throw notFound(qualifiedResource(served.def), name!);
    const current = scaleOf(stored.object, paths);
    if (method === 'GET') return sendJson(r.res, 200, current);
    if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed(method);
    const contentType = r.req.headers['content-type'] ?? 'application/json';
    const body = parseBody(r.body ?? Buffer.alloc(0), contentType) as any;
    // A JSON patch (kubectl patch --type=json) is applied to the Scale as RFC 6902 says; the other patch types merge.
    const wanted = method === 'PUT' ? body : contentType.split(';')[0].trim() === 'application/json-patch+json' ? applyJsonPatch(current, body) : applyMergePatch(current, body);
    if (typeof wanted !== 'object' || wanted === null) throw badRequest('the body is not a Scale');
    if (method === 'PUT') refuseOtherObject(wanted, name!, namespace);
    const replicas = replicasOf(wanted, name!);
    const refusal = strategyFor(served.def).refuseScale?.(stored.object, replicas);
    if (refusal) throw forbidden(refusal);
    const precondition = wanted.metadata?.resourceVersion;
    if (method === 'PUT' && precondition && precondition !== stored.object.metadata.resourceVersion) throw conflict(qualifiedResource(served.def), name!);
    // The replicas become the scaler's (an Update entry with subresource "scale"), as in kube-apiserver.
    const store = (n: number) => {
      const next = withReplicas(stored.object, paths, n);
      validateCustomRules(served, next, stored.object);
      return withUpdateOwnership(r, served, stored, next);
    };
    const next = store(replicas);
    try {
      const written = await core.writer.write({
        served, operation: 'UPDATE', subresource: 'scale', eventType: ObjectEventTypes.updated, object: next, oldObject: stored.object, expectedVersion: stored.streamVersion,
        actor: r.user, dryRun: isDryRun(r.query), requestId: r.requestId, userAgent: r.req.headers['user-agent'],
        ...admissionHooks(r, core.registry.storage(served.resource), { old: stored.object }),
        admitAs: scaleAdmission(stored.object, paths, replicas, store),
      });
      return sendJson(r.res, 200, scaleOf(written, paths));
    } catch (err) {
      if (!isVersionConflict(err) || attempt >= 10) throw err;
      await catchUpPast(core, served.resource, namespace, name!, stored.streamVersion);
    }
  }
}
