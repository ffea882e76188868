import { validatePod } from './pod.strategy';
import { validateLifecycle } from './lifecycle.validation';

const fields = (causes: any[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('container lifecycle hooks at the API', () => {
  it('take one handler each, an exec with a command, a sleep within the grace period', () => {
    expect(validateLifecycle({ lifecycle: { postStart: { exec: { command: ['true'] } }, preStop: { sleep: { seconds: 5 } } } }, 'spec.containers[0]', 30)).toEqual([]);
    expect(fields(validateLifecycle({ lifecycle: { postStart: {}, preStop: { exec: {}, httpGet: { port: 80 } } } }, 'spec.containers[0]', 30))).toEqual([
      'spec.containers[0].lifecycle.postStart: Required value: must specify a handler type',
      'spec.containers[0].lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].lifecycle.preStop.exec.command: Required value',
    ]);
    expect(fields(validateLifecycle({ lifecycle: { preStop: { sleep: { seconds: 40 } } } }, 'spec.initContainers[1]', 30))).toEqual([
      'spec.initContainers[1].lifecycle.preStop.sleep: Invalid value: 40: must be greater than 0 and less than terminationGracePeriodSeconds (30)',
    ]);
  });
});

describe('container probes and init containers at the API', () => {
  const pod = (spec: any) => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

  it('take one handler each, an exec with a command; liveness and startup pass on one success; a grace period is positive and not for readiness', () => {
    const ok = { exec: { command: ['true'] } };
    expect(validatePod(pod({ containers: [{ name: 'c', image: 'busybox', livenessProbe: { ...ok, successThreshold: 1 }, readinessProbe: { ...ok, successThreshold: 3 }, startupProbe: { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 5 } }] }))).toEqual([]);
    expect(validatePod(pod({ containers: [{ name: 'c', image: 'busybox', livenessProbe: { grpc: { port: 9000, service: 'db' } } }] }))).toEqual([]);
    expect(fields(validatePod(pod({ containers: [{ name: 'c', image: 'busybox', livenessProbe: { grpc: { port: 0 } } }] })))).toEqual(['spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive']);
    expect(fields(validatePod(pod({ containers: [{ name: 'c', image: 'busybox', livenessProbe: { successThreshold: 2 }, readinessProbe: { exec: {}, httpGet: { port: 80 }, terminationGracePeriodSeconds: 5 }, startupProbe: { ...ok, terminationGracePeriodSeconds: 0 } }] })))).toEqual([
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
      'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      'spec.containers[0].readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type',
      'spec.containers[0].readinessProbe.exec.command: Required value',
      'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes',
      'spec.containers[0].startupProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
    ]);
  });

  it('refuse hooks and probes on an init container that is not a sidecar, as kube-apiserver does', () => {
    const probe = { exec: { command: ['true'] } };
    const init = { name: 'setup', image: 'busybox', lifecycle: { postStart: probe }, livenessProbe: probe, readinessProbe: probe, startupProbe: probe };
    expect(fields(validatePod(pod({ initContainers: [init] })))).toEqual(
      ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'].map((f) => `spec.initContainers[0].${f}: Forbidden: may not be set for init containers without restartPolicy=Always`),
    );
    expect(validatePod(pod({ initContainers: [{ ...init, restartPolicy: 'Always' }] }))).toEqual([]);
  });
});

