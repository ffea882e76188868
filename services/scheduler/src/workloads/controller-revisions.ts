import { randomUUID } from 'node:crypto';
import { CONTROLLER_REVISION_HASH_LABEL, CONTROLLER_REVISIONS_RESOURCE, ObjectEventTypes, rfc3339 } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import type { ReadModel, StoredObject } from '@openpacific/objects';
import { append, clean, Controller, ownerRef } from './owned-pods';
import { controllerOf, podTemplateHash, sameTemplateIgnoringHash } from './workload-logic';

/**
 * The ControllerRevisions of a DaemonSet or StatefulSet (kube-controller-manager's history): one per pod template
 * the owner has had, named `<owner>-<hash>`, numbered in the order the templates were current. `data` is the
 * strategic merge patch that puts the template back, which `kubectl rollout undo` sends as it is.
 */

export interface Revision {
  name: string;
  hash: string;
  number: number;
  template: any;
}

/** The template a revision's `data` holds. */
export function revisionTemplate(rev: any): any {
  const { $patch: _p, ...template } = rev?.data?.spec?.template ?? {};
  return template;
}

export function ownedRevisions(model: ReadModel, owner: any): StoredObject[] {
  return model.list(CONTROLLER_REVISIONS_RESOURCE, owner.metadata.namespace).filter((s) => controllerOf(s.object)?.uid === owner.metadata.uid);
}

/**
 * The owner's update revision (the one of its current template) and the writes that make the history so: a new
 * revision when the template is new, or the old revision of the same template renumbered as the newest (a rollback),
 * and the oldest revisions beyond `revisionHistoryLimit` that no pod uses (`inUse`: their names or hashes) deleted.
 */
export function syncRevisions(model: ReadModel, owner: any, by: Controller, inUse: Set<string>): { update: Revision; writes: StreamAppend[][] } {
  const owned = ownedRevisions(model, owner).sort((a, b) => a.object.revision - b.object.revision);
  const max = owned.length ? owned[owned.length - 1].object.revision : 0;
  const template = owner.spec.template;
  const writes: StreamAppend[][] = [];
  const same = owned.find((s) => sameTemplateIgnoringHash(revisionTemplate(s.object), template));
  let update: Revision;
  if (same) {
    update = { name: same.object.metadata.name, hash: hashOf(same.object), number: same.object.revision, template };
    if (same.object.revision < max) {
      const next = clean(same.object);
      next.revision = max + 1;
      update.number = max + 1;
      writes.push([append(CONTROLLER_REVISIONS_RESOURCE, next, ObjectEventTypes.updated, same.streamVersion, by)]);
    }
  } else {
    const hash = podTemplateHash(template);
    const name = `${owner.metadata.name}-${hash}`;
    const rev = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: owner.metadata.namespace,
        uid: randomUUID(),
        creationTimestamp: rfc3339(),
        labels: { ...(template.metadata?.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ownerReferences: [ownerRef(owner)],
      },
      data: { spec: { template: { ...structuredClone(template), $patch: 'replace' } } },
      revision: max + 1,
    };
    update = { name, hash, number: max + 1, template };
    writes.push([append(CONTROLLER_REVISIONS_RESOURCE, rev, ObjectEventTypes.created, model.streamVersion(CONTROLLER_REVISIONS_RESOURCE, owner.metadata.namespace, name) || 'no_stream', by)]);
  }
  const limit = owner.spec.revisionHistoryLimit ?? 10;
  const prunable = owned.filter((s) => s !== same && !inUse.has(s.object.metadata.name) && !inUse.has(hashOf(s.object)));
  for (const s of prunable.slice(0, Math.max(prunable.length - limit, 0))) {
    writes.push([append(CONTROLLER_REVISIONS_RESOURCE, clean(s.object), ObjectEventTypes.deleted, s.streamVersion, by)]);
  }
  return { update, writes };
}

function hashOf(rev: any): string {
  return rev.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? rev.metadata.name.slice(rev.metadata.name.lastIndexOf('-') + 1);
}
