import type { Logger } from '@openpacific/service-kit';
import { ObjectEventTypes } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import type { ReadModel } from '@openpacific/objects';
import { append, clean, type Controller, type OwnedPods, ownerRef } from './owned-pods';
import { claimObjects } from './workload-logic';

/**
 * Adopts the orphans `owner`'s selector matches and releases its own objects it no longer matches
 * (`claimObjects`, narrowed by `isMember`), one update of each object's owner references at the version the model
 * holds. Whether it wrote any: the owner's sync then waits for the next pass, which sees them read back.
 */
export async function claim(
  ctx: { model: ReadModel; pods: OwnedPods; logger: Logger },
  owner: any,
  resource: string,
  candidates: readonly any[],
  by: Controller,
  isMember?: (obj: any) => boolean,
): Promise<boolean> {
  const { adopt, release } = claimObjects(owner, candidates, isMember);
  if (adopt.length === 0 && release.length === 0) return false;
  const writes: StreamAppend[] = [];
  const at = (obj: any) => ctx.model.streamVersion(resource, obj.metadata.namespace, obj.metadata.name);
  for (const obj of adopt) {
    const next = clean(obj);
    next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRef(owner)];
    writes.push(append(resource, next, ObjectEventTypes.updated, at(obj), by));
  }
  for (const obj of release) {
    const next = clean(obj);
    const refs = (next.metadata.ownerReferences ?? []).filter((r: any) => r.uid !== owner.metadata.uid);
    if (refs.length > 0) next.metadata.ownerReferences = refs;
    else delete next.metadata.ownerReferences;
    writes.push(append(resource, next, ObjectEventTypes.updated, at(obj), by));
  }
  ctx.logger.info('claimed', { owner: `${owner.kind} ${owner.metadata.namespace}/${owner.metadata.name}`, resource, adopted: adopt.map((o) => o.metadata.name), released: release.map((o) => o.metadata.name) });
  await ctx.pods.write(writes);
  return true;
}
