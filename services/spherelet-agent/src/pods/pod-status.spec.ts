import type { ContainerStatus } from '@openpacific/contracts';
import { containerFieldPath, containerKind, finishedPodStatus, podStatus } from './pod-status';

const NOW = '2026-12-03T12:00:00Z';
const attempt = (name: string, state: ContainerStatus['state'], exitCode?: number, n = 0): ContainerStatus =>
  ({ id: `${name}-${n}`, sandboxId: 'sb', name, attempt: n, image: 'busybox', state, exitCode, createdAt: NOW, startedAt: NOW, ...(state === 'CONTAINER_EXITED' ? { finishedAt: NOW } : {}) }) as ContainerStatus;
const pod = (initContainers: any[], restartPolicy = 'Always') => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u' },
  spec: { restartPolicy, initContainers, containers: [{ name: 'app', image: 'busybox' }] },
  status: { phase: 'Pending', conditions: [] },
});
const sandbox = { id: 'sb', ip: '10.1.0.2', createdAt: NOW, state: 'SANDBOX_READY' } as any;

describe('pod status with init containers', () => {
  it('is Pending and not Initialized while an init container runs, naming the incomplete ones; the app waits PodInitializing', () => {
    const p = pod([{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }]);
    const s = podStatus(p, sandbox, [{ name: 'app', attempts: [], waiting: { reason: 'PodInitializing' } }], NOW, [{ name: 'a', attempts: [attempt('a', 'CONTAINER_RUNNING')] }]);
    expect(s.phase).toBe('Pending');
    expect(s.conditions[1]).toEqual({ type: 'Initialized', status: 'False', lastTransitionTime: NOW, reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [a b]' });
    expect(s.initContainerStatuses.map((c: any) => [c.name, Object.keys(c.state)[0], c.ready])).toEqual([['a', 'running', false], ['b', 'waiting', false]]);
    expect(s.initContainerStatuses[1].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });

  it('counts an init container that ended well as ready and complete; the pod runs once its app container does', () => {
    const p = pod([{ name: 'a', image: 'busybox' }]);
    const s = podStatus(p, sandbox, [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }], NOW, [{ name: 'a', attempts: [attempt('a', 'CONTAINER_EXITED', 0)] }]);
    expect(s.phase).toBe('Running');
    expect(s.conditions.slice(0, 4).map((c: any) => [c.type, c.status])).toEqual([['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True']]);
    expect(s.initContainerStatuses[0]).toMatchObject({ ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } });
  });

  it('fails the pod when an init container fails under restartPolicy Never, and stays Pending under another policy', () => {
    const facts = [{ name: 'a', attempts: [attempt('a', 'CONTAINER_EXITED', 2)] }];
    expect(podStatus(pod([{ name: 'a', image: 'busybox' }], 'Never'), sandbox, [], NOW, facts).phase).toBe('Failed');
    expect(podStatus(pod([{ name: 'a', image: 'busybox' }], 'OnFailure'), sandbox, [], NOW, facts).phase).toBe('Pending');
  });

  it('takes a sidecar as initialized once it runs and has started, and counts it in readiness', () => {
    const p = pod([{ name: 'side', image: 'busybox', restartPolicy: 'Always' }]);
    const s = podStatus(p, sandbox, [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }], NOW, [{ name: 'side', attempts: [attempt('side', 'CONTAINER_RUNNING')], ready: false }]);
    expect(s.conditions[1]).toMatchObject({ type: 'Initialized', status: 'True' });
    expect(s.conditions[2]).toMatchObject({ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [side]' });
  });

  it('says PodReadyToStartContainers once the sandbox is ready, False before it is made or once it stops', () => {
    const running = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }];
    const cond = (s: any) => s.conditions.find((c: any) => c.type === 'PodReadyToStartContainers');
    expect(cond(podStatus(pod([]), sandbox, running, NOW))).toEqual({ type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: NOW });
    expect(cond(podStatus(pod([]), undefined, [], NOW)).status).toBe('False');
    const stopped = podStatus({ ...pod([]), status: { conditions: [{ type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: 'earlier' }] } }, { ...sandbox, state: 'SANDBOX_NOTREADY' }, running, NOW);
    expect(cond(stopped)).toEqual({ type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: NOW });
  });

  it('leaves initContainerStatuses out of a pod without init containers', () => {
    const s = podStatus(pod([]), sandbox, [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }], NOW);
    expect(s).not.toHaveProperty('initContainerStatuses');
  });
});

