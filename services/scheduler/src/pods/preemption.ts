import { PREEMPT_NEVER } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { filterHost, holdOn, HostView, letGo } from './filters';

/**
 * kube-scheduler's DefaultPreemption (its PostFilter), for a pod that fits no host: the hosts where taking away pods
 * of lower priority would make it fit (the same filters deciding), on each the fewest and least important such pods
 * (a PodDisruptionBudget's pods spared first), and of those hosts the one whose victims matter least.
 */

export function podPriority(pod: any): number {
  return pod?.spec?.priority ?? 0;
}

/** A pod on a host, under the key the host's tally counts it by (its stream). */
export interface Victim {
  key: string;
  pod: any;
}

export interface PreemptionChoice {
  host: HostView;
  victims: Victim[];
}

/** A PodDisruptionBudget as preemption weighs it: whose pods it guards and how many of them may go now. */
export interface BudgetView {
  namespace: string;
  selector: any;
  disruptionsAllowed: number;
  disruptedPods: Record<string, unknown>;
}

export function budgetView(pdb: any): BudgetView {
  return { namespace: pdb.metadata.namespace, selector: pdb.spec?.selector, disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0, disruptedPods: pdb.status?.disruptedPods ?? {} };
}

/** A filter's verdict that taking pods away could change (capacity, host ports, the pod's anti-affinity); kube-scheduler skips the rest as unresolvable. */
export function resolvable(reason: string): boolean {
  return /^(Insufficient|Too many)/.test(reason) || reason === "didn't match pod anti-affinity rules" || reason === "didn't have free ports for the requested pod ports";
}

/** What kube-scheduler says of a host where preemption cannot help, or where no pod of lower priority runs. */
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

/**
 * PodEligibleToPreemptOthers: why the pod may not preempt (in kube-scheduler's words), undefined when it may. Not
 * with preemptionPolicy Never, nor while pods it preempted on its nominated host are still terminating there.
 */
export function notEligible(pod: any, views: HostView[]): string | undefined {
  if (pod.spec?.preemptionPolicy === PREEMPT_NEVER) return 'not eligible due to preemptionPolicy=Never.';
  const nominated = pod.status?.nominatedNodeName;
  const view = nominated ? views.find((v) => v.name === nominated) : undefined;
  if (!view) return undefined;
  const priority = podPriority(pod);
  for (const p of view.pods.values()) {
    if (isPod(p) && p.metadata.deletionTimestamp && podPriority(p) < priority) return 'not eligible due to a terminating pod on the nominated node.';
  }
  return undefined;
}

/** Each host's preemption verdict when no host runs a pod of lower priority: from its filter verdict alone. */
export function withoutVictims(reasons: string[]): string[] {
  return reasons.map((r) => (resolvable(r) ? NO_VICTIMS : NOT_HELPFUL));
}

function isPod(workload: any): boolean {
  return workload.kind !== 'VirtualMachine';
}

