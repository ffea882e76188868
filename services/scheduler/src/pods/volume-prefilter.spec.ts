import { claimsPreFilter } from './volume-prefilter';

const classes = [
  { metadata: { name: 'fast', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, volumeBindingMode: 'Immediate' },
  { metadata: { name: 'late' }, volumeBindingMode: 'WaitForFirstConsumer' },
];
const claim = (name: string, extra: any = {}) => ({ metadata: { name, namespace: 'ns', ...extra.metadata }, spec: { ...extra.spec }, status: { phase: 'Pending', ...extra.status } });
const lookup = (...claims: any[]) => ({ claim: (_ns: string, name: string) => claims.find((c) => c.metadata.name === name), classes: () => classes });
const pod = (volumes: any[]) => ({ metadata: { name: 'web', namespace: 'ns', uid: 'pod-uid' }, spec: { volumes } });
const pvc = (claimName: string) => ({ name: 'd', persistentVolumeClaim: { claimName } });

describe("the scheduler's pre-filter of a pod's claims (kube-scheduler's VolumeBinding words)", () => {
  it('holds a pod back for a missing, deleting or unbound Immediate claim, and not for a bound or WaitForFirstConsumer one', () => {
    expect(claimsPreFilter(pod([]), lookup())).toBeUndefined();
    expect(claimsPreFilter(pod([{ name: 'tmp', emptyDir: {} }]), lookup())).toBeUndefined();
    expect(claimsPreFilter(pod([pvc('data')]), lookup())).toBe('persistentvolumeclaim "data" not found');
    expect(claimsPreFilter(pod([pvc('data')]), lookup(claim('data', { metadata: { deletionTimestamp: 't' } })))).toBe('persistentvolumeclaim "data" is being deleted');
    expect(claimsPreFilter(pod([pvc('data')]), lookup(claim('data')))).toBe('pod has unbound immediate PersistentVolumeClaims');
    expect(claimsPreFilter(pod([pvc('data')]), lookup(claim('data', { spec: { storageClassName: 'late' } })))).toBeUndefined();
    expect(claimsPreFilter(pod([pvc('data')]), lookup(claim('data', { status: { phase: 'Bound' } })))).toBeUndefined();
  });

  it('waits for an ephemeral volume\'s claim, and refuses one the pod does not own', () => {
    const ephemeral = { name: 'work', ephemeral: { volumeClaimTemplate: { spec: {} } } };
    expect(claimsPreFilter(pod([ephemeral]), lookup())).toBe('waiting for ephemeral volume controller to create the persistentvolumeclaim "web-work"');
    const foreign = claim('web-work', { status: { phase: 'Bound' } });
    expect(claimsPreFilter(pod([ephemeral]), lookup(foreign))).toBe('PVC ns/web-work was not created for pod ns/web (pod is not owner)');
    const own = claim('web-work', { metadata: { ownerReferences: [{ kind: 'Pod', name: 'web', uid: 'pod-uid', controller: true }] }, status: { phase: 'Bound' } });
    expect(claimsPreFilter(pod([ephemeral]), lookup(own))).toBeUndefined();
  });
});
