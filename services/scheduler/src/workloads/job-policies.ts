import { type IndexIntervals, intervalsHave, intervalsTotal, parseIndexRanges } from '@openpacific/contracts';

/**
 * The pure parts of a Job's policies, as kube-controller-manager's Job controller reads them: which rule of
 * `podFailurePolicy` a failed pod matches, whether `successPolicy` is met, and the back-off before a failed pod's
 * replacement.
 */

/** kube-controller-manager's DefaultJobPodFailureBackOff; the delay doubles per failure up to MaxJobPodFailureBackOff (36 × it, 6 minutes). */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
const MAX_BACKOFF_FACTOR = 36;

/** What a failed pod means under the Job's pod failure policy: the action of the first rule it matches, and the Job's failure message for FailJob. */
export interface PodFailureVerdict {
  action?: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  /** Whether the failure counts against backoffLimit (and backoffLimitPerIndex): all but Ignore. */
  counts: boolean;
  message?: string;
}

const exitCodeMatches = (code: number, req: any) => (req.operator === 'In' ? req.values.includes(code) : req.operator === 'NotIn' ? !req.values.includes(code) : false);

/** The first terminated container (app containers before init containers) whose non-zero exit code the requirement names. */
function matchingContainer(pod: any, req: any): any {
  for (const list of [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []]) {
    for (const c of list) {
      const code = c.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if ((req.containerName === undefined || req.containerName === c.name) && exitCodeMatches(code, req)) return c;
    }
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: any, pod: any): PodFailureVerdict {
  const where = `pod ${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [index, rule] of (policy?.rules ?? []).entries()) {
    let message: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod, rule.onExitCodes);
      if (!c) continue;
      message = `Container ${c.name} for ${where} failed with exit code ${c.state.terminated.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((pc: any) => rule.onPodConditions.some((p: any) => p.type === pc.type && p.status === pc.status));
      if (!cond) continue;
      message = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    } else continue;
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', counts: false };
      case 'FailJob':
        return { action: 'FailJob', counts: true, message };
      case 'FailIndex':
      case 'Count':
        return { action: rule.action, counts: true };
      // An action this controller does not know: the rule is passed over, as Kubernetes asks of clients.
    }
  }
  return { counts: true };
}

/** `Matched rules at index N` for the first success policy rule the succeeded indexes meet. */
export function matchSuccessPolicy(policy: any, completions: number, succeeded: Set<number>): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (rule.succeededIndexes !== undefined) {
      const parsed = parseIndexRanges(rule.succeededIndexes, completions);
      const required: IndexIntervals = 'intervals' in parsed ? parsed.intervals : [];
      if (required.length === 0) continue;
      const met = [...succeeded].filter((i) => intervalsHave(required, i)).length;
      if (rule.succeededCount === undefined ? met === intervalsTotal(required) : met >= rule.succeededCount) return `Matched rules at index ${index}`;
    } else if (rule.succeededCount !== undefined && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}

/**
 * When a pod ended (ms since the epoch), as kube-controller-manager estimates it: its containers' latest finish
 * once all have finished, else its Ready=False transition, else its deletion, else its creation.
 */
export function podFinishedAt(pod: any): number {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  const finishes = statuses.map((c) => Date.parse(c.state?.terminated?.finishedAt ?? ''));
  if (finishes.length > 0 && finishes.every((t) => Number.isFinite(t))) return Math.max(...finishes);
  const ready = (pod.status?.conditions ?? []).find((c: any) => c.type === 'Ready' && c.status === 'False');
  const readyAt = Date.parse(ready?.lastTransitionTime ?? '');
  if (Number.isFinite(readyAt)) return readyAt;
  const deleted = Date.parse(pod.metadata.deletionTimestamp ?? '');
  if (Number.isFinite(deleted)) return deleted - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return Date.parse(pod.metadata.creationTimestamp ?? '') || 0;
}

/**
 * Until when a replacement waits after `failures` failures in a row, the last at `lastFailureAt`: the base delay
 * doubling with each failure after the first, at most 36 times the base. Undefined when it need not wait.
 */
export function backoffUntil(failures: number, lastFailureAt: number, baseMs: number, now: number): number | undefined {
  if (failures === 0) return undefined;
  const delay = Math.min(baseMs * 2 ** Math.min(failures - 1, 30), baseMs * MAX_BACKOFF_FACTOR);
  return lastFailureAt + delay > now ? lastFailureAt + delay : undefined;
}
