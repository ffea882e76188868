import type { ProbeKind, ProbeMetrics, ProbeOutcome, ProbeOwner } from './probe-metrics';
import { probeResult, ProbeTarget } from './probes';

/**
 * One probe of one container of a pod, as kubelet's prober worker for it keeps it: it outlives the container's
 * restarts (its metrics count on), and starts over (counts, verdict, hold) when it sees a new container.
 */
interface ProbeState {
  /** The runtime's container it probes now. */
  containerId: string;
  successes: number;
  failures: number;
  lastRun: number;
  /** The container a run under way probes, if one is. */
  inFlight?: string;
  result: boolean | undefined;
  /**
   * A liveness or startup probe that failed its threshold: not run again until the container is a new one (kubelet's
   * worker `onHold`: the container is being killed, and it is not probed meanwhile).
   */
  onHold: boolean;
  /** Whether the failure that put it on hold was handed out (`failed`), so the container is killed once for it. */
  failureTold: boolean;
  /** The runs to tell in Events on the next `observe` (a pass looks at the pod at least once a second). */
  untold: ProbeReport[];
}

type Kind = ProbeKind;

/**
 * A probe run kubelet's prober tells in an Event: every failure (`failed`), every run that could not be made
 * (`errored`: its result thrown away, counting toward no threshold), and every pass with a warning (an httpGet
 * answered by a redirect to another host).
 */
export interface ProbeReport {
  kind: Kind;
  outcome: 'failed' | 'errored' | 'warning';
  message: string;
}

const KINDS: readonly Kind[] = ['startup', 'readiness', 'liveness'];
const KIND_NAMES: Record<Kind, string> = { startup: 'Startup', readiness: 'Readiness', liveness: 'Liveness' };

/** kubelet's `probe_type` label: the probe's kind as kubelet's probeType prints it. */
export function probeTypeName(kind: Kind): string {
  return KIND_NAMES[kind];
}

/** The Event of a probe run, in kubelet's prober's words (prober.go): `Unhealthy` or `ProbeWarning`. */
export function probeEvent(report: ProbeReport): { reason: 'Unhealthy' | 'ProbeWarning'; message: string } {
  const kind = KIND_NAMES[report.kind];
  if (report.outcome === 'warning') return { reason: 'ProbeWarning', message: `${kind} probe warning: ${report.message}` };
  if (report.outcome === 'errored') return { reason: 'Unhealthy', message: `${kind} probe errored and resulted in unknown state: ${report.message}` };
  return { reason: 'Unhealthy', message: `${kind} probe failed: ${report.message}` };
}

/**
 * Probe results per container of a pod (pod uid, container name, kind), as kubelet's prober workers keep them. Probes
 * run in the background on their period; a change of verdict, or a run to tell in an Event, calls `onChange` so the
 * pod's status and Events are written. Each run with a verdict is counted in `metrics` (`/metrics/probes`).
 */
export class ProbeTracker {
  /** By pod uid, then `<container>/<kind>`. */
  private readonly pods = new Map<string, Map<string, ProbeState>>();

  constructor(
    private readonly onChange: () => void,
    private readonly metrics?: ProbeMetrics,
  ) {}

  /**
   * Starts any probe that is due; returns the current verdicts and the runs not told yet (each told once). `failed`
   * says a liveness or startup probe failed its threshold, once per container: the probe is then on hold until the
   * container is a new one, as kubelet's worker holds it while the container is killed, so a long grace period
   * brings no second kill.
   */
  observe(owner: ProbeOwner, containerId: string, startedAt: number, spec: any, target: ProbeTarget): { started: boolean; ready: boolean; failed?: 'startup' | 'liveness'; reports: ProbeReport[] } {
    // A startup probe that fails its threshold ends the container as a failed liveness probe does (kubelet kills it
    // and the restart policy applies); until it passes, readiness and liveness are not probed.
    const startup = spec.startupProbe ? this.verdict(owner, containerId, 'startup', spec.startupProbe, startedAt, target) : true;
    const started = startup === true;
    const ready = started && (!spec.readinessProbe || this.verdict(owner, containerId, 'readiness', spec.readinessProbe, startedAt, target) === true);
    const livenessFailed = started && !!spec.livenessProbe && this.verdict(owner, containerId, 'liveness', spec.livenessProbe, startedAt, target) === false;
    const reports: ProbeReport[] = [];
    for (const kind of KINDS) {
      const s = this.state(owner, kind);
      if (!s?.untold.length) continue;
      reports.push(...s.untold);
      s.untold = [];
    }
    const failing: Kind | undefined = startup === false ? 'startup' : livenessFailed ? 'liveness' : undefined;
    let failed: 'startup' | 'liveness' | undefined;
    const failingState = failing && this.state(owner, failing);
    if (failing && failingState && !failingState.failureTold) {
      failingState.failureTold = true;
      failed = failing as 'startup' | 'liveness';
    }
    return { started, ready, failed, reports };
  }