/** More important first: higher priority, then the one created earlier. */
function moreImportant(a: Victim, b: Victim): number {
  const d = podPriority(b.pod) - podPriority(a.pod);
  if (d !== 0) return d;
  const x = a.pod.metadata.creationTimestamp ?? '';
  const y = b.pod.metadata.creationTimestamp ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Splits pods into those whose going would exceed a budget's allowed disruptions and the others, counting down as it goes. */
function splitByBudgets(pods: Victim[], budgets: BudgetView[]): { violating: Victim[]; free: Victim[] } {
  const allowed = budgets.map((b) => b.disruptionsAllowed);
  const violating: Victim[] = [];
  const free: Victim[] = [];
  for (const v of pods) {
    let violated = false;
    budgets.forEach((b, i) => {
      if (b.namespace !== v.pod.metadata.namespace || !b.selector || b.disruptedPods[v.pod.metadata.name] !== undefined) return;
      const selector = labelSelectorFromObject(b.selector);
      if (selector.length === 0 || !matchesLabelSelector(selector, v.pod.metadata.labels ?? {})) return;
      if (--allowed[i] < 0) violated = true;
    });
    (violated ? violating : free).push(v);
  }
  return { violating, free };
}

/**
 * SelectVictimsOnNode: every pod of lower priority taken off a copy of the host; if the pod then fits, each is put
 * back in turn, most important first (those a budget guards before the others), and stays if the pod still fits.
 * The rest are the victims; else why there are none (no such pods, or the filter's verdict without them all).
 */
export function victimsOn(pod: any, view: HostView, all: HostView[], budgets: BudgetView[], eligible: (v: Victim) => boolean): { victims: Victim[]; violations: number } | { reason: string } {
  const priority = podPriority(pod);
  const trial: HostView = { ...view, used: { ...view.used }, pods: new Map(view.pods), owners: new Map(view.owners) };
  const others = all.map((v) => (v === view ? trial : v));
  const lower: Victim[] = [];
  for (const [key, p] of view.pods) {
    if (isPod(p) && podPriority(p) < priority && !p.metadata.deletionTimestamp && eligible({ key, pod: p })) lower.push({ key, pod: p });
  }
  if (lower.length === 0) return { reason: NO_VICTIMS };
  for (const v of lower) letGo(trial, v.key);
  const why = filterHost(pod, trial, others);
  if (why) return { reason: why };
  lower.sort(moreImportant);
  const { violating, free } = splitByBudgets(lower, budgets);
  const victims: Victim[] = [];
  let violations = 0;
  const reprieve = (v: Victim): boolean => {
    holdOn(trial, v.pod, v.key);
    if (!filterHost(pod, trial, others)) return true;
    letGo(trial, v.key);
    victims.push(v);
    return false;
  };
  for (const v of violating) if (!reprieve(v)) violations++;
  for (const v of free) reprieve(v);
  return victims.length > 0 ? { victims, violations } : { reason: NO_VICTIMS };
}

/**
 * The host to preempt on, among those whose filter verdict (`reasons`, by host name) could change: pickOneNodeForPreemption's
 * order (fewest budget violations, lowest highest victim priority, lowest sum of priorities, fewest victims), then name.
 * With none, each host's reason why not (for the `preemption:` part of the FailedScheduling message).
 */
export function choosePreemption(
  pod: any, views: HostView[], reasons: Map<string, string>, budgets: BudgetView[], eligible: (v: Victim) => boolean,
): { choice: PreemptionChoice } | { failures: string[] } {
  let best: { host: HostView; victims: Victim[]; key: number[] } | undefined;
  const failures: string[] = [];
  for (const view of views) {
    const why = reasons.get(view.name);
    if (!why) continue;
    if (!resolvable(why)) {
      failures.push(NOT_HELPFUL);
      continue;
    }
    const found = victimsOn(pod, view, views, budgets, eligible);
    if ('reason' in found) {
      failures.push(found.reason);
      continue;
    }
    const priorities = found.victims.map((v) => podPriority(v.pod));
    // Offset as kube-scheduler's sum is, so that negative priorities still add up to more with more victims.
    const sum = priorities.reduce((s, p) => s + p + 2 ** 31 + 1, 0);
    const key = [found.violations, Math.max(...priorities), sum, found.victims.length];
    if (!best || lessThan(key, best.key) || (sameKey(key, best.key) && view.name < best.host.name)) best = { host: view, victims: found.victims, key };
  }
  return best ? { choice: { host: best.host, victims: best.victims } } : { failures };
}

function lessThan(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return false;
}

function sameKey(a: number[], b: number[]): boolean {
  return a.every((x, i) => x === b[i]);
}

/** The lowest priority of a pod on any host (Infinity with none): a pod of that priority or less has nothing to preempt. */
export function lowestPriority(views: HostView[]): number {
  let lowest = Infinity;
  for (const view of views) for (const p of view.pods.values()) if (isPod(p) && !p.metadata.deletionTimestamp) lowest = Math.min(lowest, podPriority(p));
  return lowest;
}
