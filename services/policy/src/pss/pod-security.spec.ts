import {
  allowPrivilegeEscalation, capabilitiesBaseline, capabilitiesRestricted, enforcedLevel, hostNamespaces, hostPathVolumes, hostPorts, podSecurityMessage, privileged, procMount,
  restrictedVolumes, runAsNonRoot, runAsUser, seccompBaseline, seccompRestricted, sysctls, violations,
} from './pod-security';

const pod = (spec: any) => ({ metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
const withSc = (sc: any, more: any = {}) => pod({ containers: [{ name: 'c', image: 'nginx', securityContext: sc, ...more }] });
/** A pod that meets restricted. */
const compliant = () =>
  pod({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'nginx', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
    volumes: [{ name: 'cfg', configMap: { name: 'x' } }],
  });

describe('Pod Security Standards checks', () => {
  it('host namespaces', () => {
    expect(hostNamespaces(pod({ hostNetwork: true, hostPID: true }))).toEqual({ reason: 'host namespaces', detail: 'hostNetwork=true, hostPID=true' });
    expect(hostNamespaces(pod({}))).toBeUndefined();
  });

  it('privileged, naming every container', () => {
    expect(privileged(withSc({ privileged: true }))?.detail).toBe('container "c" must not set securityContext.privileged=true');
    const two = pod({ containers: [{ name: 'a', securityContext: { privileged: true } }, { name: 'b', securityContext: { privileged: true } }] });
    expect(privileged(two)?.detail).toBe('containers "a", "b" must not set securityContext.privileged=true');
  });

  it('capabilities beyond the baseline set', () => {
    expect(capabilitiesBaseline(withSc({ capabilities: { add: ['CHOWN', 'NET_ADMIN'] } }))).toEqual({
      reason: 'non-default capabilities', detail: 'container "c" must not include "NET_ADMIN" in securityContext.capabilities.add',
    });
    expect(capabilitiesBaseline(withSc({ capabilities: { add: ['CHOWN'] } }))).toBeUndefined();
  });

  it('hostPath volumes and host ports', () => {
    expect(hostPathVolumes(pod({ volumes: [{ name: 'data', hostPath: { path: '/' } }] }))).toEqual({ reason: 'hostPath volumes', detail: 'volume "data"' });
    expect(hostPorts(withSc(undefined, { ports: [{ containerPort: 80, hostPort: 8080 }] }))).toEqual({ reason: 'hostPort', detail: 'container "c" uses hostPort 8080' });
  });

  it('procMount, seccomp Unconfined and unsafe sysctls', () => {
    expect(procMount(withSc({ procMount: 'Unmasked' }))?.detail).toBe('container "c" must not set securityContext.procMount to "Unmasked"');
    expect(seccompBaseline(pod({ securityContext: { seccompProfile: { type: 'Unconfined' } } }))?.detail).toBe('pod must not set securityContext.seccompProfile.type to "Unconfined"');
    expect(sysctls(pod({ securityContext: { sysctls: [{ name: 'kernel.shm_rmid_forced', value: '1' }, { name: 'net.core.somaxconn', value: '1' }] } }))).toEqual({
      reason: 'forbidden sysctls', detail: 'net.core.somaxconn',
    });
  });

  it('restricted: allowPrivilegeEscalation, capabilities, runAsNonRoot, runAsUser, seccomp, volume types', () => {
    const bare = pod({});
    expect(allowPrivilegeEscalation(bare)?.detail).toBe('container "c" must set securityContext.allowPrivilegeEscalation=false');
    expect(capabilitiesRestricted(bare)?.detail).toBe('container "c" must set securityContext.capabilities.drop=["ALL"]');
    expect(runAsNonRoot(bare)?.detail).toBe('pod or container "c" must set securityContext.runAsNonRoot=true');
    expect(runAsUser(pod({ securityContext: { runAsUser: 0 } }))?.detail).toBe('pod must not set runAsUser=0');
    expect(seccompRestricted(bare)?.detail).toBe('pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"');
    expect(restrictedVolumes(pod({ volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }))?.detail).toBe('volume "n" uses restricted volume type "nfs"');
    for (const check of [allowPrivilegeEscalation, capabilitiesRestricted, runAsNonRoot, runAsUser, seccompRestricted, restrictedVolumes]) expect(check(compliant())).toBeUndefined();
  });

  it('levels: privileged allows all, baseline refuses privileged, restricted adds its own checks in kube\'s order', () => {
    const p = withSc({ privileged: true });
    expect(violations('privileged', p)).toEqual([]);
    expect(violations('baseline', p).map((v) => v.reason)).toEqual(['privileged']);
    expect(violations('baseline', pod({}))).toEqual([]);
    expect(violations('restricted', p).map((v) => v.reason)).toEqual(['privileged', 'allowPrivilegeEscalation != false', 'unrestricted capabilities', 'runAsNonRoot != true', 'seccompProfile']);
    expect(violations('restricted', compliant())).toEqual([]);
  });

  it('words the refusal as kube-apiserver', () => {
    const p = withSc({ privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(podSecurityMessage('x', 'restricted', violations('restricted', p))).toBe(
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it('reads the level from the namespace label', () => {
    expect(enforcedLevel({ metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } })).toBe('baseline');
    expect(enforcedLevel({ metadata: {} })).toBe('privileged');
  });
});
