import { ephemeralClaim, hasEphemeralVolumes } from './ephemeral-volumes';
import { claimHasConsumer, claimUsers } from './volume-binding';

const volume = { name: 'work', ephemeral: { volumeClaimTemplate: { metadata: { labels: { type: 'scratch' }, annotations: { note: 'x' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } } } };
const pod = (extra: any = {}) => ({
  metadata: { name: 'job-1', namespace: 'team-a', uid: 'pod-uid', ...extra.metadata },
  spec: { nodeName: 'host-1', volumes: [volume], containers: [] },
  status: { phase: 'Running', ...extra.status },
});

describe('generic ephemeral volumes', () => {
  it('make a claim <pod>-<volume> from the template, owned by the pod, protected', () => {
    const claim = ephemeralClaim(pod(), volume);
    expect(claim.metadata).toMatchObject({
      name: 'job-1-work', namespace: 'team-a', labels: { type: 'scratch' }, annotations: { note: 'x' }, finalizers: ['kubernetes.io/pvc-protection'],
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'job-1', uid: 'pod-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' });
    expect(claim.status).toEqual({ phase: 'Pending' });
    expect(hasEphemeralVolumes(pod())).toBe(true);
    expect(hasEphemeralVolumes({ spec: { volumes: [{ name: 'd', emptyDir: {} }] } })).toBe(false);
  });

  it('count the pod as the claim’s consumer and user only when the claim is its own, and not once it is shut down', () => {
    const own = ephemeralClaim(pod(), volume);
    const foreign = { ...own, metadata: { ...own.metadata, ownerReferences: [{ kind: 'Pod', name: 'other', uid: 'other-uid', controller: true }] } };
    expect(claimHasConsumer(own, [pod()])).toBe(true);
    expect(claimHasConsumer(foreign, [pod()])).toBe(false);
    expect(claimUsers(own, [pod()], [])).toEqual(['pod/job-1']);
    expect(claimUsers(foreign, [pod()], [])).toEqual([]);
    expect(claimUsers(own, [pod({ status: { phase: 'Succeeded' } })], [])).toEqual([]);
    expect(claimUsers(own, [pod({ metadata: { deletionTimestamp: '2024-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } })], [])).toEqual([]);
    expect(claimUsers(own, [pod({ metadata: { deletionTimestamp: '2024-01-01T00:00:00Z', deletionGracePeriodSeconds: 30 } })], [])).toEqual(['pod/job-1']);
  });
});