describe('pod status with ephemeral containers', () => {
  const debugged = (restartPolicy = 'Always') => ({ ...pod([], restartPolicy), spec: { ...pod([], restartPolicy).spec, ephemeralContainers: [{ name: 'dbg', image: 'busybox' }, { name: 'dbg2', image: 'alpine' }] } });
  const app = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }];

  it('reports each as kubelet does: never ready, no restarts, waiting ContainerCreating until it has an attempt', () => {
    const s = podStatus(debugged(), sandbox, app, NOW, [], [{ name: 'dbg', attempts: [attempt('dbg', 'CONTAINER_RUNNING')] }]);
    expect(s.ephemeralContainerStatuses).toEqual([
      { name: 'dbg', image: 'busybox', imageID: '', containerID: 'crx://dbg-0', state: { running: { startedAt: NOW } }, lastState: {}, ready: false, restartCount: 0 },
      { name: 'dbg2', image: 'alpine', imageID: '', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {}, ready: false, restartCount: 0 },
    ]);
  });

  it('reports an ended one terminated with its exit code and reason', () => {
    const s = podStatus(debugged(), sandbox, app, NOW, [], [{ name: 'dbg', attempts: [attempt('dbg', 'CONTAINER_EXITED', 3)] }]);
    expect(s.ephemeralContainerStatuses[0].state).toEqual({ terminated: { exitCode: 3, reason: 'Error', startedAt: NOW, finishedAt: NOW, containerID: 'crx://dbg-0' } });
  });

  it('counts them in neither the phase nor readiness', () => {
    const exited = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)] }];
    const running = [{ name: 'dbg', attempts: [attempt('dbg', 'CONTAINER_RUNNING')] }];
    expect(podStatus(debugged('Never'), sandbox, exited, NOW, [], running).phase).toBe('Succeeded');
    const s = podStatus(debugged(), sandbox, app, NOW, [], running);
    expect(s.conditions.slice(1, 3).map((c: any) => c.status)).toEqual(['True', 'True']);
  });

  it('leaves ephemeralContainerStatuses out of a pod without ephemeral containers', () => {
    expect(podStatus(pod([]), sandbox, app, NOW)).not.toHaveProperty('ephemeralContainerStatuses');
  });
});

describe('readiness gates', () => {
  const gated = (conditions: any[]) => ({
    metadata: { name: 'p', namespace: 'default', uid: 'u' },
    spec: { restartPolicy: 'Always', readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }], containers: [{ name: 'app', image: 'busybox' }] },
    status: { phase: 'Running', conditions },
  });
  const running = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }];
  const ready = (s: any) => s.conditions.find((c: any) => c.type === 'Ready');

  it('keeps the pod not Ready, in kubelet\'s words, until every gate\'s condition is True; its containers are ready', () => {
    const none = podStatus(gated([]), sandbox, running, NOW);
    expect(ready(none)).toMatchObject({
      status: 'False', reason: 'ReadinessGatesNotReady',
      message: 'corresponding condition of pod readiness gate "example.com/lb" does not exist., corresponding condition of pod readiness gate "example.com/dns" does not exist.',
    });
    expect(none.conditions.find((c: any) => c.type === 'ContainersReady').status).toBe('True');
    const half = podStatus(gated([{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }]), sandbox, running, NOW);
    expect(ready(half).message).toBe('the status of pod readiness gate "example.com/dns" is not "True", but False');
    const open = podStatus(gated([{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'True' }]), sandbox, running, NOW);
    expect(ready(open)).toEqual({ type: 'Ready', status: 'True', lastTransitionTime: NOW });
  });

  it('says ContainersNotReady first while a container is not ready, and keeps the conditions others wrote', () => {
    const s = podStatus(gated([{ type: 'example.com/lb', status: 'True', reason: 'Registered' }, { type: 'DisruptionTarget', status: 'True' }]), sandbox, [{ name: 'app', attempts: [], waiting: { reason: 'ContainerCreating' } }], NOW);
    expect(ready(s).reason).toBe('ContainersNotReady');
    expect(s.conditions.map((c: any) => c.type)).toEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'example.com/lb', 'DisruptionTarget']);
    expect(s.conditions[5]).toEqual({ type: 'example.com/lb', status: 'True', reason: 'Registered' });
  });
});

