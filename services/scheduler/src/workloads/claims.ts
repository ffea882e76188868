import type { Logger } from '@openpacific/service-kit';
import { CONTROLLER_REVISIONS_RESOURCE, ObjectEventTypes } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import type { ReadModel } from '@openpacific/objects';
import { append, clean, type Controller, type OwnedPods, ownerRef } from './owned-pods';
import { claimObjects } from './workload-logic';

/**
 * Adopts the orphans `owner`'s selector matches and releases its own objects it no longer matches
 * (`claimObjects`, narrowed by `isMember`), one update of each object's owner references at the version the model
 * holds. A `finalizer` (a Job's tracking one) is added with the reference on adoption and goes with it on release,
 * as kube-controller-manager's PodControllerRefManager patches them. Whether it wrote any: the owner's sync then
 * waits for the next pass, which sees them read back.
 */
export async function claim(
  ctx: { model: ReadModel; pods: OwnedPods; logger: Logger },
  owner: any,
  resource: string,
  candidates: readonly any[],
  by: Controller,
  opts: { isMember?: (obj: any) => boolean; finalizer?: string } = {},
): Promise<boolean> {
  const { adopt, release } = claimObjects(owner, candidates, opts.isMember);
  const finalizer = opts.finalizer;
  if (adopt.length === 0 && release.length === 0) return false;
  const writes: StreamAppend[] = [];
  const at = (obj: any) => ctx.model.streamVersion(resource, obj.metadata.namespace, obj.metadata.name);
  for (const obj of adopt) {
    const next = clean(obj);
    next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRef(owner)];
    if (finalizer && !(next.metadata.finalizers ?? []).includes(finalizer)) next.metadata.finalizers = [...(next.metadata.finalizers ?? []), finalizer];
    writes.push(append(resource, next, ObjectEventTypes.updated, at(obj), by));
  }
  for (const obj of release) {
    const next = clean(obj);
    const refs = (next.metadata.ownerReferences ?? []).filter((r: any) => r.uid !== owner.metadata.uid);
    if (refs.length > 0) next.metadata.ownerReferences = refs;
    else delete next.metadata.ownerReferences;
    const finalizers = (next.metadata.finalizers ?? []).filter((f: string) => f !== finalizer);
    if (finalizers.length > 0) next.metadata.finalizers = finalizers;
    else delete next.metadata.finalizers;
    writes.push(append(resource, next, ObjectEventTypes.updated, at(obj), by));
  }
  ctx.logger.info('claimed', { owner: `${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name}`, resource, adopted: adopt.map((o) => o.metadata.name), released: release.map((o) => o.metadata.name) });
  await ctx.pods.write(writes);
  return true;
}

/**
 * A DaemonSet's or StatefulSet's claim on the ControllerRevisions of its namespace, before its pods: one deleted with
 * `--cascade=orphan` and made again takes its history back (kube-controller-manager's ClaimControllerRevisions), so
 * its template's revision keeps its name and hash and the orphaned pods of that hash are not rolled.
 */
export function claimRevisions(ctx: { model: ReadModel; pods: OwnedPods; logger: Logger }, owner: any, by: Controller): Promise<boolean> {
  const revisions = ctx.model.list(CONTROLLER_REVISIONS_RESOURCE, owner.metadata.namespace).map((s) => s.object);
  return claim(ctx, owner, CONTROLLER_REVISIONS_RESOURCE, revisions, by);
}
