import type { Logger } from '@openpacific/service-kit';
import { CONTROLLER_REVISION_HASH_LABEL, CONTROLLER_REVISIONS_RESOURCE, DAEMONSETS_RESOURCE, HOSTS_RESOURCE, ObjectEventTypes, POD_TEMPLATE_GENERATION_LABEL, ZONES_RESOURCE } from '@openpacific/contracts';
import { controllerReadModel, type FollowerDeps, sameJson, type SharedFollower, StoredObject } from '@openpacific/objects';
import { claim, claimRevisions } from './claims';
import { syncRevisions } from './controller-revisions';
import { pinnedSpec, planDaemonSet } from './daemonset-logic';
import { FailedPodsBackoff } from './daemonset-backoff';
import { append, clean, controllerNamed, nextAvailable, PodOwnersController, PodShape, workloadEvent, POD_ADMISSION_RESOURCES } from './owned-pods';
import { controllerOf, ownedPodEvent, selectedByAny } from './workload-logic';
import { namespaceZoneRule, namespaceZones, zoneFilter } from '../vms/vm-zones';

const DAEMONSET_CONTROLLER = controllerNamed('daemon-set-controller');
/** Pods a DaemonSet creates or deletes per pass. */
const BURST = 500;

/** A daemon pod for one host: pinned to it by node affinity, labelled with its revision and the set's generation. */
function daemonPod(ds: any, host: string, hash: string): PodShape {
  return {
    apply: (pod) => {
      pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata.generation ?? 1) };
      pod.spec = pinnedSpec(pod.spec, host);
    },
  };
}

/**
 * The DaemonSet controller of OpenPacific (apps/v1), run by the elected scheduler: one pod of the template on every
 * host whose labels, affinity and taints let it run there (the scheduler then binds it to that host, as kube-scheduler
 * does with kube-controller-manager's pinned pods), none elsewhere; failed pods replaced (after a back-off that grows
 * while a host keeps failing them); a changed template rolled
 * out host by host within maxUnavailable (or maxSurge), or only as pods are deleted with OnDelete; the history of
 * templates as ControllerRevisions; and the status `kubectl get ds` and `kubectl rollout status` read.
 */
export class DaemonSetsController extends PodOwnersController {
  private readonly backoff = new FailedPodsBackoff();

  constructor(deps: FollowerDeps<Logger> & { log: SharedFollower }, opts: { resyncMs?: number; admissionTimeoutMs?: number } = {}) {
    // Of the pods, only DaemonSets' own and the orphans one of them selects (to adopt): the scheduler's other controllers hold every pod already.
    const model = controllerReadModel([DAEMONSETS_RESOURCE, CONTROLLER_REVISIONS_RESOURCE, HOSTS_RESOURCE, 'pods', 'namespaces', ZONES_RESOURCE, ...POD_ADMISSION_RESOURCES]);
    super(deps, model, 'daemonsets', {
      ...opts,
      keep: (e) => ownedPodEvent(e, 'DaemonSet', (pod) => selectedByAny(model.list(DAEMONSETS_RESOURCE, pod.metadata?.namespace).map((s) => s.object), pod)),
    });
  }

  protected async pass(): Promise<void> {
    this.backoff.gc(Date.now());
    await this.syncEach(DAEMONSETS_RESOURCE, (stored) => this.syncDaemonSet(stored), 50);
  }

  /** One DaemonSet: its history, its pods made or removed, its status written. The time its pods become available, when minReadySeconds waits. */
  private async syncDaemonSet(stored: StoredObject): Promise<number | undefined> {
    const ds = stored.object;
    const candidates = this.model.list('pods', ds.metadata.namespace).map((s) => s.object);
    if (await claimRevisions(this.claimContext, ds, DAEMONSET_CONTROLLER)) return undefined;
    if (await claim(this.claimContext, ds, 'pods', candidates, DAEMONSET_CONTROLLER)) return undefined;
    const pods = candidates.filter((p) => controllerOf(p)?.uid === ds.metadata.uid);
    if (this.awaitingCreates(ds, pods)) return undefined;
    const inUse = new Set(pods.map((p) => p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL]).filter(Boolean));
    const { update, writes } = syncRevisions(this.model, ds, DAEMONSET_CONTROLLER, inUse);
    for (const w of writes) if (!(await this.pods.write(w))) return undefined;
    const now = Date.now();
    // Only the hosts in the namespace's zones, as the scheduler would place its pods (docs/pods.md, Zones): a daemon pod
    // on another host would wait there unscheduled; one already there goes, as when a host stops matching its selector.
    const { namespace } = ds.metadata;
    const zoneRule = namespaceZoneRule(namespace, namespaceZones(this.model.get('namespaces', undefined, namespace)?.object, this.model.list(ZONES_RESOURCE, namespace).map((s) => s.object)));
    const hosts = this.model.list(HOSTS_RESOURCE).map((s) => s.object).filter((h) => !zoneFilter(zoneRule, h));
    const plan = planDaemonSet(ds, hosts, pods, update.hash, now, this.backoff);
    let changed = false;
    const finished = new Map(plan.finished.map((f) => [f.pod, f.host]));
    for (const pod of plan.remove.slice(0, BURST)) {
      const host = finished.get(pod);
      // kube-controller-manager's words, so that `kubectl describe ds` tells why a daemon pod came back.
      if (host !== undefined) {
        const failed = pod.status?.phase === 'Failed';
        await this.pods.write([workloadEvent(ds, DAEMONSET_CONTROLLER, failed ? 'Warning' : 'Normal', failed ? 'FailedDaemonPod' : 'SucceededDaemonPod',
          `Found ${failed ? 'failed' : 'succeeded'} daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${host}, will try to ${failed ? 'kill' : 'delete'} it`)]);
      }
      changed = (await this.pods.delete(ds, pod, DAEMONSET_CONTROLLER)) || changed;
    }
    const made = new Set<string>();
    for (const host of plan.create.slice(0, BURST)) {
      const outcome = await this.pods.create(ds, DAEMONSET_CONTROLLER, undefined, daemonPod(ds, host, update.hash));
      if (outcome && 'refused' in outcome) break;
      if (outcome) made.add(outcome.created);
    }
    this.expect(ds, made);
    if (made.size > 0 || changed) return plan.retryAt; // the status follows once the read model shows the changes
    const at = Math.min(nextAvailable(ds, pods, now) ?? Infinity, plan.retryAt ?? Infinity);
    if (!sameJson(plan.status, ds.status ?? {})) {
      const next = clean(ds);
      next.status = plan.status;
      await this.pods.write([append(DAEMONSETS_RESOURCE, next, ObjectEventTypes.statusUpdated, stored.streamVersion, DAEMONSET_CONTROLLER)]);
    }
    return Number.isFinite(at) ? at : undefined;
  }
}