describe('the container an Event is about', () => {
  const p = {
    spec: {
      initContainers: [{ name: 'setup', image: 'busybox' }],
      containers: [{ name: 'web', image: 'busybox' }, { name: 'log', image: 'busybox' }],
      ephemeralContainers: [{ name: 'dbg', image: 'busybox' }],
    },
  };

  it('is found in the list of the pod that holds its name, or in none', () => {
    expect(['setup', 'web', 'log', 'dbg', 'gone'].map((name) => containerKind(p, name))).toEqual(['init', 'app', 'app', 'ephemeral', undefined]);
    expect(containerKind({ spec: { containers: [{ name: 'web' }] } }, 'dbg')).toBeUndefined();
  });

  it('is named in the fieldPath of its list, the container in braces', () => {
    expect(containerFieldPath('app', 'web')).toBe('spec.containers{web}');
    expect(containerFieldPath('init', 'setup')).toBe('spec.initContainers{setup}');
    expect(containerFieldPath('ephemeral', 'dbg')).toBe('spec.ephemeralContainers{dbg}');
  });
});

describe('a finished pod whose sandbox is stopped', () => {
  const conditions = [
    { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: '2026-12-05T10:00:00Z' },
    { type: 'Initialized', status: 'True', lastTransitionTime: '2026-12-05T10:00:00Z' },
    { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: '2026-12-05T10:00:05Z' },
  ];
  const pod = { status: { phase: 'Succeeded', podIP: '10.70.1.2', conditions } };

  it('says PodReadyToStartContainers False from now, in its place, and keeps the rest of the status', () => {
    const status = finishedPodStatus(pod, '2026-12-05T10:00:07Z');
    expect(status.conditions).toEqual([
      { type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: '2026-12-05T10:00:07Z' },
      conditions[1],
      conditions[2],
    ]);
    expect(status).toMatchObject({ phase: 'Succeeded', podIP: '10.70.1.2' });
    expect(pod.status.conditions[0].status).toBe('True');
  });

  it('changes nothing once it says so, and adds the condition first to a status without it', () => {
    const stopped = { status: finishedPodStatus(pod, '2026-12-05T10:00:07Z') };
    expect(finishedPodStatus(stopped, '2026-12-05T10:01:00Z')).toBeUndefined();
    const bare = finishedPodStatus({ status: { phase: 'Failed', reason: 'DeadlineExceeded' } }, '2026-12-05T10:00:07Z');
    expect(bare).toEqual({ phase: 'Failed', reason: 'DeadlineExceeded', conditions: [{ type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: '2026-12-05T10:00:07Z' }] });
  });
});

describe('the pod phase, as kubelet computes it', () => {
  const two = (restartPolicy = 'Always') => ({ ...pod([], restartPolicy), spec: { restartPolicy, containers: [{ name: 'app', image: 'busybox' }, { name: 'side', image: 'busybox' }] } });
  const backOff = { reason: 'CrashLoopBackOff', message: 'back-off 10s' };

  it('is Running while its only container crashes and waits to restart (CrashLoopBackOff), under Always and OnFailure', () => {
    const crashing = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 3)], waiting: backOff }];
    const always = podStatus(pod([]), sandbox, crashing, NOW);
    expect(always.containerStatuses[0]).toMatchObject({ state: { waiting: backOff }, lastState: { terminated: { exitCode: 3 } } });
    expect(always.phase).toBe('Running');
    expect(podStatus(pod([], 'OnFailure'), sandbox, crashing, NOW).phase).toBe('Running');
  });

  it('is Running when a container that ended well waits to start again under Always', () => {
    const again = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)], waiting: backOff }];
    expect(podStatus(pod([]), sandbox, again, NOW).phase).toBe('Running');
  });

  it('stays Pending while one container has never started, even with another running', () => {
    const facts = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }, { name: 'side', attempts: [], waiting: { reason: 'ImagePullBackOff', message: 'x' } }];
    expect(podStatus(two(), sandbox, facts, NOW).phase).toBe('Pending');
  });

  it('under OnFailure is Succeeded once all ended well, Running while a failed one waits to restart beside one that ended well', () => {
    const done = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)] }, { name: 'side', attempts: [attempt('side', 'CONTAINER_EXITED', 0)] }];
    expect(podStatus(two('OnFailure'), sandbox, done, NOW).phase).toBe('Succeeded');
    const mixed = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)] }, { name: 'side', attempts: [attempt('side', 'CONTAINER_EXITED', 1)], waiting: backOff }];
    expect(podStatus(two('OnFailure'), sandbox, mixed, NOW).phase).toBe('Running');
  });

  it('under Never is Failed when any container failed, Succeeded when all ended well', () => {
    const failed = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)] }, { name: 'side', attempts: [attempt('side', 'CONTAINER_EXITED', 1)] }];
    expect(podStatus(two('Never'), sandbox, failed, NOW).phase).toBe('Failed');
    const fine = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_EXITED', 0)] }, { name: 'side', attempts: [attempt('side', 'CONTAINER_EXITED', 0)] }];
    expect(podStatus(two('Never'), sandbox, fine, NOW).phase).toBe('Succeeded');
  });

  it('does not go back to Pending when a sidecar restarts after the app container started', () => {
    const p = pod([{ name: 'side', image: 'busybox', restartPolicy: 'Always' }]);
    const app = [{ name: 'app', attempts: [attempt('app', 'CONTAINER_RUNNING')] }];
    expect(podStatus(p, sandbox, app, NOW, [{ name: 'side', attempts: [attempt('side', 'CONTAINER_EXITED', 1)], waiting: backOff }]).phase).toBe('Running');
    // Before the app container has started, a sidecar not yet started keeps the pod Pending.
    expect(podStatus(p, sandbox, [{ name: 'app', attempts: [], waiting: { reason: 'PodInitializing' } }], NOW, [{ name: 'side', attempts: [attempt('side', 'CONTAINER_RUNNING')], started: false }]).phase).toBe('Pending');
  });
});

