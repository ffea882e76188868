import { probeResult, ProbeTarget } from './probes';

interface ProbeState {
  successes: number;
  failures: number;
  lastRun: number;
  inFlight: boolean;
  result: boolean | undefined;
  /** The runs to tell in Events on the next `observe` (a pass looks at the pod at least once a second). */
  untold: ProbeReport[];
}

type Kind = 'startup' | 'readiness' | 'liveness';

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

const KIND_NAMES: Record<Kind, string> = { startup: 'Startup', readiness: 'Readiness', liveness: 'Liveness' };

/** The Event of a probe run, in kubelet's prober's words (prober.go): `Unhealthy` or `ProbeWarning`. */
export function probeEvent(report: ProbeReport): { reason: 'Unhealthy' | 'ProbeWarning'; message: string } {
  const kind = KIND_NAMES[report.kind];
  if (report.outcome === 'warning') return { reason: 'ProbeWarning', message: `${kind} probe warning: ${report.message}` };
  if (report.outcome === 'errored') return { reason: 'Unhealthy', message: `${kind} probe errored and resulted in unknown state: ${report.message}` };
  return { reason: 'Unhealthy', message: `${kind} probe failed: ${report.message}` };
}

/**
 * Probe results per running container (by runtime container id). Probes run
 * in the background on their period; a change of verdict, or a run to tell in an
 * Event, calls `onChange` so the pod's status and Events are written.
 */
export class ProbeTracker {
  private readonly states = new Map<string, ProbeState>();

  constructor(private readonly onChange: () => void) {}

  /** Starts any probe that is due; returns the current verdicts and the runs not told yet (each told once). */
  observe(containerId: string, startedAt: number, spec: any, target: ProbeTarget): { started: boolean; ready: boolean; failed?: 'startup' | 'liveness'; reports: ProbeReport[] } {
    // A startup probe that fails its threshold ends the container as a failed liveness probe does (kubelet kills it
    // and the restart policy applies); until it passes, readiness and liveness are not probed.
    const startup = spec.startupProbe ? this.verdict(containerId, 'startup', spec.startupProbe, startedAt, target, false) : true;
    const started = startup === true;
    const ready = started && (!spec.readinessProbe || this.verdict(containerId, 'readiness', spec.readinessProbe, startedAt, target, false) === true);
    const livenessFailed = started && !!spec.livenessProbe && this.verdict(containerId, 'liveness', spec.livenessProbe, startedAt, target, true) === false;
    const reports: ProbeReport[] = [];
    for (const kind of ['startup', 'readiness', 'liveness'] as Kind[]) {
      const s = this.states.get(`${containerId}/${kind}`);
      if (!s?.untold.length) continue;
      reports.push(...s.untold);
      s.untold = [];
    }
    return { started, ready, failed: startup === false ? 'startup' : livenessFailed ? 'liveness' : undefined, reports };
  }

  forget(containerId: string): void {
    for (const kind of ['startup', 'readiness', 'liveness']) this.states.delete(`${containerId}/${kind}`);
  }

  private verdict(id: string, kind: Kind, probe: any, startedAt: number, target: ProbeTarget, initial: boolean): boolean | undefined {
    const key = `${id}/${kind}`;
    let s = this.states.get(key);
    if (!s) this.states.set(key, (s = { successes: 0, failures: 0, lastRun: 0, inFlight: false, result: kind === 'liveness' ? initial : undefined, untold: [] }));
    const now = Date.now();
    const due = now - startedAt >= (probe.initialDelaySeconds ?? 0) * 1000 && now - s.lastRun >= (probe.periodSeconds ?? 10) * 1000;
    if (due && !s.inFlight && !(kind === 'startup' && s.result === true)) {
      s.inFlight = true;
      s.lastRun = now;
      const state = s;
      void probeResult(probe, target).then(({ ok, message, warning, errored }) => {
        state.inFlight = false;
        // As kubelet's worker, a run that errored is told and thrown away: the thresholds count only real verdicts.
        if (errored) {
          state.untold.push({ kind, outcome: 'errored', message });
          return this.onChange();
        }
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
        if (!ok && state.failures >= (probe.failureThreshold ?? 3)) state.result = false;
        if (state.result !== before || state.untold.length > 0) this.onChange();
      });
    }
    return s.result;
  }
}
