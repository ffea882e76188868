import type { Logger } from '@openpacific/service-kit';
import { randomUUID } from 'node:crypto';
import {
  CONTROLLER_REVISION_HASH_LABEL, CONTROLLER_REVISIONS_RESOURCE, ObjectEventTypes, POD_INDEX_LABEL, PVC_PROTECTION_FINALIZER, PVCS_RESOURCE, STATEFULSET_POD_NAME_LABEL,
  STATEFULSETS_RESOURCE, rfc3339,
} from '@openpacific/contracts';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import { claim, claimRevisions } from './claims';
import { revisionTemplate, syncRevisions } from './controller-revisions';
import { append, clean, controllerNamed, nextAvailable, ownerRef, PodOwnersController, PodShape, workloadEvent, POD_ADMISSION_RESOURCES } from './owned-pods';
import { claimName, ordinalOf, planStatefulSet, revisionOfPod } from './statefulset-logic';
import { controllerOf, ownedPodEvent, selectedByAny } from './workload-logic';

const STATEFULSET_CONTROLLER = controllerNamed('statefulset-controller');

/**
 * The StatefulSet controller of OpenPacific (apps/v1), run by the elected scheduler: members with stable names
 * (`<set>-<ordinal>`), host names (`<set>-<ordinal>.<serviceName>`, answered by cluster DNS through the governing
 * headless Service) and storage (a claim per member and volume claim template, `<template>-<set>-<ordinal>`, kept when
 * the member is deleted or the set scaled down unless the retention policy says Delete), made and removed in order
 * (OrderedReady) or all at once (Parallel), rolled to a new template from the highest ordinal down to the partition,
 * with the history as ControllerRevisions and the status `kubectl rollout status` reads (statefulset-logic.ts decides).
 */
export class StatefulSetsController extends PodOwnersController {
  /** The last refusal of a member, by StatefulSet uid: recorded as an Event once, tried again at the resync. */
  private readonly refusals = new Map<string, string>();

  constructor(deps: FollowerDeps<Logger> & { log: SharedFollower }, opts: { resyncMs?: number; admissionTimeoutMs?: number } = {}) {
    // Of the pods, only StatefulSets' own and the orphans one of them selects (to adopt): the scheduler's other controllers hold every pod already.
    const model = controllerReadModel([STATEFULSETS_RESOURCE, CONTROLLER_REVISIONS_RESOURCE, PVCS_RESOURCE, 'pods', ...POD_ADMISSION_RESOURCES]);
    super(deps, model, 'statefulsets', {
      ...opts,
      keep: (e) => ownedPodEvent(e, 'StatefulSet', (pod) => selectedByAny(model.list(STATEFULSETS_RESOURCE, pod.metadata?.namespace).map((s) => s.object), pod)),
    });
  }

  protected async pass(): Promise<void> {
    await this.syncEach(STATEFULSETS_RESOURCE, (stored) => this.syncStatefulSet(stored), 50, [this.refusals]);
  }

  private async syncStatefulSet(stored: StoredObject): Promise<number | undefined> {
    const set = stored.object;
    const ns = set.metadata.namespace;
    const candidates = this.model.list('pods', ns).map((s) => s.object);
    if (await claimRevisions(this.claimContext, set, STATEFULSET_CONTROLLER)) return undefined;
    // The selector claims only pods named as members (Kubernetes' isMemberOf).
    if (await claim(this.claimContext, set, 'pods', candidates, STATEFULSET_CONTROLLER, { isMember: (p) => ordinalOf(set, p.metadata.name) !== undefined })) return undefined;
    const pods = candidates.filter((p) => controllerOf(p)?.uid === set.metadata.uid);
    if (this.awaitingCreates(set, pods)) return undefined;
    const inUse = new Set(pods.map(revisionOfPod).filter((r): r is string => !!r));
    if (set.status?.currentRevision) inUse.add(set.status.currentRevision);
    const { update, writes } = syncRevisions(this.model, set, STATEFULSET_CONTROLLER, inUse);
    for (const w of writes) if (!(await this.pods.write(w))) return undefined;
    const currentName = set.status?.currentRevision;
    const current = currentName ? this.model.get(CONTROLLER_REVISIONS_RESOURCE, ns, currentName)?.object : undefined;
    const revisions = { current: current ? currentName : update.name, update: update.name };
    const now = Date.now();
    const plan = planStatefulSet(set, pods, revisions, now);

    let changed = false;
    for (const pod of plan.remove) {
      await this.releaseClaims(set, pod);
      changed = (await this.pods.delete(set, pod, STATEFULSET_CONTROLLER, `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`)) || changed;
    }
    const made = new Set<string>();
    for (const { ordinal, revision } of plan.create) {
      if (!(await this.ensureClaims(set, ordinal))) break;
      const template = revision === update.name ? set.spec.template : revisionTemplate(current);
      const said = this.refusals.get(set.metadata.uid);
      const outcome = await this.pods.create(set, STATEFULSET_CONTROLLER, said, member(set, ordinal, revision, template));
      if (outcome && 'refused' in outcome) {
        if (said !== outcome.refused && outcome.refused.endsWith('already exists')) {
          await this.pods.write([workloadEvent(set, STATEFULSET_CONTROLLER, 'Warning', 'FailedCreate', `create Pod ${set.metadata.name}-${ordinal} in StatefulSet ${set.metadata.name} failed error: ${outcome.refused}`)]);
        }
        this.refusals.set(set.metadata.uid, outcome.refused);
        break;
      }
      if (outcome) {
        made.add(outcome.created);
        this.refusals.delete(set.metadata.uid);
      }
    }
    this.expect(set, made);
    if (made.size > 0 || changed) return undefined; // the status follows once the read model shows the changes
    if (!sameJson(plan.status, set.status ?? {})) {
      const next = clean(set);
      next.status = plan.status;
      await this.pods.write([append(STATEFULSETS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, STATEFULSET_CONTROLLER)]);
    }
    return nextAvailable(set, pods, now);
  }

