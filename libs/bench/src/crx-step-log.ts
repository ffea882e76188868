/** One `crx step timed` line of a crx-runtime log (the process driver's own timing of a start step). */
export interface CrxStep {
  time: number;
  op: 'runPodSandbox' | 'createContainer' | 'startContainer';
  ms: number;
  pod?: string;
  id?: string;
  sandboxId?: string;
  containerId?: string;
}

/** The runtime's share of one pod's start: its sandbox, then its first container's create and start. */
export interface PodStartSteps {
  sandboxMs: number;
  createMs: number;
  startMs: number;
  /** The three steps together: what the runtime spent, without the agent's round trips between them. */
  totalMs: number;
  /** From the sandbox step's end to the container start's end, as logged: includes the agent's turns. */
  spanMs: number;
}

export function parseCrxSteps(log: string): CrxStep[] {
  const steps: CrxStep[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"crx step timed"')) continue;
    try {
      const j = JSON.parse(line);
      steps.push({ ...j, time: Date.parse(j.time) });
    } catch {
      // A line cut short by a crash: not a step.
    }
  }
  return steps;
}

/** Joins sandbox → container (by sandbox id) → start (by container id) for the pod `namespace/name`; undefined until all three are logged. */
export function podStartSteps(steps: CrxStep[], pod: string): PodStartSteps | undefined {
  const sandbox = steps.find((s) => s.op === 'runPodSandbox' && s.pod === pod);
  const created = sandbox && steps.find((s) => s.op === 'createContainer' && s.sandboxId === sandbox.id);
  const started = created && steps.find((s) => s.op === 'startContainer' && s.containerId === created.id);
  if (!sandbox || !created || !started) return undefined;
  return { sandboxMs: sandbox.ms, createMs: created.ms, startMs: started.ms, totalMs: sandbox.ms + created.ms + started.ms, spanMs: started.time - sandbox.time + sandbox.ms };
}
