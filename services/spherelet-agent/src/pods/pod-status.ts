import type { ContainerStatus, PodSandbox } from '@openpacific/contracts';

/** The host's address as its pods see it (`status.hostIP`, a fieldRef to it): hosts and their pods share the machine's loopback. */
export const HOST_IP = '127.0.0.1';

/** What the agent knows of one container of a pod: its runtime records (all attempts) and a start error, if any. */
export interface ContainerFacts {
  name: string;
  attempts: ContainerStatus[];
  /** Why it could not be created or started (ErrImagePull, RunContainerError...), and since when we back off. */
  waiting?: { reason: string; message?: string };
  /** Probe verdicts of the running attempt (absent: no probe, so true once running). */
  ready?: boolean;
  started?: boolean;
}

function podAddress(pod: any, sandbox: PodSandbox): string {
  return pod.spec?.hostNetwork ? HOST_IP : sandbox.ip;
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

/** Which of the pod's lists of containers: app (`spec.containers`), init or ephemeral. */
export type ContainerKind = 'app' | 'init' | 'ephemeral';

const SPEC_LISTS: Record<ContainerKind, string> = { app: 'containers', init: 'initContainers', ephemeral: 'ephemeralContainers' };

/**
 * Which of the pod's lists holds the container of this name, if any. A name is unique among all three lists (the
 * API refuses a pod that repeats one), so the first list that has it is the container's.
 */
export function containerKind(pod: any, name: string): ContainerKind | undefined {
  return (Object.keys(SPEC_LISTS) as ContainerKind[]).find((kind) => (pod.spec?.[SPEC_LISTS[kind]] ?? []).some((c: any) => c.name === name));
}

/**
 * The involvedObject.fieldPath of an Event about one container (`spec.initContainers{setup}`): kubectl shows it as
 * the Event's SUBOBJECT, and it keeps the Events of two containers of one pod apart.
 */
export function containerFieldPath(kind: ContainerKind, name: string): string {
  return `spec.${SPEC_LISTS[kind]}{${name}}`;
}

/**
 * containerStatuses as Kubernetes reports them: state, lastState, restartCount, ready. Pure. `init`: the statuses of
 * init containers (pod.spec.initContainers), where one that ran to its successful end is ready; `ephemeral`: those of
 * ephemeral containers, never ready, never restarted, with no `started` (kubelet probes none of them).
 */
export function containerStatuses(pod: any, facts: ContainerFacts[], kind: ContainerKind = 'app'): any[] {
  const init = kind === 'init';
  return (pod.spec[SPEC_LISTS[kind]] ?? []).map((spec: any) => {
    const f = facts.find((x) => x.name === spec.name);
    const attempts = [...(f?.attempts ?? [])].sort((a, b) => a.attempt - b.attempt);
    const latest = attempts[attempts.length - 1];
    const previous = attempts[attempts.length - 2];
    let state: any;
    if (f?.waiting) state = { waiting: f.waiting };
    else if (!latest) state = { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } };
    else if (latest.state === 'CONTAINER_CREATED') state = { waiting: { reason: 'ContainerCreating' } };
    else if (latest.state === 'CONTAINER_RUNNING') state = { running: { startedAt: ts(latest.startedAt) } };
    else state = terminated(latest);
    const running = latest?.state === 'CONTAINER_RUNNING' && !f?.waiting;
    const completed = !f?.waiting && latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0;
    // kubelet's: the image its runtime resolved for the latest container, kept while that one waits to restart. Fixed
    // when the container is created, so it changes the status only with the containerID beside it.
    const imageID = latest?.imageRef ?? '';
    if (kind === 'ephemeral') {
      return { name: spec.name, image: spec.image, imageID, ...(latest ? { containerID: `crx://${latest.id}` } : {}), state, lastState: {}, ready: false, restartCount: 0 };
    }
    return {
      name: spec.name,
      image: spec.image,
      imageID,
      ...(latest ? { containerID: `crx://${latest.id}` } : {}),
      state,
      lastState: f?.waiting && latest?.state === 'CONTAINER_EXITED' ? terminated(latest) : previous ? terminated(previous) : {},
      // A container with a readiness or startup probe is not ready until its probes say so (as the kubelet reports it).
      // An init container (not a sidecar) is ready once it ended well, never while it runs.
      ready: init && spec.restartPolicy !== 'Always' ? completed : running && (f?.ready ?? (!spec.readinessProbe && !spec.startupProbe)),
      started: running && (f?.started ?? true),
      restartCount: latest?.attempt ?? 0,
    };
  });
}

/** The init containers that have not done their part yet: not ended well, or (a sidecar, restartPolicy Always) not running and started. */
function incompleteInit(pod: any, statuses: any[]): string[] {
  const specs: any[] = pod.spec.initContainers ?? [];
  return statuses
    .filter((s, i) => (specs[i]?.restartPolicy === 'Always' ? !(s.state.running && s.started) : !(s.state.terminated && s.state.terminated.exitCode === 0)))
    .map((s) => s.name);
}

/** Whether a container status says it ran and ended, now (`terminated`) or before a restart it waits for (`lastState`). */
function endedBefore(s: any): any | undefined {
  return s.state.terminated ?? (s.state.waiting ? s.lastState?.terminated : undefined);
}

/**
 * phase from the containers and the restart policy, as kubelet's getPhase computes it; `initStatuses` those of the
 * init containers. A container waiting to restart after it ended (CrashLoopBackOff) counts as stopped, not as
 * waiting: a pod whose containers all crash and restart under `Always` is Running, as in Kubernetes, and Pending only
 * until every container has started once. A container not started yet (waiting, never run) keeps the pod Pending
 * even while another runs. A sidecar (an init container with restartPolicy Always) restarting after the app
 * containers have started does not send the pod back to Pending.
 */
