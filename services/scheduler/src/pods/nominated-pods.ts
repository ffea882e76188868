import type { StoredObject } from '@openpacific/objects';
import { FilterResult, filterHost, holdOn, HostView, letGo } from './filters';
import { podPriority } from './preemption';

/** A pending pod that preemption nominated to a host, under its stream. */
interface Nominee {
  key: string;
  pod: any;
}

/** Where a nominee is counted on its host while another pod is filtered: apart from every bound pod's key. */
const reservedKey = (key: string) => `nominated:${key}`;

/**
 * kube-scheduler's nominator: the pods that preempted others and wait for their victims to go hold their room on the
 * nominated host. A pod of lower or equal priority is filtered there as if those pods ran already (kube's
 * `RunFilterPluginsWithNominatedPods`), so it cannot take the room the victims free; a pod of higher priority is
 * not held back by them (it may preempt them in turn). Scoring sees only what runs.
 */
export class NominatedPods {
  private readonly byHost = new Map<string, Nominee[]>();

  /** The pending pods with a nomination; none in a pass without preemptions, which then costs one look per pod. */
  constructor(pending: Iterable<StoredObject>) {
    for (const stored of pending) {
      const host = stored.object.status?.nominatedNodeName;
      if (!host) continue;
      let nominees = this.byHost.get(host);
      if (!nominees) this.byHost.set(host, (nominees = []));
      nominees.push({ key: stored.streamId, pod: stored.object });
    }
  }

  /** Placed (or given up on) in this pass: it holds no room beyond what the host's tally counts. */
  forget(key: string): void {
    for (const [host, nominees] of this.byHost) {
      const left = nominees.filter((n) => n.key !== key);
      if (left.length === nominees.length) continue;
      if (left.length > 0) this.byHost.set(host, left);
      else this.byHost.delete(host);
    }
  }

  /** `filterHost` of `pod` (under `key`) on `view`, with the host's other nominees of at least its priority counted there. */
  filterHost(pod: any, key: string, view: HostView, views: HostView[]): FilterResult {
    const nominees = this.byHost.get(view.name);
    if (nominees === undefined) return filterHost(pod, view, views);
    const priority = podPriority(pod);
    const held = nominees.filter((n) => n.key !== key && podPriority(n.pod) >= priority);
    for (const n of held) holdOn(view, n.pod, reservedKey(n.key));
    try {
      return filterHost(pod, view, views);
    } finally {
      for (const n of held) letGo(view, reservedKey(n.key));
    }
  }
}
