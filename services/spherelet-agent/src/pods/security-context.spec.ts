import { containerSecurity } from './security-context';

describe('the securityContext the runtime is told of', () => {
  it('is nothing for a pod and container that set none', () => {
    expect(containerSecurity({ spec: {} }, { name: 'c' })).toBeUndefined();
    expect(containerSecurity({ spec: { securityContext: {} } }, { name: 'c', securityContext: {} })).toBeUndefined();
  });

  it('takes the docs example from the pod: runAsUser, runAsGroup, the fsGroup before the supplementalGroups', () => {
    const pod = { spec: { securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] } } };
    expect(containerSecurity(pod, { name: 'c', securityContext: { allowPrivilegeEscalation: false } })).toEqual({
      runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [2000, 4000], noNewPrivileges: true, fsGroup: 2000,
    });
  });

  it('lets the container\'s user fields override the pod\'s, and takes privileges from the container alone', () => {
    const pod = { spec: { securityContext: { runAsUser: 1000, runAsNonRoot: true, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch' } } };
    const c = { name: 'c', securityContext: { runAsUser: 2000, runAsNonRoot: false, privileged: true, readOnlyRootFilesystem: true, capabilities: { add: ['NET_ADMIN'], drop: [] } } };
    expect(containerSecurity(pod, c)).toEqual({
      runAsUser: 2000, runAsNonRoot: false, supplementalGroups: [2000], privileged: true, capabilities: { add: ['NET_ADMIN'] },
      readOnlyRootFilesystem: true, fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch',
    });
  });

  it('sets no_new_privs only for an explicit allowPrivilegeEscalation: false', () => {
    expect(containerSecurity({ spec: {} }, { securityContext: { allowPrivilegeEscalation: true } })).toBeUndefined();
  });
});
