import { probeResult, ProbeTarget } from './probes';

/**
 * How often a probe that keeps failing is told again in an `Unhealthy` Event: kubelet records every failure and its
 * event recorder folds the repeats into one Event's count; Events here are not counted up, so a failing streak is told
 * at its first failure and then at most once per this period (kube's event spam filter lets one through per five
 * minutes once a source has spent its burst).
 */
export const UNHEALTHY_REPEAT_MS = 5 * 60_000;

interface ProbeState {
  successes: number;
  failures: number;
  lastRun: number;
  inFlight: boolean;
  result: boolean | undefined;
  /** When this failing streak was last told (undefined: the last run passed, or nothing failed yet). */
  toldAt?: number;
  /** A failure to tell on the next `observe`. */
  untold?: string;
}

type Kind = 'startup' | 'readiness' | 'liveness';

/** A failed probe to tell in an `Unhealthy` Event: `<Kind> probe failed: <message>`, kubelet's words. */
export interface ProbeFailure {
  kind: Kind;
  message: string;
}

const KIND_NAMES: Record<Kind, string> = { startup: 'Startup', readiness: 'Readiness', liveness: 'Liveness' };

/** The Event message of a failed probe, as kubelet's prober words it. */
export function unhealthyMessage(failure: ProbeFailure): string {
  return `${KIND_NAMES[failure.kind]} probe failed: ${failure.message}`;
}

/**
 * Probe results per running container (by runtime container id). Probes run
 * in the background on their period; a change of verdict calls `onChange` so
 * the pod's status is recomputed.
 */
export class ProbeTracker {
  private readonly states = new Map<string, ProbeState>();

  constructor(private readonly onChange: () => void) {}

  /** Starts any probe that is due; returns the current verdicts and the failures not told yet (each told once). */
  observe(containerId: string, startedAt: number, spec: any, target: ProbeTarget): { started: boolean; ready: boolean; failed?: 'startup' | 'liveness'; failures: ProbeFailure[] } {
    // A startup probe that fails its threshold ends the container as a failed liveness probe does (kubelet kills it
    // and the restart policy applies); until it passes, readiness and liveness are not probed.
    const startup = spec.startupProbe ? this.verdict(containerId, 'startup', spec.startupProbe, startedAt, target, false) : true;
    const started = startup === true;
    const ready = started && (!spec.readinessProbe || this.verdict(containerId, 'readiness', spec.readinessProbe, startedAt, target, false) === true);
    const livenessFailed = started && !!spec.livenessProbe && this.verdict(containerId, 'liveness', spec.livenessProbe, startedAt, target, true) === false;
    const failures: ProbeFailure[] = [];
    for (const kind of ['startup', 'readiness', 'liveness'] as Kind[]) {
      const s = this.states.get(`${containerId}/${kind}`);
      if (s?.untold === undefined) continue;
      failures.push({ kind, message: s.untold });
      s.untold = undefined;
    }
    return { started, ready, failed: startup === false ? 'startup' : livenessFailed ? 'liveness' : undefined, failures };
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
      void probeResult(probe, target).then(({ ok, message }) => {
        state.inFlight = false;
        let tell = false;
        if (ok) {
          state.successes++;
          state.failures = 0;
          state.toldAt = undefined;
        } else {
          state.failures++;
          state.successes = 0;
          const at = Date.now();
          if (state.toldAt === undefined || at - state.toldAt >= UNHEALTHY_REPEAT_MS) {
            state.toldAt = at;
            state.untold = message;
            tell = true;
          }
        }
        const before = state.result;
        if (ok && state.successes >= (probe.successThreshold ?? 1)) state.result = true;
        if (!ok && state.failures >= (probe.failureThreshold ?? 3)) state.result = false;
        if (state.result !== before || tell) this.onChange();
      });
    }
    return s.result;
  }
}
