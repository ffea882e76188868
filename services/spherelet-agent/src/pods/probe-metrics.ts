/** A probe's kind, as a container's spec names it (`livenessProbe` …). */
export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** Whose probe ran: the labels kubelet's prober metrics carry for it. */
export interface ProbeOwner {
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

/** kubelet's `result` label of `prober_probe_total` (probeResultSuccessful, probeResultFailed, probeResultUnknown). */
export type ProbeOutcome = 'successful' | 'failed' | 'unknown';

/**
 * The upper bounds of `prober_probe_duration_seconds`' buckets: kubelet's ProberDuration sets none, so it has the
 * Prometheus client's DefBuckets.
 */
export const PROBE_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One `prober_probe_total` series: a container's probe of one kind, by result. */
export interface ProbeTotal {
  owner: ProbeOwner;
  kind: ProbeKind;
  result: ProbeOutcome;
  count: number;
}

/** One `prober_probe_duration_seconds` series (no `pod_uid`, no `result`: kubelet's labels), its buckets not yet cumulative. */
export interface ProbeDuration {
  owner: Omit<ProbeOwner, 'podUid'>;
  kind: ProbeKind;
  /** How many observations fell in each bucket of PROBE_DURATION_BUCKETS (not counting those above the last). */
  buckets: number[];
  sum: number;
  count: number;
}

export interface ProbeMetricsSnapshot {
  totals: ProbeTotal[];
  durations: ProbeDuration[];
}

/**
 * A host's prober metrics, as kubelet's prober workers keep them: per pod, container and probe kind (across the
 * container's restarts, as kubelet's worker for it lives on), the runs counted by result and the durations of the
 * successful (and unknown) ones; a failed run's duration is not observed, nor is a run that errored counted at all.
 * A pod's series are dropped when it goes (kubelet deletes them as its workers stop).
 */
export class ProbeMetrics {
  private readonly totals = new Map<string, ProbeTotal>();
  /** By labels without the pod's uid: two pods of one name (one going, its successor coming) share one, as in kubelet. */
  private readonly durations = new Map<string, ProbeDuration & { uids: Set<string> }>();

  /** One probe run that ended with a verdict, and how long it took. */
  observe(owner: ProbeOwner, kind: ProbeKind, result: ProbeOutcome, seconds: number): void {
    const totalKey = `${owner.podUid}/${owner.container}/${kind}/${result}`;
    const total = this.totals.get(totalKey);
    if (total) total.count++;
    else this.totals.set(totalKey, { owner: { ...owner }, kind, result, count: 1 });
    if (result === 'failed') return;
    const durationKey = JSON.stringify([owner.namespace, owner.pod, owner.container, kind]);
    let d = this.durations.get(durationKey);
    if (!d) {
      d = { owner: { namespace: owner.namespace, pod: owner.pod, container: owner.container }, kind, buckets: PROBE_DURATION_BUCKETS.map(() => 0), sum: 0, count: 0, uids: new Set() };
      this.durations.set(durationKey, d);
    }
    d.uids.add(owner.podUid);
    const i = PROBE_DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    if (i >= 0) d.buckets[i]++;
    d.sum += seconds;
    d.count++;
  }

  /** Drops every series of the pod (by uid). */
  forgetPod(podUid: string): void {
    this.retain((uid) => uid !== podUid);
  }

  /** Drops the series of every pod not among `podUids`. */
  retainPods(podUids: ReadonlySet<string>): void {
    this.retain((uid) => podUids.has(uid));
  }

  snapshot(): ProbeMetricsSnapshot {
    return {
      totals: [...this.totals.values()].map((t) => ({ ...t })),
      durations: [...this.durations.values()].map(({ uids: _, ...d }) => ({ ...d, buckets: [...d.buckets] })),
    };
  }

  private retain(keep: (podUid: string) => boolean): void {
    for (const [key, t] of this.totals) if (!keep(t.owner.podUid)) this.totals.delete(key);
    for (const [key, d] of this.durations) if ([...d.uids].some((uid) => !keep(uid))) this.durations.delete(key);
  }
}