  /**
   * The container's kill for a failed probe did not happen (the runtime refused it): its liveness and startup probes
   * start over on it, as kubelet's would on the next sync, so that a failure again kills it again.
   */
  release(owner: ProbeOwner): void {
    for (const kind of ['startup', 'liveness'] as Kind[]) {
      const s = this.state(owner, kind);
      if (s?.onHold) Object.assign(s, fresh(s.containerId, kind), { untold: s.untold });
    }
  }

  /** Forgets the pod's probes and drops their metrics (kubelet stops the pod's workers). */
  forgetPod(podUid: string): void {
    if (!this.pods.delete(podUid)) return;
    this.metrics?.forgetPod(podUid);
  }

  /** Forgets the probes, and drops the metrics, of every pod not among `podUids`. */
  retainPods(podUids: ReadonlySet<string>): void {
    for (const uid of this.pods.keys()) if (!podUids.has(uid)) this.pods.delete(uid);
    this.metrics?.retainPods(podUids);
  }

  private state(owner: ProbeOwner, kind: Kind): ProbeState | undefined {
    return this.pods.get(owner.podUid)?.get(`${owner.container}/${kind}`);
  }

  private verdict(owner: ProbeOwner, containerId: string, kind: Kind, probe: any, startedAt: number, target: ProbeTarget): boolean | undefined {
    const key = `${owner.container}/${kind}`;
    let ofPod = this.pods.get(owner.podUid);
    if (!ofPod) this.pods.set(owner.podUid, (ofPod = new Map()));
    let s = ofPod.get(key);
    // A new container (a restart) is probed afresh, as kubelet's worker starts over on a new container id.
    if (!s || s.containerId !== containerId) ofPod.set(key, (s = { ...fresh(containerId, kind), untold: s?.untold ?? [] }));
    const now = Date.now();
    const due = now - startedAt >= (probe.initialDelaySeconds ?? 0) * 1000 && now - s.lastRun >= (probe.periodSeconds ?? 10) * 1000;
    if (due && !s.inFlight && !s.onHold && !(kind === 'startup' && s.result === true)) {
      s.inFlight = containerId;
      s.lastRun = now;
      const state = s;
      const began = process.hrtime.bigint();
      void probeResult(probe, target).then(({ ok, message, warning, errored }) => {
        const seconds = Number(process.hrtime.bigint() - began) / 1e9;
        if (state.inFlight === containerId) state.inFlight = undefined;
        // As kubelet's worker, a run that errored is told and thrown away: neither the thresholds nor the metrics count it.
        if (errored) {
          state.untold.push({ kind, outcome: 'errored', message });
          return this.onChange();
        }
        this.record(owner, kind, ok ? 'successful' : 'failed', seconds);
        // A run that ended after its container was replaced (or the pod forgotten) says nothing of the new one.
        if (this.pods.get(owner.podUid)?.get(key) !== state) return;
        if (ok) {
          state.successes++;
          state.failures = 0;
          if (warning) state.untold.push({ kind, outcome: 'warning', message });
        } else {
          state.failures++;
          state.successes = 0;
          state.untold.push({ kind, outcome: 'failed', message });
        }
        const before = state.result;
        if (ok && state.successes >= (probe.successThreshold ?? 1)) state.result = true;
        if (!ok && state.failures >= (probe.failureThreshold ?? 3)) {
          state.result = false;
          // kubelet's worker: a liveness or startup failure holds the probe until there is a new container.
          if (kind !== 'readiness') {
            state.onHold = true;
            state.failures = 0;
          }
        }
        if (state.result !== before || state.untold.length > 0) this.onChange();
      });
    }
    return s.result;
  }

  private record(owner: ProbeOwner, kind: Kind, outcome: ProbeOutcome, seconds: number): void {
    // A pod forgotten while its run was under way is gone: its series are not made again.
    if (!this.pods.has(owner.podUid)) return;
    this.metrics?.observe(owner, kind, outcome, seconds);
  }
}

/** A probe's state on a container it has not probed yet: a liveness probe passes until it fails, the others are unknown. */
function fresh(containerId: string, kind: Kind): Omit<ProbeState, 'untold'> {
  return { containerId, successes: 0, failures: 0, lastRun: 0, inFlight: undefined, result: kind === 'liveness' ? true : undefined, onHold: false, failureTold: false };
}
