import { CRD_CLEANUP_FINALIZER, CRDS_RESOURCE, markDeletion, ObjectEventType, ObjectEventTypes, qualifiedResource, rfc3339 } from '@openpacific/contracts';
import { conflict, forbidden, notFound } from '@openpacific/kube-api';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';
import { ServedResource } from '../registry/registry';
import { convertOne } from '../customresources/conversion-webhook';
import { Actor } from '../store/object-writer';
import { catchUpPast, conflictFor, isVersionConflict } from './commit';
import { deletedStatus } from './delete-answer';
import { strategyFor } from './kind-strategies';
import { markTerminating } from '../customresources/crd.status';
import { warn } from './decode';
import { annotateAudit } from '../audit/audit-annotations';
import { selectorFor } from './read';
import { DeleteOptions, deleteOptionsOf, isDryRunDelete } from './delete-options';
import { validateListOptions } from './list-options';
import { decodeContinue } from './list-pages';
import { parseLimit } from './query-params';

export type { DeleteOptions } from './delete-options';

/**
 * DELETE of one object: 200 with the Status naming what went, or with the object where kube-apiserver answers with it
 * (a kind that returns the deleted object, or a deletion still under way); a dry run answers as the deletion would.
 */
export async function handleDelete(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const options = deleteOptionsOf(r);
  const result = await deleteObject(core, served, namespace, name!, options, r.user, isDryRunDelete(options), r);
  // As kube-apiserver: 202 for a deletion left under way that asked for orphanDependents: false.
  const code = result.metadata.deletionTimestamp && options.orphanDependents === false ? 202 : 200;
  // A Status is no object of the kind: nothing to convert (or to send to a conversion webhook).
  sendJson(r.res, code, deletedStatus(served.def, result) ?? (await convertOne(core.readModel, result, served)));
}

/**
 * DELETE on a collection: every object the selectors match, one by one. Its list options are decoded and checked
 * first, as a list's are (a `limit` that is no integer, a `continue` that is no token, a `resourceVersionMatch` kube
 * does not know: 400 or 422, nothing deleted); before, the matching objects were deleted whatever the options said.
 */
export async function handleDeleteCollection(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace } = r.target;
  validateListOptions(r.query, false);
  parseLimit(r.query);
  const continued = r.query.get('continue');
  if (continued) decodeContinue(continued);
  const matches = selectorFor(r);
  const options = deleteOptionsOf(r);
  const items = [];
  for (const s of core.readModel.list(served.resource, namespace).filter((s) => matches(s.object))) {
    const m = s.object.metadata;
    items.push(await convertOne(core.readModel, await deleteObject(core, served, m.namespace, m.name, options, r.user, isDryRunDelete(options), r), served));
  }
  sendJson(r.res, 200, { kind: served.def.listKind, apiVersion: served.apiVersion, metadata: {}, items });
}

/**
 * Deletes at once when nothing holds the object; otherwise marks it with a
 * deletionTimestamp (and the foregroundDeletion/orphan finalizer the policy
 * asks for) and lets finalizers and the garbage collector finish the job.
 * Namespaces always go through Terminating while their contents are removed.
 * Returns the object's last state: with its deletionTimestamp while the deletion waits, without one when it is
 * gone at once (what a DELETE's answer is chosen by, delete-answer.ts).
 */
export async function deleteObject(
  core: GatewayCore,
  served: ServedResource,
  namespace: string | undefined,
  name: string,
  options: DeleteOptions,
  actor: Actor,
  dryRun: boolean,
  r?: ResourceRequest,
): Promise<any> {
  for (let attempt = 1; ; attempt++) {
    const stored = core.readModel.get(served.resource, namespace, name);
    if (!stored) throw notFound(qualifiedResource(served.def), name);
    const obj = stored.object;
    checkPreconditions(served, obj, options.preconditions);
    const change = obj.metadata.deletionTimestamp ? shortenedDeletion(obj, options) : deletionOf(core, served, obj, options);
    if (!change) return obj;
    try {
      return await core.writer.write({
        served,
        operation: 'DELETE',
        eventType: change.type,
        object: change.object,
        oldObject: obj,
        expectedVersion: stored.streamVersion,
        actor,
        dryRun,
        requestId: r?.requestId,
        userAgent: r?.req.headers['user-agent'],
        skipAdmission: !r,
        warn: r && ((text) => warn(r, text)),
        annotate: r && ((annotations) => annotateAudit(r.res, annotations)),
      });
    } catch (err) {
      if (!isVersionConflict(err)) throw err;
      // Without preconditions a delete always wins in the end, as kube-apiserver's does: a busy object (a pod
      // whose host reports status) is tried again on its newer version.
      if (attempt >= 10) throw conflictFor(served, name);
      await catchUpPast(core, served.resource, namespace, name, stored.streamVersion);
    }
  }
}

