import { podResource, podStatusText } from './pod.resource';

const column = (name: string) => podResource.versions[0].printerColumns!.find((c) => c.name === name)!.value!;
const pod = (initContainerStatuses: any[], extra: { conditions?: any[]; containerStatuses?: any[]; sidecar?: boolean } = {}) => ({
  metadata: { name: 'p' },
  spec: {
    initContainers: initContainerStatuses.map((s, i) => ({ name: s.name, ...(extra.sidecar && i === 0 ? { restartPolicy: 'Always' } : {}) })),
    containers: [{ name: 'app' }],
  },
  status: { phase: 'Pending', conditions: extra.conditions ?? [{ type: 'Initialized', status: 'False' }], initContainerStatuses, containerStatuses: extra.containerStatuses ?? [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } }, ready: false, restartCount: 0 }] },
});
const done = (name: string) => ({ name, state: { terminated: { exitCode: 0, reason: 'Completed' } }, ready: true, restartCount: 0 });

describe("the pod table's STATUS, READY and RESTARTS with init containers, as kubectl words them", () => {
  it('counts the init containers done: Init:i/n', () => {
    expect(podStatusText(pod([{ name: 'a', state: { running: {} }, restartCount: 0 }, { name: 'b', state: { waiting: { reason: 'PodInitializing' } }, restartCount: 0 }]))).toBe('Init:0/2');
    expect(podStatusText(pod([done('a'), { name: 'b', state: { running: {} }, restartCount: 0 }]))).toBe('Init:1/2');
  });

  it("names a failed or waiting init container's reason", () => {
    expect(podStatusText(pod([{ name: 'a', state: { terminated: { exitCode: 3, reason: 'Error' } }, restartCount: 0 }]))).toBe('Init:Error');
    expect(podStatusText(pod([{ name: 'a', state: { terminated: { exitCode: 137 } }, restartCount: 0 }]))).toBe('Init:ExitCode:137');
    expect(podStatusText(pod([{ name: 'a', state: { waiting: { reason: 'CrashLoopBackOff' } }, restartCount: 2 }]))).toBe('Init:CrashLoopBackOff');
  });

  it('goes on to the app containers once the pod is initialized, and adds init restarts to RESTARTS', () => {
    const ready = pod([{ ...done('a'), restartCount: 2 }], {
      conditions: [{ type: 'Initialized', status: 'True' }],
      containerStatuses: [{ name: 'app', state: { running: {} }, ready: true, restartCount: 1 }],
    });
    ready.status.phase = 'Running';
    expect(podStatusText(ready)).toBe('Running');
    expect(column('Restarts')(ready)).toBe(3);
    expect(column('Ready')(ready)).toBe('1/1');
  });

  it('counts a sidecar among the containers in READY, and passes over it once started', () => {
    const withSidecar = pod([{ name: 'side', state: { running: {} }, started: true, ready: true, restartCount: 0 }], {
      sidecar: true,
      conditions: [{ type: 'Initialized', status: 'True' }],
      containerStatuses: [{ name: 'app', state: { running: {} }, ready: true, restartCount: 0 }],
    });
    withSidecar.status.phase = 'Running';
    expect(column('Ready')(withSidecar)).toBe('2/2');
    expect(podStatusText(withSidecar)).toBe('Running');
  });
});

describe("-o wide's READINESS GATES", () => {
  it('counts the gates whose condition is True', () => {
    const gates = column('Readiness Gates');
    const withGates = (conditions: any[]) => ({ metadata: { name: 'p' }, spec: { readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }], containers: [] }, status: { conditions } });
    expect(gates(withGates([]))).toBe('0/2');
    expect(gates(withGates([{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }]))).toBe('1/2');
    expect(gates({ metadata: { name: 'p' }, spec: { containers: [] } })).toBe('<none>');
  });
});
