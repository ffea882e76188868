import { validatePod } from './pod.strategy';

const pod = (spec: any) => ({ spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });

describe('securityContext validation, as kube-apiserver does it', () => {
  it('refuses ids out of range with the field and kube-apiserver\'s message', () => {
    const causes = validatePod(pod({ securityContext: { runAsUser: -1, runAsGroup: 2147483648, fsGroup: 5, supplementalGroups: [1, -7] } }));
    expect(causes).toEqual([
      { field: 'spec.securityContext.runAsUser', reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be between 0 and 2147483647, inclusive' },
      { field: 'spec.securityContext.runAsGroup', reason: 'FieldValueInvalid', message: 'Invalid value: 2147483648: must be between 0 and 2147483647, inclusive' },
      { field: 'spec.securityContext.supplementalGroups[1]', reason: 'FieldValueInvalid', message: 'Invalid value: -7: must be between 0 and 2147483647, inclusive' },
    ]);
  });

  it('checks each container\'s ids under its own path, init containers too', () => {
    const causes = validatePod({ spec: { initContainers: [{ name: 'i', image: 'b', securityContext: { runAsGroup: -2 } }], containers: [{ name: 'c', image: 'b', securityContext: { runAsUser: -1 } }] } });
    expect(causes.map((c) => c.field)).toEqual(['spec.initContainers[0].securityContext.runAsGroup', 'spec.containers[0].securityContext.runAsUser']);
  });

  it('refuses an unknown fsGroupChangePolicy', () => {
    expect(validatePod(pod({ securityContext: { fsGroupChangePolicy: 'Sometimes' } }))).toEqual([
      { field: 'spec.securityContext.fsGroupChangePolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"' },
    ]);
  });

  it('refuses allowPrivilegeEscalation: false with privileged or CAP_SYS_ADMIN', () => {
    const causes = validatePod({ spec: { containers: [{ name: 'c', image: 'b', securityContext: { allowPrivilegeEscalation: false, privileged: true, capabilities: { add: ['SYS_ADMIN'] } } }] } });
    expect(causes.map((c) => [c.field, c.message.replace(/^Invalid value: "securityContext": /, '')])).toEqual([
      ['spec.containers[0].securityContext', 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'],
      ['spec.containers[0].securityContext', 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'],
    ]);
  });

  it('accepts the docs example', () => {
    expect(validatePod(pod({ securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000], fsGroupChangePolicy: 'OnRootMismatch' } }))).toEqual([]);
  });
});
