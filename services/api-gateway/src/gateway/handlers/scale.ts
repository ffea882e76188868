import { ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import { applyMergePatch, badRequest, conflict, invalid, methodNotAllowed, notFound, parseBody } from '@openpacific/kube-api';
import { GatewayCore, isDryRun, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { catchUpPast, isVersionConflict } from './commit';
import { validateCustomRules, warn } from './decode';
import { withUpdateOwnership } from './field-managers';

function getPath(obj: any, path: string): any {
  return path.replace(/^\./, '').split('.').reduce((o, k) => (o === undefined || o === null ? undefined : o[k]), obj);
}

function setPath(obj: any, path: string, value: unknown): void {
  const keys = path.replace(/^\./, '').split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  o[keys[keys.length - 1]] = value;
}

/** The autoscaling/v1 Scale of an object whose kind has the scale subresource. */
function scaleOf(obj: any, paths: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }) {
  const m = obj.metadata;
  const selector = paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : obj.status?.selector;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: getPath(obj, paths.specReplicasPath) ?? 0 },
    status: { replicas: getPath(obj, paths.statusReplicasPath) ?? 0, ...(typeof selector === 'string' ? { selector } : {}) },
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
    const body = parseBody(r.body ?? Buffer.alloc(0), r.req.headers['content-type'] ?? 'application/json') as any;
    const wanted = method === 'PUT' ? body : applyMergePatch(current, body);
    const replicas = wanted?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', name!, 'autoscaling', [{ field: 'spec.replicas', reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` }]);
    }
    const precondition = wanted?.metadata?.resourceVersion;
    if (method === 'PUT' && precondition && precondition !== stored.object.metadata.resourceVersion) throw conflict(qualifiedResource(served.def), name!);
    if (typeof wanted !== 'object') throw badRequest('the body is not a Scale');
    let next = structuredClone(stored.object);
    delete next.metadata.resourceVersion;
    if (getPath(next, paths.specReplicasPath) !== replicas) {
      setPath(next, paths.specReplicasPath, replicas);
      next.metadata.generation = (next.metadata.generation ?? 1) + 1;
    }
    validateCustomRules(served, next, stored.object);
    // The replicas become the scaler's (an Update entry with subresource "scale"), as in kube-apiserver.
    next = withUpdateOwnership(r, served, stored, next);
    try {
      const written = await core.writer.write({
        served, operation: 'UPDATE', eventType: ObjectEventTypes.updated, object: next, oldObject: stored.object, expectedVersion: stored.streamVersion,
        actor: r.user, dryRun: isDryRun(r.query), requestId: r.requestId, userAgent: r.req.headers['user-agent'], warn: (text) => warn(r, text),
      });
      return sendJson(r.res, 200, scaleOf(written, paths));
    } catch (err) {
      if (!isVersionConflict(err) || attempt >= 10) throw err;
      await catchUpPast(core, served.resource, namespace, name!, stored.streamVersion);
    }
  }
}
