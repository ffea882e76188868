import { DATASTORE_PROVISIONER, defaultStorageClass } from '@openpacific/contracts';
import {
  claimHasConsumer, claimIsGone, claimUsers, datastoreUsedBytes, effectiveClassName, findVolumeForClaim, fitsDatastore, inDatastore, planClaim, reclaimAction, snapshotsUsedBytes, volumeFitsClaim,
  volumeInUse, wantsExpansion,
} from './volume-binding';

const GI = 2 ** 30;
const DS = '/data/datastore';

function claim(name: string, storage: string, extra: any = {}): any {
  return {
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'team-a', uid: `uid-${name}`, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...extra },
    status: { phase: 'Pending' },
  };
}

function volume(name: string, storage: string, extra: any = {}, status: any = { phase: 'Available' }): any {
  return {
    kind: 'PersistentVolume',
    metadata: { name, uid: `uid-${name}` },
    spec: { capacity: { storage }, accessModes: ['ReadWriteOnce', 'ReadWriteMany'], storageClassName: 'manual', hostPath: { path: `/srv/${name}` }, ...extra },
    status,
  };
}

const sc = (name: string, extra: any = {}) => ({ ...defaultStorageClass(), metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z' }, ...extra });

describe('which volume fits a claim', () => {
  it('takes the smallest free volume of the class with every access mode and enough room', () => {
    const pvs = [volume('big', '10Gi'), volume('small', '2Gi'), volume('tiny', '500Mi'), volume('other-class', '2Gi', { storageClassName: 'fast' })];
    expect(findVolumeForClaim(claim('c', '1Gi', { storageClassName: 'manual' }), 'manual', pvs)?.metadata.name).toBe('small');
  });

  it('skips volumes that are bound, released, lack an access mode, or differ in volume mode', () => {
    const c = claim('c', '1Gi', { accessModes: ['ReadOnlyMany'] });
    expect(volumeFitsClaim(volume('a', '2Gi'), c, 'manual')).toBe(false); // no ROX
    const rwo = claim('c', '1Gi');
    expect(volumeFitsClaim(volume('b', '2Gi', {}, { phase: 'Released' }), rwo, 'manual')).toBe(false);
    expect(volumeFitsClaim(volume('b', '2Gi', { claimRef: { namespace: 'team-a', name: 'someone-else' } }), rwo, 'manual')).toBe(false);
    expect(volumeFitsClaim(volume('b', '2Gi', { volumeMode: 'Block' }), rwo, 'manual')).toBe(false);
    expect(volumeFitsClaim(volume('b', '2Gi'), rwo, 'manual')).toBe(true);
  });

  it('prefers a volume reserved for the claim, and honours a claim naming its volume', () => {
    const c = claim('c', '1Gi');
    const pvs = [volume('small', '1Gi'), volume('reserved', '5Gi', { claimRef: { namespace: 'team-a', name: 'c' } })];
    expect(findVolumeForClaim(c, 'manual', pvs)?.metadata.name).toBe('reserved');
    expect(findVolumeForClaim(claim('c', '1Gi', { volumeName: 'small' }), 'manual', pvs)?.metadata.name).toBe('small');
    expect(findVolumeForClaim(claim('c', '1Gi', { volumeName: 'missing' }), 'manual', pvs)).toBeUndefined();
  });

  it("binds only a volume labelled as the claim's selector asks, unless the claim names it or it is reserved for the claim", () => {
    const selector = { matchLabels: { tier: 'gold' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] };
    const labelled = (name: string, storage: string, labels: Record<string, string>, extra: any = {}) => ({ ...volume(name, storage, extra), metadata: { name, uid: `uid-${name}`, labels } });
    const pvs = [volume('plain', '1Gi'), labelled('silver', '1Gi', { tier: 'silver', zone: 'a' }), labelled('gold-c', '1Gi', { tier: 'gold', zone: 'c' }), labelled('gold-b', '5Gi', { tier: 'gold', zone: 'b' })];
    expect(findVolumeForClaim(claim('c', '1Gi', { selector }), 'manual', pvs)?.metadata.name).toBe('gold-b');
    expect(findVolumeForClaim(claim('c', '1Gi', { selector }), 'manual', pvs.slice(0, 3))).toBeUndefined();
    expect(findVolumeForClaim(claim('c', '1Gi', { selector, volumeName: 'plain' }), 'manual', pvs)?.metadata.name).toBe('plain');
    const reserved = volume('mine', '1Gi', { claimRef: { namespace: 'team-a', name: 'c' } });
    expect(findVolumeForClaim(claim('c', '1Gi', { selector }), 'manual', [reserved])?.metadata.name).toBe('mine');
    // Without a fitting volume, a claim with a selector is not provisioned, as a CSI provisioner refuses it.
    expect(planClaim(claim('c', '1Gi', { selector }), 'vsan', [sc('vsan')], [], false)).toEqual({ action: 'wait', type: 'Warning', reason: 'ProvisioningFailed', message: 'claim Selector is not supported' });
  });

  it('gives a claim without a class the default class, and an empty class none', () => {
    const classes = [sc('plain'), { ...sc('vsan'), metadata: { name: 'vsan', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } }];
    expect(effectiveClassName(claim('c', '1Gi'), classes)).toBe('vsan');
    expect(effectiveClassName(claim('c', '1Gi', { storageClassName: '' }), classes)).toBe('');
    expect(effectiveClassName(claim('c', '1Gi', { storageClassName: 'plain' }), classes)).toBe('plain');
    expect(effectiveClassName(claim('c', '1Gi'), [sc('plain')])).toBe('');
  });
});

describe('what a pending claim waits for', () => {
  const classes = [sc('vsan'), sc('later', { volumeBindingMode: 'WaitForFirstConsumer' }), sc('ext', { provisioner: 'csi.vsphere.vmware.com' })];

  it('binds before it provisions, and provisions for the datastore provisioner', () => {
    expect(planClaim(claim('c', '1Gi'), 'manual', classes, [volume('pv', '1Gi')], false)).toMatchObject({ action: 'bind' });
    expect(planClaim(claim('c', '1Gi'), 'vsan', classes, [], false)).toMatchObject({ action: 'provision', storageClass: { provisioner: DATASTORE_PROVISIONER } });
  });

  it('waits for a consumer, for a missing class, for another provisioner, or without any class', () => {
    expect(planClaim(claim('c', '1Gi'), 'later', classes, [], false)).toMatchObject({ action: 'wait', reason: 'WaitForFirstConsumer' });
    expect(planClaim(claim('c', '1Gi'), 'later', classes, [], true)).toMatchObject({ action: 'provision' });
    expect(planClaim(claim('c', '1Gi'), 'nope', classes, [], false)).toMatchObject({ action: 'wait', type: 'Warning', reason: 'ProvisioningFailed', message: 'storageclass.storage.k8s.io "nope" not found' });
    expect(planClaim(claim('c', '1Gi'), 'ext', classes, [], false)).toMatchObject({ action: 'wait', reason: 'ExternalProvisioning' });
    expect(planClaim(claim('c', '1Gi'), '', classes, [], false)).toMatchObject({ action: 'wait', reason: 'FailedBinding' });
  });

  it('sees a pod that mounts the claim as its consumer, unless the pod is finished or going', () => {
    const pod = (phase: string, deleting = false) => ({
      metadata: { name: 'p', namespace: 'team-a', ...(deleting ? { deletionTimestamp: 'x' } : {}) },
      spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c' } }] },
      status: { phase },
    });
    expect(claimHasConsumer(claim('c', '1Gi'), [pod('Pending')])).toBe(true);
    expect(claimHasConsumer(claim('c', '1Gi'), [pod('Succeeded'), pod('Running', true)])).toBe(false);
    expect(claimHasConsumer(claim('d', '1Gi'), [pod('Running')])).toBe(false);
  });
});

describe('datastore capacity accounting', () => {
  it('counts every volume whose directory is in the datastore, whatever its phase', () => {
    const pvs = [
      volume('a', '1Gi', { hostPath: { path: `${DS}/a` } }, { phase: 'Bound' }),
      volume('b', '2Gi', { hostPath: { path: `${DS}/b` } }, { phase: 'Released' }),
      volume('c', '4Gi', { hostPath: { path: '/elsewhere/c' } }),
    ];
    expect(datastoreUsedBytes(pvs, DS)).toBe(3 * GI);
  });

  it('fits a request within the capacity, and anything when the datastore has no stated size', () => {
    expect(fitsDatastore(3 * GI, GI, 4 * GI)).toBe(true);
    expect(fitsDatastore(3 * GI, GI + 1, 4 * GI)).toBe(false);
    expect(fitsDatastore(3 * GI, 100 * GI, undefined)).toBe(true);
  });

  it('knows what lies inside the datastore (not the datastore itself, not a sibling, not ..)', () => {
    expect(inDatastore(`${DS}/pvc-1`, DS)).toBe(true);
    expect(inDatastore(DS, DS)).toBe(false);
    expect(inDatastore(`${DS}-other/pvc-1`, DS)).toBe(false);
    expect(inDatastore(`${DS}/../etc`, DS)).toBe(false);
  });

  it('grows a bound claim only for a datastore volume of a class that allows expansion', () => {
    const c = { ...claim('c', '2Gi', { storageClassName: 'vsan' }), status: { phase: 'Bound' } };
    const pv = volume('pv', '1Gi', { hostPath: { path: `${DS}/pv` } }, { phase: 'Bound' });
    expect(wantsExpansion(c, pv, [sc('vsan')], DS)).toBe(true);
    expect(wantsExpansion(c, pv, [sc('vsan', { allowVolumeExpansion: false })], DS)).toBe(false);
    expect(wantsExpansion(c, volume('pv', '2Gi', { hostPath: { path: `${DS}/pv` } }), [sc('vsan')], DS)).toBe(false);
  });
});

describe('reclaiming a volume whose claim went', () => {
  const bound = (extra: any = {}) => volume('pv', '1Gi', { claimRef: { namespace: 'team-a', name: 'c', uid: 'uid-c' }, ...extra }, { phase: 'Bound' });

  it('sees the claim gone when it is missing or is a new claim of the same name', () => {
    expect(claimIsGone(bound(), undefined)).toBe(true);
    expect(claimIsGone(bound(), { metadata: { uid: 'another' } })).toBe(true);
    expect(claimIsGone(bound(), { metadata: { uid: 'uid-c' } })).toBe(false);
    expect(claimIsGone(volume('pv', '1Gi', { claimRef: { namespace: 'team-a', name: 'c' } }), undefined)).toBe(false); // reserved, never bound
  });

  it('releases Retain volumes, deletes Delete volumes of the datastore, and cannot delete others', () => {
    expect(reclaimAction(bound({ persistentVolumeReclaimPolicy: 'Retain', hostPath: { path: `${DS}/pv` } }), DS)).toBe('release');
    expect(reclaimAction(bound({ persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: `${DS}/pv` } }), DS)).toBe('delete');
    expect(reclaimAction(bound({ persistentVolumeReclaimPolicy: 'Delete', hostPath: { path: '/srv/pv' } }), DS)).toBe('fail');
  });
});

describe("the datastore's snapshots", () => {
  it('take the room of the volumes they copied, counted from the contents of the datastore driver that hold a snapshot', () => {
    const content = (driver: string, status: any) => ({ spec: { driver }, status });
    expect(snapshotsUsedBytes([
      content('openpacific.io/datastore', { snapshotHandle: 'snapshot-a', restoreSize: 1073741824, readyToUse: true }),
      content('openpacific.io/datastore', { snapshotHandle: 'snapshot-b', restoreSize: 2048 }),
      // Not ready (no handle), another driver's, or without a size: nothing on this datastore.
      content('openpacific.io/datastore', { readyToUse: false, error: { message: 'x' } }),
      content('csi.example.com', { snapshotHandle: 'elsewhere', restoreSize: 4096 }),
      content('openpacific.io/datastore', { snapshotHandle: 'snapshot-c' }),
      // One snapshot named by two contents (a retained content and its re-import) is one copy.
      content('openpacific.io/datastore', { snapshotHandle: 'snapshot-a', restoreSize: 1073741824, readyToUse: true }),
    ])).toBe(1073741824 + 2048);
  });
});

describe('storage object in-use protection', () => {
  const pod = (name: string, extra: any = {}) => ({
    metadata: { name, namespace: 'team-a' },
    spec: { nodeName: 'esx-01', volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'c' } }], ...extra },
    status: { phase: 'Running' },
  });

  it('counts scheduled pods naming the claim in any phase, and VMs naming it; not unscheduled pods or other namespaces', () => {
    const c = claim('c', '1Gi');
    expect(claimUsers(c, [pod('web')], [])).toEqual(['pod/web']);
    // A finished pod keeps the claim until it is deleted, as kube's pvc-protection controller counts it.
    expect(claimUsers(c, [{ ...pod('job'), status: { phase: 'Succeeded' } }], [])).toEqual(['pod/job']);
    expect(claimUsers(c, [pod('pending', { nodeName: undefined })], [])).toEqual([]);
    expect(claimUsers(c, [{ ...pod('other'), metadata: { name: 'other', namespace: 'team-b' } }], [])).toEqual([]);
    expect(claimUsers(c, [pod('unrelated', { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'x' } }] })], [])).toEqual([]);
    const vm = { metadata: { name: 'db', namespace: 'team-a' }, spec: { volumes: [{ name: 'disk', persistentVolumeClaim: { claimName: 'c' } }] } };
    expect(claimUsers(c, [], [vm])).toEqual(['virtualmachine/db']);
    expect(claimUsers(c, [], [{ ...vm, spec: {} }])).toEqual([]);
  });

  it('keeps a volume while a claim is bound to it, and binds no claim to a volume being deleted', () => {
    expect(volumeInUse(volume('pv', '1Gi', {}, { phase: 'Bound' }))).toBe(true);
    expect(volumeInUse(volume('pv', '1Gi', {}, { phase: 'Released' }))).toBe(false);
    expect(volumeInUse(volume('pv', '1Gi'))).toBe(false);
    const going = volume('pv', '1Gi');
    going.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
    expect(volumeFitsClaim(volume('pv', '1Gi'), claim('c', '1Gi'), 'manual')).toBe(true);
    expect(volumeFitsClaim(going, claim('c', '1Gi'), 'manual')).toBe(false);
  });
});
