import { randomUUID } from 'node:crypto';
import type { Logger } from '@openpacific/service-kit';
import { ephemeralClaimName, ObjectEventTypes, PVC_PROTECTION_FINALIZER, PVCS_RESOURCE, rfc3339 } from '@openpacific/contracts';
import type { FollowerDeps, ReadModel } from '@openpacific/objects';
import { append, controllerNamed, OwnedPods, workloadEvent } from '../workloads/owned-pods';

const EPHEMERAL_CONTROLLER = controllerNamed('ephemeral-volume-controller');

/** Whether the pod has generic ephemeral volumes. */
export function hasEphemeralVolumes(pod: any): boolean {
  return (pod?.spec?.volumes ?? []).some((v: any) => v?.ephemeral);
}

/** The claim an ephemeral volume of the pod is made as: the template's metadata and spec, owned by the pod. */
export function ephemeralClaim(pod: any, volume: any): any {
  const template = volume.ephemeral.volumeClaimTemplate ?? {};
  const spec = structuredClone(template.spec ?? {});
  spec.volumeMode ??= 'Filesystem';
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: ephemeralClaimName(pod, volume),
      namespace: pod.metadata.namespace,
      uid: randomUUID(),
      creationTimestamp: rfc3339(),
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true }],
      finalizers: [PVC_PROTECTION_FINALIZER],
    },
    spec,
    status: { phase: 'Pending' },
  };
}

/**
 * kube-controller-manager's ephemeral volume controller (run by the volume binder, whose read model holds pods and
 * claims): for each pod with generic ephemeral volumes, not being deleted, the claim `<pod>-<volume>` is made from
 * the volume's template, owned by the pod (so the garbage collector deletes it with the pod), admitted by the policy
 * service as the API would admit it (quota). A claim of that name that exists is left alone: if it is not the pod's,
 * the scheduler does not place the pod (nor does a host start it). Only pods known to have such volumes are looked at.
 */
export class EphemeralClaims {
  /** `namespace/name` of the pods with ephemeral volumes. */
  private readonly pods = new Set<string>();
  /** The last refusal reported per claim (pod uid and volume), so a refusal is one Event, not one per pass. */
  private readonly refused = new Map<string, string>();
  private readonly writer: OwnedPods;

  constructor(
    deps: FollowerDeps<Logger>,
    private readonly model: ReadModel,
    onConflict: () => void,
  ) {
    this.writer = new OwnedPods(deps, model, onConflict);
  }

  /** A pod changed (or went): whether it has ephemeral volumes, and so whether a pass is due. */
  observe(pod: any, gone: boolean): boolean {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!gone && hasEphemeralVolumes(pod)) {
      this.pods.add(key);
      return true;
    }
    return this.pods.delete(key);
  }

  /** Makes the claims that are missing. */
  async makeClaims(): Promise<void> {
    for (const key of this.pods) {
      const slash = key.indexOf('/');
      const pod = this.model.get('pods', key.slice(0, slash), key.slice(slash + 1))?.object;
      if (!pod || pod.metadata.deletionTimestamp) continue;
      for (const volume of pod.spec.volumes ?? []) {
        if (!volume?.ephemeral) continue;
        const name = ephemeralClaimName(pod, volume);
        if (this.model.get(PVCS_RESOURCE, pod.metadata.namespace, name)) continue;
        const claim = ephemeralClaim(pod, volume);
        const verdict = await this.writer.admit(claim, PVCS_RESOURCE, EPHEMERAL_CONTROLLER, `claim ${pod.metadata.namespace}/${name}`);
        const said = `${pod.metadata.uid}/${volume.name}`;
        if (!verdict.allowed) {
          const why = `create PVC ${name}: ${verdict.status?.message ?? 'denied by the policy service'}`;
          if (this.refused.get(said) !== why) await this.writer.write([workloadEvent({ ...pod, apiVersion: 'v1', kind: 'Pod' }, EPHEMERAL_CONTROLLER, 'Warning', 'FailedCreate', why)]);
          this.refused.set(said, why);
          continue;
        }
        this.refused.delete(said);
        const version = this.model.streamVersion(PVCS_RESOURCE, pod.metadata.namespace, name) || 'no_stream';
        await this.writer.write([append(PVCS_RESOURCE, verdict.patchedObject ?? claim, ObjectEventTypes.created, version, EPHEMERAL_CONTROLLER)]);
      }
    }
    const live = new Set([...this.pods].map((k) => this.model.get('pods', k.split('/')[0], k.split('/')[1])?.object.metadata.uid));
    for (const said of this.refused.keys()) if (!live.has(said.split('/')[0])) this.refused.delete(said);
  }
}