/**
 * A DELETE's preconditions as kube-apiserver's BeforeDelete checks them (a uid or resourceVersion given, even empty,
 * must be the object's): 409 naming the object by its Kind, as there (`Operation cannot be fulfilled on Pod "x": the
 * UID in the precondition (…) does not match the UID in record (…). …`).
 */
function checkPreconditions(served: ServedResource, obj: any, pre: DeleteOptions['preconditions']): void {
  const kind = served.def.group ? `${served.def.kind}.${served.def.group}` : served.def.kind;
  const { uid, resourceVersion } = obj.metadata;
  if (pre?.uid != null && pre.uid !== uid) {
    throw conflict(kind, obj.metadata.name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`);
  }
  if (pre?.resourceVersion != null && pre.resourceVersion !== resourceVersion) {
    throw conflict(kind, obj.metadata.name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${resourceVersion}). The object might have been modified`);
  }
}

/** What a DELETE writes: the event's type and the object it carries. */
interface DeletionWrite {
  type: ObjectEventType;
  object: any;
}

/** The grace period a DELETE asks for, if any: a negative one is read as 1 s, as kube-apiserver's BeforeDelete reads it. */
function gracePeriodOf(options: DeleteOptions): number | undefined {
  const asked = options.gracePeriodSeconds;
  return asked !== undefined && asked < 0 ? 1 : asked;
}

/** What deleting an object not yet being deleted writes: its deletion, or the start of a graceful one. */
function deletionOf(core: GatewayCore, served: ServedResource, obj: any, options: DeleteOptions): DeletionWrite {
  const refusal = strategyFor(served.def).validateDelete?.(obj);
  if (refusal) throw forbidden(refusal);
  const isNamespace = served.def.kind === 'Namespace' && served.def.group === '';
  const hasDependents = core.readModel.dependentsOf(obj.metadata.uid).length > 0;
  const finalizers: string[] = [...(obj.metadata.finalizers ?? [])];
  const policy = options.propagationPolicy ?? (options.orphanDependents ? 'Orphan' : 'Background');
  if (hasDependents && policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  if (hasDependents && policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
  // A CustomResourceDefinition goes once its custom resources are gone (crd.controller.ts).
  const isCrd = served.resource === CRDS_RESOURCE;
  if (isCrd && !finalizers.includes(CRD_CLEANUP_FINALIZER)) finalizers.push(CRD_CLEANUP_FINALIZER);
  // A pod that may be running on a host goes gracefully: its host stops it, then finishes the deletion.
  const isBoundPod = served.def.kind === 'Pod' && served.def.group === '' && !!obj.spec?.nodeName && options.gracePeriodSeconds !== 0;
  const graceful = finalizers.length > 0 || isNamespace || isBoundPod;
  const next = structuredClone(obj);
  delete next.metadata.resourceVersion;
  if (graceful) {
    markDeletion(next.metadata, isBoundPod ? (gracePeriodOf(options) ?? obj.spec.terminationGracePeriodSeconds ?? 30) : 0);
    if (finalizers.length > 0) next.metadata.finalizers = finalizers;
    if (isNamespace) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    if (isCrd) markTerminating(next);
  }
  return { type: graceful ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted, object: next };
}

/**
 * A DELETE of an object already being deleted gracefully, as kube-apiserver's BeforeDelete takes it: a grace period
 * shorter than the one it has brings the deletion forward (`deletionGracePeriodSeconds` the one asked,
 * `deletionTimestamp` as many seconds earlier), and the pod's host cuts its stop short to match (`kubectl delete pod x
 * --grace-period=5` on a pod stopping with 300 s). Asked with 0 (`kubectl delete --force --grace-period=0`) the object
 * goes at once, unless finalizers still hold it (then it keeps them, with `deletionGracePeriodSeconds: 0`). Anything
 * else (no grace period asked, one not shorter, an object whose grace period has ended already) changes nothing:
 * undefined. A grace period is only ever shortened.
 */
/** The first instant of year 1, before which no deletion ends. */
const FIRST_YEAR_MS = Date.parse('0001-01-01T00:00:00Z');

function shortenedDeletion(obj: any, options: DeleteOptions): DeletionWrite | undefined {
  const current = obj.metadata.deletionGracePeriodSeconds ?? 0;
  const asked = gracePeriodOf(options);
  if (asked === undefined || !Number.isFinite(asked) || current === 0 || asked >= current) return undefined;
  const next = structuredClone(obj);
  delete next.metadata.resourceVersion;
  next.metadata.deletionGracePeriodSeconds = asked;
  // As many seconds earlier; a deletion whose end was written as year 9999's last second (rfc3339) ends `asked` from now.
  const earlier = Date.parse(obj.metadata.deletionTimestamp) - (current - asked) * 1000;
  next.metadata.deletionTimestamp = rfc3339(earlier >= FIRST_YEAR_MS ? earlier : Date.now() + asked * 1000);
  const held = (obj.metadata.finalizers ?? []).length > 0;
  return { type: asked > 0 || held ? ObjectEventTypes.updated : ObjectEventTypes.deleted, object: next };
}
