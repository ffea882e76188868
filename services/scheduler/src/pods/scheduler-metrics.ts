import { Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';

const PROFILE = 'default-scheduler';
const NAMES = ['scheduler_schedule_attempts_total', 'scheduler_scheduling_attempt_duration_seconds', 'scheduler_pending_pods', 'scheduler_preemption_attempts_total', 'scheduler_preemption_victims'];

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/**
 * kube-scheduler's own metrics, by its names, on the process's Prometheus registry (served at /metrics on the health
 * port): attempts by result, how long each pod's attempt took (filtering and scoring every host), pods waiting by
 * queue (counted when scraped), preemption attempts and how many victims each took.
 */
export class SchedulerMetrics {
  private readonly attempts: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly preemptions: Counter<string>;
  private readonly victims: Histogram<string>;

  constructor(registry: Registry, pending: () => { active: number; unschedulable: number }) {
    // A scheduler made again in the same process (tests do) starts its figures anew, as a restarted process does.
    for (const name of NAMES) registry.removeSingleMetric(name);
    this.attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Pods the scheduler tried to place, by result and profile.', labelNames: ['result', 'profile'], registers: [registry] });
    this.duration = new Histogram({ name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Seconds one pod\'s attempt took (every host filtered and scored), by result and profile.', labelNames: ['result', 'profile'], buckets: exponentialBuckets(0.001, 2, 15), registers: [registry] });
    this.preemptions = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Times a pod that fit nowhere looked for lower-priority pods to preempt.', registers: [registry] });
    this.victims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Pods preempted for one pod.', buckets: exponentialBuckets(1, 2, 7), registers: [registry] });
    new Gauge({
      name: 'scheduler_pending_pods',
      help: 'Pods waiting for a host: active (not yet tried, or tried again since something changed) or unschedulable (found to fit nowhere).',
      labelNames: ['queue'],
      registers: [registry],
      collect() {
        const { active, unschedulable } = pending();
        this.set({ queue: 'active' }, active);
        this.set({ queue: 'unschedulable' }, unschedulable);
      },
    });
  }

  /** One pod's attempt, `startedNs` from process.hrtime.bigint() when its hosts' filtering began. */
  attempted(result: AttemptResult, startedNs: bigint): void {
    const labels = { result, profile: PROFILE };
    this.attempts.inc(labels);
    this.duration.observe(labels, Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  /** A preemption tried for one pod; `victims` when it found some (0: none would do). */
  preempted(victims: number): void {
    this.preemptions.inc();
    if (victims > 0) this.victims.observe(victims);
  }
}

/** Whether a pending pod was last found to fit nowhere (its PodScheduled condition says Unschedulable). */
export function isUnschedulable(pod: any): boolean {
  return (pod?.status?.conditions ?? []).some((c: any) => c?.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}