  /**
   * The member's claims, made from the volume claim templates where missing (admitted by the policy service as the
   * API server would: quotas count them). False when one could not be made; the member then waits.
   */
  private async ensureClaims(set: any, ordinal: number): Promise<boolean> {
    const ns = set.metadata.namespace;
    const podName = `${set.metadata.name}-${ordinal}`;
    const deleteWithSet = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === 'Delete';
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(template, set, ordinal);
      if (this.model.get(PVCS_RESOURCE, ns, name)) continue;
      const claim: any = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace: ns,
          uid: randomUUID(),
          creationTimestamp: rfc3339(),
          labels: { ...(template.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ...(deleteWithSet ? { ownerReferences: [ownerRef(set)] } : {}),
          // As every claim made through the API: in-use protection from the start.
          finalizers: [PVC_PROTECTION_FINALIZER],
        },
        spec: structuredClone(template.spec),
        status: { phase: 'Pending' },
      };
      const verdict = await this.pods.admit(claim, PVCS_RESOURCE, STATEFULSET_CONTROLLER, `claim ${ns}/${name}`);
      const message = `create Claim ${name} for Pod ${podName} in StatefulSet ${set.metadata.name}`;
      if (!verdict.allowed) {
        const why = verdict.status?.message ?? 'denied by the policy service';
        if (this.refusals.get(set.metadata.uid) !== why) await this.pods.write([workloadEvent(set, STATEFULSET_CONTROLLER, 'Warning', 'FailedCreate', `${message} failed error: ${why}`)]);
        this.refusals.set(set.metadata.uid, why);
        return false;
      }
      const object = verdict.patchedObject ?? claim;
      const version = this.model.streamVersion(PVCS_RESOURCE, ns, name) || 'no_stream';
      if (!(await this.pods.write([append(PVCS_RESOURCE, object, ObjectEventTypes.created, version, STATEFULSET_CONTROLLER), workloadEvent(set, STATEFULSET_CONTROLLER, 'Normal', 'SuccessfulCreate', `${message} success`)]))) return false;
    }
    return true;
  }

  /**
   * A member going because the set shrank, under `whenScaled: Delete`: its claims get the pod as owner, so the
   * garbage collector deletes them once the pod is gone.
   */
  private async releaseClaims(set: any, pod: any): Promise<void> {
    if (set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled !== 'Delete') return;
    const ordinal = ordinalOf(set, pod.metadata.name)!;
    const start = set.spec?.ordinals?.start ?? 0;
    if (ordinal >= start && ordinal < start + (set.spec?.replicas ?? 1)) return; // replaced, not scaled away
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const stored = this.model.get(PVCS_RESOURCE, set.metadata.namespace, claimName(template, set, ordinal));
      if (!stored || (stored.object.metadata.ownerReferences ?? []).some((r: any) => r.uid === pod.metadata.uid)) continue;
      const next = clean(stored.object);
      next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []).filter((r: any) => r.uid !== set.metadata.uid), { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid }];
      await this.pods.write([append(PVCS_RESOURCE, next, ObjectEventTypes.updated, stored.streamVersion, STATEFULSET_CONTROLLER)]);
    }
  }
}

/** Member `<set>-<ordinal>` of a revision: its identity labels, host name and subdomain, and its claims as volumes. */
function member(set: any, ordinal: number, revision: string, template: any): PodShape {
  const name = `${set.metadata.name}-${ordinal}`;
  return {
    name,
    template,
    created: `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
    apply: (pod) => {
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: revision, [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) };
      pod.spec.hostname = name;
      if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
      const claims: any[] = set.spec?.volumeClaimTemplates ?? [];
      const named = new Set(claims.map((c) => c.metadata.name));
      pod.spec.volumes = [
        ...(pod.spec.volumes ?? []).filter((v: any) => !named.has(v.name)),
        ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: claimName(c, set, ordinal) } })),
      ];
      if (pod.spec.volumes.length === 0) delete pod.spec.volumes;
    },
  };
}
