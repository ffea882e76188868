import { PDBS_RESOURCE } from '@openpacific/contracts';
import type { ReadModel, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { filterHost, HostView, unschedulableMessage } from './filters';
import type { HostTallies } from './host-tallies';
import type { PlacementDecision } from './placement-writer';
import { budgetView, choosePreemption, notEligible, podPriority, PreemptionChoice, withoutVictims } from './preemption';
import { preemptedPod, preemptionDecision } from './preemption-records';

/** What preemption reads and changes of the pod scheduler's pass. */
export interface PreemptionDeps {
  model: ReadModel;
  tallies: HostTallies;
  isAssumed(streamId: string): boolean;
  countAgain(streamId: string, resource: string, object: any): void;
  logger: Logger;
}

/** A preemption to write, or the verdict of a pod that waits (and whether its nomination goes). */
export type PreemptionOutcome = { decision: PlacementDecision; victims: number } | { message: string; clearNomination: boolean; searched: boolean };

/**
 * DefaultPreemption (kube-scheduler's PostFilter) for a pod that fits nowhere (`reasons`: each host's filter verdict):
 * victims chosen on the best host, deleted gracefully in the same write as the pod's nomination, and counted as
 * terminating for the rest of the pass (no one preempts them again); a later pass binds the pod once its host has let
 * them go. Otherwise the pod waits, its message saying why preemption did not help, as kube-scheduler's does. A pod
 * of no higher priority than every running pod (`lowest`) has no one to preempt: its verdict comes from the filters'
 * alone, with no further look at the hosts.
 */
export function preemptOrWait(
  deps: PreemptionDeps, stored: StoredObject, views: HostView[], reasons: string[], lowest: number,
  /** A verdict the pass gave before the filters (the namespace's zones): a host it refuses is no place to preempt on. */
  before?: (view: HostView) => string | undefined,
): PreemptionOutcome {
  const pod = stored.object;
  const message = unschedulableMessage(views.length, reasons);
  const ineligible = notEligible(pod, views);
  if (ineligible) return { message: `${message} preemption: ${ineligible}.`, clearNomination: false, searched: false };
  let failures: string[];
  if (podPriority(pod) <= lowest) failures = withoutVictims(reasons);
  else {
    const verdicts = new Map<string, string>();
    for (const view of views) {
      const why = before?.(view) ?? filterHost(pod, view, views);
      if (why) verdicts.set(view.name, why);
    }
    const budgets = deps.model.list(PDBS_RESOURCE).map((s) => budgetView(s.object));
    const result = choosePreemption(pod, views, verdicts, budgets, (v) => !deps.isAssumed(v.key));
    if ('choice' in result) return { decision: preempt(deps, stored, result.choice, message), victims: result.choice.victims.length };
    failures = result.failures;
  }
  // No host would do: kube-scheduler clears the pod's nomination.
  return { message: `${message} preemption: ${unschedulableMessage(views.length, failures)}.`, clearNomination: true, searched: podPriority(pod) > lowest };
}

function preempt(deps: PreemptionDeps, stored: StoredObject, choice: PreemptionChoice, message: string): PlacementDecision {
  const pod = stored.object;
  const victims = choice.victims.map((v) => deps.model.get('pods', v.pod.metadata.namespace, v.pod.metadata.name)).filter((s): s is StoredObject => !!s);
  for (const v of victims) {
    deps.tallies.count(v.streamId, choice.host.name, preemptedPod(v.object, pod.spec?.schedulerName ?? 'default-scheduler'));
    deps.countAgain(v.streamId, 'pods', v.object);
  }
  deps.logger.info('preempting pods', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, host: choice.host.name, victims: victims.map((v) => `${v.object.metadata.namespace}/${v.object.metadata.name}`) });
  return preemptionDecision(stored, message, choice.host.name, victims);
}