describe('imageID', () => {
  const APP_REF = `docker.io/library/app@sha256:${'0123456789abcdef'.repeat(4)}`;
  const BUSYBOX_REF = `sha256:${'fedcba9876543210'.repeat(4)}`;
  const withRef = (c: ContainerStatus, imageRef: string): ContainerStatus => ({ ...c, imageRef });
  const p = {
    ...pod([{ name: 'setup', image: 'busybox' }]),
    spec: { ...pod([{ name: 'setup', image: 'busybox' }]).spec, containers: [{ name: 'app', image: 'app:1.0' }, { name: 'old', image: 'busybox' }], ephemeralContainers: [{ name: 'dbg', image: 'busybox' }, { name: 'dbg2', image: 'busybox' }] },
  };
  const facts = [
    { name: 'app', attempts: [withRef(attempt('app', 'CONTAINER_RUNNING'), APP_REF)] },
    // Created by a runtime from before image ids were recorded: it has none.
    { name: 'old', attempts: [attempt('old', 'CONTAINER_RUNNING')] },
  ];
  const initFacts = [{ name: 'setup', attempts: [withRef(attempt('setup', 'CONTAINER_EXITED', 0), BUSYBOX_REF)] }];
  const ephemeralFacts = [{ name: 'dbg', attempts: [withRef(attempt('dbg', 'CONTAINER_RUNNING'), BUSYBOX_REF)] }];

  it('is the image id the runtime reports for each list\'s containers; empty with no container yet, or one without an id', () => {
    const s = podStatus(p, sandbox, facts, NOW, initFacts, ephemeralFacts);
    expect(s.containerStatuses.map((c: any) => [c.name, c.imageID])).toEqual([['app', APP_REF], ['old', '']]);
    expect(s.initContainerStatuses[0].imageID).toBe(BUSYBOX_REF);
    expect(s.ephemeralContainerStatuses.map((c: any) => [c.name, c.imageID])).toEqual([['dbg', BUSYBOX_REF], ['dbg2', '']]);
    const creating = podStatus(p, sandbox, [{ name: 'app', attempts: [], waiting: { reason: 'ContainerCreating' } }], NOW);
    expect(creating.containerStatuses[0].imageID).toBe('');
  });

  it('is the latest container\'s, also while it waits to restart', () => {
    const first = withRef(attempt('app', 'CONTAINER_EXITED', 1, 0), `docker.io/library/app@sha256:${'1'.repeat(64)}`);
    const second = withRef(attempt('app', 'CONTAINER_EXITED', 1, 1), APP_REF);
    const s = podStatus(p, sandbox, [{ name: 'app', attempts: [second, first], waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }], NOW);
    expect(s.containerStatuses[0]).toMatchObject({ imageID: APP_REF, restartCount: 1, lastState: { terminated: { containerID: 'crx://app-1' } } });
  });

  it('changes nothing in a status already written from the same containers, so the agent writes none again', () => {
    const written = podStatus(p, sandbox, facts, NOW, initFacts, ephemeralFacts);
    const again = podStatus({ ...p, status: written }, sandbox, facts, '2026-12-03T12:05:00Z', initFacts, ephemeralFacts);
    expect(again).toEqual(written);
  });
});