export function podPhase(pod: any, statuses: any[], initStatuses: any[] = []): string {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const initSpecs: any[] = pod.spec.initContainers ?? [];
  let pendingInitialization = 0;
  let failedInitialization = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  initStatuses.forEach((s, i) => {
    const sidecar = initSpecs[i]?.restartPolicy === 'Always';
    const ended = endedBefore(s);
    if (!sidecar) {
      if (s.state.running || !ended) pendingInitialization++;
      else if (ended.exitCode !== 0) failedInitialization++;
    } else if (s.state.running) {
      if (!s.started) pendingInitialization++;
      running++;
    } else if (!ended) {
      pendingInitialization++;
      waiting++;
    }
  });
  let regularStarted = false;
  for (const s of statuses) {
    if (s.state.running || s.state.terminated) regularStarted = true;
    const ended = endedBefore(s);
    if (s.state.running) running++;
    else if (ended) {
      stopped++;
      if (s.state.terminated && ended.exitCode === 0) succeeded++;
    } else waiting++;
  }
  if (failedInitialization > 0 && policy === 'Never') return 'Failed';
  if ((pendingInitialization > 0 && !regularStarted) || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    return policy === 'Never' ? 'Failed' : 'Running';
  }
  return 'Pending';
}

/** The conditions kubelet sets; any other (a readiness gate's, DisruptionTarget) is kept as its writer left it. */
const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);

/**
 * Why the pod is not Ready although its containers are: kubelet's words for each readiness gate whose condition is
 * missing or not True, joined; undefined when every gate is open.
 */
export function closedReadinessGates(pod: any, conditions: any[]): string | undefined {
  const messages: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) messages.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') messages.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  return messages.length ? messages.join(', ') : undefined;
}

function condition(previous: any[], type: string, status: boolean, now: string, why?: { reason: string; message: string }) {
  const prior = previous.find((c) => c.type === type);
  const value = status ? 'True' : 'False';
  return { type, status: value, lastTransitionTime: prior?.status === value ? prior.lastTransitionTime : now, ...(!status && why ? why : {}) };
}

/**
 * A finished pod's status once its sandbox is stopped: `PodReadyToStartContainers` False (kubelet's word that the
 * sandbox and its network are gone), everything else as written when it finished; undefined when nothing changes.
 */
export function finishedPodStatus(pod: any, now: string): any | undefined {
  const conditions: any[] = pod.status?.conditions ?? [];
  const at = conditions.findIndex((c) => c.type === 'PodReadyToStartContainers');
  if (at >= 0 && conditions[at].status === 'False') return undefined;
  const stopped = condition(conditions, 'PodReadyToStartContainers', false, now);
  return { ...pod.status, conditions: at >= 0 ? conditions.map((c, i) => (i === at ? stopped : c)) : [stopped, ...conditions] };
}

/** The pod's status from what the agent knows of its containers (`facts`, `initFacts`, `ephemeralFacts`: of each list). */
export function podStatus(pod: any, sandbox: PodSandbox | undefined, facts: ContainerFacts[], now: string, initFacts: ContainerFacts[] = [], ephemeralFacts: ContainerFacts[] = []): any {
  const statuses = containerStatuses(pod, facts);
  const initStatuses = containerStatuses(pod, initFacts, 'init');
  // Ephemeral containers count for neither the phase nor readiness, as in kubelet.
  const ephemeralStatuses = containerStatuses(pod, ephemeralFacts, 'ephemeral');
  const phase = podPhase(pod, statuses, initStatuses);
  const previous: any[] = pod.status?.conditions ?? [];
  const incomplete = incompleteInit(pod, initStatuses);
  const sidecars = initStatuses.filter((_s, i) => pod.spec.initContainers[i]?.restartPolicy === 'Always');
  const unready = [...sidecars, ...statuses].filter((s) => !s.ready).map((s) => s.name);
  const notReady = { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const scheduled = previous.find((c) => c.type === 'PodScheduled') ?? { type: 'PodScheduled', status: 'True', lastTransitionTime: now };
  // Ready as kubelet has it: its containers ready, then every readiness gate's condition True.
  const gates = unready.length === 0 ? closedReadinessGates(pod, previous) : undefined;
  return {
    ...pod.status,
    phase,
    conditions: [
      // kubelet's (Kubernetes 1.29 on): the pod's sandbox is made and its network set up, so containers can start.
      condition(previous, 'PodReadyToStartContainers', sandbox?.state === 'SANDBOX_READY', now),
      condition(previous, 'Initialized', incomplete.length === 0, now, { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }),
      condition(previous, 'Ready', unready.length === 0 && !gates, now, gates ? { reason: 'ReadinessGatesNotReady', message: gates } : notReady),
      condition(previous, 'ContainersReady', unready.length === 0, now, notReady),
      scheduled,
      ...previous.filter((c) => !KUBELET_CONDITIONS.has(c.type)),
    ],
    hostIP: HOST_IP,
    hostIPs: [{ ip: HOST_IP }],
    // kubelet's: a pod on the host's network has the host's addresses as its own, whatever its runtime says.
    ...(sandbox ? { podIP: podAddress(pod, sandbox), podIPs: [{ ip: podAddress(pod, sandbox) }], startTime: pod.status?.startTime ?? ts(sandbox.createdAt) } : {}),
    ...(initStatuses.length > 0 ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: statuses,
    ...(ephemeralStatuses.length > 0 ? { ephemeralContainerStatuses: ephemeralStatuses } : {}),
  };
}
