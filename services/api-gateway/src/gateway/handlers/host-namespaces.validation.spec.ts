import { defaultPod, validatePod } from './pod.strategy';

const pod = (spec: any) => defaultPod({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 8080 }] }], ...spec } });

describe('host namespaces at the API (kube-apiserver 1.32)', () => {
  it('gives a port of a pod on the host\'s network its containerPort as hostPort, and nothing to other pods', () => {
    expect(pod({ hostNetwork: true }).spec.containers[0].ports[0]).toEqual({ containerPort: 8080, hostPort: 8080, protocol: 'TCP' });
    expect(pod({}).spec.containers[0].ports[0]).toEqual({ containerPort: 8080, protocol: 'TCP' });
    expect(validatePod(pod({ hostNetwork: true, hostPID: true, hostIPC: true }))).toEqual([]);
  });

  it('refuses a hostPort other than the containerPort on the host\'s network, naming the containerPort', () => {
    const p = pod({ hostNetwork: true, initContainers: [{ name: 'i', image: 'busybox', ports: [{ containerPort: 53, hostPort: 5353 }] }] });
    expect(validatePod(p)).toEqual([
      { field: 'spec.initContainers[0].ports[0].containerPort', reason: 'FieldValueInvalid', message: 'Invalid value: 53: must match `hostPort` when `hostNetwork` is true' },
    ]);
  });

  it('refuses hostPID with a shared process namespace', () => {
    expect(validatePod(pod({ hostPID: true, shareProcessNamespace: true }))).toEqual([
      { field: 'spec.securityContext.shareProcessNamespace', reason: 'FieldValueInvalid', message: 'Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled' },
    ]);
    expect(validatePod(pod({ hostPID: false, shareProcessNamespace: true }))).toEqual([]);
  });
});
