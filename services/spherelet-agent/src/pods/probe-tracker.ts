import { runProbe, ProbeTarget } from './probes';

interface ProbeState {
  successes: number;
  failures: number;
  lastRun: number;
  inFlight: boolean;
  result: boolean | undefined;
}

type Kind = 'startup' | 'readiness' | 'liveness';

/**
 * Probe results per running container (by runtime container id). Probes run
 * in the background on their period; a change of verdict calls `onChange` so
 * the pod's status is recomputed.
 */
export class ProbeTracker {
  private readonly states = new Map<string, ProbeState>();

  constructor(private readonly onChange: () => void) {}

  /** Starts any probe that is due; returns the current verdicts. */
  observe(containerId: string, startedAt: number, spec: any, target: ProbeTarget): { started: boolean; ready: boolean; livenessFailed: boolean } {
    const started = !spec.startupProbe || this.verdict(containerId, 'startup', spec.startupProbe, startedAt, target, false) === true;
    const ready = started && (!spec.readinessProbe || this.verdict(containerId, 'readiness', spec.readinessProbe, startedAt, target, false) === true);
    const livenessFailed = started && !!spec.livenessProbe && this.verdict(containerId, 'liveness', spec.livenessProbe, startedAt, target, true) === false;
    return { started, ready, livenessFailed };
  }

  forget(containerId: string): void {
    for (const kind of ['startup', 'readiness', 'liveness']) this.states.delete(`${containerId}/${kind}`);
  }

  private verdict(id: string, kind: Kind, probe: any, startedAt: number, target: ProbeTarget, initial: boolean): boolean | undefined {
    const key = `${id}/${kind}`;
    let s = this.states.get(key);
    if (!s) this.states.set(key, (s = { successes: 0, failures: 0, lastRun: 0, inFlight: false, result: kind === 'liveness' ? initial : undefined }));
    const now = Date.now();
    const due = now - startedAt >= (probe.initialDelaySeconds ?? 0) * 1000 && now - s.lastRun >= (probe.periodSeconds ?? 10) * 1000;
    if (due && !s.inFlight && !(kind === 'startup' && s.result === true)) {
      s.inFlight = true;
      s.lastRun = now;
      const state = s;
      void runProbe(probe, target).then((ok) => {
        state.inFlight = false;
        if (ok) {
          state.successes++;
          state.failures = 0;
        } else {
          state.failures++;
          state.successes = 0;
        }
        const before = state.result;
        if (ok && state.successes >= (probe.successThreshold ?? 1)) state.result = true;
        if (!ok && state.failures >= (probe.failureThreshold ?? 3)) state.result = false;
        if (state.result !== before) this.onChange();
      });
    }
    return s.result;
  }
}
