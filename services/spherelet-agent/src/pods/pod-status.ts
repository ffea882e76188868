import type { ContainerStatus, PodSandbox } from '@openpacific/contracts';

/** What the agent knows of one container of a pod: its runtime records (all attempts) and a start error, if any. */
export interface ContainerFacts {
  name: string;
  attempts: ContainerStatus[];
  /** Why it could not be created or started (ErrImagePull, RunContainerError...), and since when we back off. */
  waiting?: { reason: string; message: string };
  /** Probe verdicts of the running attempt (absent: no probe, so true once running). */
  ready?: boolean;
  started?: boolean;
}

function ts(iso?: string): string | undefined {
  return iso ? iso.replace(/\.\d+Z$/, 'Z') : undefined;
}

function terminated(c: ContainerStatus) {
  return {
    terminated: {
      exitCode: c.exitCode ?? 0,
      reason: c.reason ?? (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: ts(c.startedAt),
      finishedAt: ts(c.finishedAt),
      containerID: `crx://${c.id}`,
    },
  };
}

/** containerStatuses as Kubernetes reports them: state, lastState, restartCount, ready. Pure. */
export function containerStatuses(pod: any, facts: ContainerFacts[]): any[] {
  return (pod.spec.containers as any[]).map((spec) => {
    const f = facts.find((x) => x.name === spec.name);
    const attempts = [...(f?.attempts ?? [])].sort((a, b) => a.attempt - b.attempt);
    const latest = attempts[attempts.length - 1];
    const previous = attempts[attempts.length - 2];
    let state: any;
    if (f?.waiting) state = { waiting: f.waiting };
    else if (!latest || latest.state === 'CONTAINER_CREATED') state = { waiting: { reason: 'ContainerCreating' } };
    else if (latest.state === 'CONTAINER_RUNNING') state = { running: { startedAt: ts(latest.startedAt) } };
    else state = terminated(latest);
    const running = latest?.state === 'CONTAINER_RUNNING' && !f?.waiting;
    return {
      name: spec.name,
      image: spec.image,
      imageID: '',
      ...(latest ? { containerID: `crx://${latest.id}` } : {}),
      state,
      lastState: f?.waiting && latest?.state === 'CONTAINER_EXITED' ? terminated(latest) : previous ? terminated(previous) : {},
      // A container with a readiness or startup probe is not ready until its probes say so (as the kubelet reports it).
      ready: running && (f?.ready ?? (!spec.readinessProbe && !spec.startupProbe)),
      started: running && (f?.started ?? true),
      restartCount: latest?.attempt ?? 0,
    };
  });
}

/** phase from the containers and the restart policy, as the kubelet computes it. */
export function podPhase(pod: any, statuses: any[]): string {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const running = statuses.filter((s) => s.state.running).length;
  const waiting = statuses.filter((s) => s.state.waiting).length;
  const done = statuses.filter((s) => s.state.terminated);
  const failed = done.filter((s) => s.state.terminated.exitCode !== 0).length;
  if (waiting > 0 && running === 0 && done.length === 0) return 'Pending';
  if (running > 0) return 'Running';
  if (done.length === statuses.length) {
    if (policy === 'Always') return 'Running';
    if (failed > 0 && policy === 'Never') return 'Failed';
    if (failed === 0) return 'Succeeded';
    return 'Running';
  }
  return waiting > 0 && policy !== 'Never' ? 'Running' : 'Pending';
}

function condition(previous: any[], type: string, status: boolean, now: string) {
  const prior = previous.find((c) => c.type === type);
  const value = status ? 'True' : 'False';
  return { type, status: value, lastTransitionTime: prior?.status === value ? prior.lastTransitionTime : now };
}

export function podStatus(pod: any, sandbox: PodSandbox | undefined, facts: ContainerFacts[], now: string): any {
  const statuses = containerStatuses(pod, facts);
  const phase = podPhase(pod, statuses);
  const previous: any[] = pod.status?.conditions ?? [];
  const allReady = statuses.every((s) => s.ready);
  const scheduled = previous.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: now };
  return {
    ...pod.status,
    phase,
    conditions: [
      condition(previous, 'Initialized', true, now),
      condition(previous, 'Ready', allReady, now),
      condition(previous, 'ContainersReady', allReady, now),
      scheduled,
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    ...(sandbox ? { podIP: sandbox.ip, podIPs: [{ ip: sandbox.ip }], startTime: pod.status?.startTime ?? ts(sandbox.createdAt) } : {}),
    containerStatuses: statuses,
  };
}
