import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * CSI volume snapshots with the real kubectl: the snapshot CRDs and default class every cluster starts with, a
 * VolumeSnapshot of a claim, claims restored from it and cloned from a claim (their data as it was), the CRDs' rules,
 * and deletion by the class's policy.
 */
describe('volume snapshots', () => {
  let cluster: TestCluster;
  const apply = (obj: object) => cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(obj) });
  const getJson = (...args: string[]) => cluster.kubectl(['get', ...args, '-o', 'json']).then((r) => JSON.parse(r.stdout));
  const claim = (name: string, storage: string, spec: object = {}) => ({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, ...spec },
  });
  const snapshot = (name: string, source: object, spec: object = {}) => ({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name }, spec: { source, ...spec } });
  const fromSnapshot = { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'nightly' } };
  /** The directory of a bound claim's volume on the datastore. */
  const volumeDir = async (name: string) => {
    let dir = '';
    await eventually(async () => {
      const pvc = await getJson('pvc', name);
      expect(pvc.status.phase).toBe('Bound');
      dir = (await getJson('pv', pvc.spec.volumeName)).spec.hostPath.path;
    }, { timeoutMs: 30_000 });
    return dir;
  };
  const events = async (name: string) => (await getJson('events', '--field-selector', `involvedObject.name=${name}`)).items.map((e: any) => `${e.type} ${e.reason} ${e.message}`);

  beforeAll(async () => {
    // A 7 GiB datastore: room for this file's claims and snapshots, and not for the last test's.
    cluster = await startCluster({ label: 'snapshots', hostCount: 1, env: { DATASTORE_CAPACITY_BYTES: String(7 * 2 ** 30) } });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('has the snapshot CRDs, a default VolumeSnapshotClass of the datastore, and lets namespace editors snapshot', async () => {
    await eventually(async () => {
      const crds = (await cluster.kubectl(['get', 'crd', '-o', 'name'])).stdout.split('\n');
      expect(crds).toEqual(expect.arrayContaining([
        'customresourcedefinition.apiextensions.k8s.io/volumesnapshotclasses.snapshot.storage.k8s.io',
        'customresourcedefinition.apiextensions.k8s.io/volumesnapshotcontents.snapshot.storage.k8s.io',
        'customresourcedefinition.apiextensions.k8s.io/volumesnapshots.snapshot.storage.k8s.io',
      ]));
      expect((await cluster.kubectl(['get', 'vsclass', '--no-headers'])).stdout).toMatch(/^volumesnapshotclass-delete\s+openpacific\.io\/datastore\s+Delete\s+\S+\n$/);
    }, { timeoutMs: 30_000 });
    const edit = await getJson('clusterrole', 'edit');
    expect(edit.rules).toContainEqual(expect.objectContaining({ apiGroups: ['snapshot.storage.k8s.io'], resources: ['volumesnapshots'], verbs: expect.arrayContaining(['create', 'delete']) }));
  }, 60_000);

  it('takes a snapshot of a claim, restores it into a new claim, and clones a claim, each with the data it had', async () => {
    expect((await apply(claim('data', '1Gi'))).code).toBe(0);
    const dataDir = await volumeDir('data');
    writeFileSync(join(dataDir, 'file'), 'before the snapshot\n');

    const taken = await apply(snapshot('nightly', { persistentVolumeClaimName: 'data' }));
    expect(taken.stdout.trim()).toBe('volumesnapshot.snapshot.storage.k8s.io/nightly created');
    await eventually(async () => expect((await getJson('vs', 'nightly')).status?.readyToUse).toBe(true), { timeoutMs: 30_000 });
    const vs = await getJson('vs', 'nightly');
    // No class named: the driver's default is given; the content is named after the snapshot's uid, bound both ways.
    expect(vs.spec.volumeSnapshotClassName).toBe('volumesnapshotclass-delete');
    expect(vs.status).toMatchObject({ boundVolumeSnapshotContentName: `snapcontent-${vs.metadata.uid}`, restoreSize: '1Gi', readyToUse: true });
    expect(vs.metadata.finalizers).toEqual(expect.arrayContaining(['snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection', 'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection']));
    // The claim was held while its snapshot was taken, and is let go once it is ready; its in-use protection stays.
    await eventually(async () => expect((await getJson('pvc', 'data')).metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']), { timeoutMs: 30_000 });
    const row = (await cluster.kubectl(['get', 'vs', 'nightly', '--no-headers'])).stdout;
    expect(row).toMatch(new RegExp(`^nightly\\s+true\\s+data\\s+1Gi\\s+volumesnapshotclass-delete\\s+snapcontent-${vs.metadata.uid}\\s+\\S+\\s+\\S+\\n$`));
    const content = await getJson('vsc', `snapcontent-${vs.metadata.uid}`);
    expect(content.spec).toMatchObject({ driver: 'openpacific.io/datastore', deletionPolicy: 'Delete', volumeSnapshotRef: { name: 'nightly', namespace: 'default', uid: vs.metadata.uid } });
    expect(content.status).toMatchObject({ readyToUse: true, restoreSize: 1073741824, snapshotHandle: `snapshot-${vs.metadata.uid}` });
    expect(await events('nightly')).toEqual(expect.arrayContaining(['Normal SnapshotReady Snapshot default/nightly is ready to use.']));

    // The claim moves on; the snapshot keeps what it had.
    writeFileSync(join(dataDir, 'file'), 'after the snapshot\n');
    expect((await apply(claim('restored', '1Gi', fromSnapshot))).code).toBe(0);
    expect((await apply(claim('cloned', '2Gi', { dataSource: { kind: 'PersistentVolumeClaim', name: 'data' } }))).code).toBe(0);
    expect(readFileSync(join(await volumeDir('restored'), 'file'), 'utf8')).toBe('before the snapshot\n');
    expect(readFileSync(join(await volumeDir('cloned'), 'file'), 'utf8')).toBe('after the snapshot\n');
    // kube-apiserver names the source both ways.
    expect((await getJson('pvc', 'restored')).spec.dataSourceRef).toEqual(fromSnapshot.dataSource);

    // A pod of the restored claim reads it.
    const reader = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'reader' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['cat', '/data/file'], volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'restored' } }] },
    };
    expect((await apply(reader)).code).toBe(0);
    await eventually(async () => expect((await getJson('pod', 'reader')).status.phase).toBe('Succeeded'), { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['logs', 'reader'])).stdout).toBe('before the snapshot\n');
  }, 180_000);

  it('keeps a claim smaller than its snapshot, or of a snapshot that does not exist, Pending with the reason', async () => {
    expect((await apply(claim('too-small', '500Mi', fromSnapshot))).code).toBe(0);
    expect((await apply(claim('no-source', '1Gi', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'missing' } }))).code).toBe(0);
    await eventually(async () => {
      expect(await events('too-small')).toContainEqual(
        'Warning ProvisioningFailed failed to provision volume with StorageClass "vsan-default-storage-policy": error getting handle for DataSource Type VolumeSnapshot by Name nightly: requested volume size 524288000 is less than the size 1073741824 for the source snapshot nightly',
      );
      expect(await events('no-source')).toContainEqual(expect.stringContaining('error getting snapshot missing from api server: volumesnapshots.snapshot.storage.k8s.io "missing" not found'));
    }, { timeoutMs: 30_000 });
    expect((await getJson('pvc', 'too-small')).status.phase).toBe('Pending');
  }, 60_000);

  it("refuses what the CRDs' rules and kube-apiserver refuse, with a 422 naming the field, and writes nothing", async () => {
    const both = await apply(snapshot('both', { persistentVolumeClaimName: 'data', volumeSnapshotContentName: 'x' }));
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('spec.source: Invalid value: "object": exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set');
    const empty = await apply(snapshot('empty-class', { persistentVolumeClaimName: 'data' }, { volumeSnapshotClassName: '' }));
    expect(empty.stderr).toContain('spec.volumeSnapshotClassName: Invalid value: "string": volumeSnapshotClassName must not be the empty string when set');
    const moved = await cluster.kubectl(['patch', 'vs', 'nightly', '--type=merge', '-p', '{"spec":{"source":{"persistentVolumeClaimName":"cloned"}}}']);
    expect(moved.stderr).toContain('spec.source.persistentVolumeClaimName: Invalid value: "string": persistentVolumeClaimName is immutable');
    const secretSource = await apply(claim('from-secret', '1Gi', { dataSource: { kind: 'Secret', name: 'db' } }));
    expect(secretSource.stderr).toContain("spec.dataSource: Invalid value: \"Secret\": must be 'PersistentVolumeClaim' when referencing the default apiGroup");
    for (const [kind, name] of [['vs', 'both'], ['vs', 'empty-class'], ['pvc', 'from-secret']]) {
      expect((await cluster.kubectl(['get', kind, name])).stderr).toContain('NotFound');
    }
    expect((await getJson('vs', 'nightly')).spec.source).toEqual({ persistentVolumeClaimName: 'data' });
  }, 60_000);

  it('deletes the content and its data with the snapshot under the Delete policy, and keeps them under Retain', async () => {
    const vs = await getJson('vs', 'nightly');
    const content = `snapcontent-${vs.metadata.uid}`;
    const data = join(cluster.dataDir, 'datastore', 'snapshots', `snapshot-${vs.metadata.uid}`);
    expect(existsSync(data)).toBe(true);
    // A Pending claim restores from it (too-small, above): the snapshot is kept, content and data too, until it goes.
    expect((await cluster.kubectl(['delete', 'vs', 'nightly', '--wait=false'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    const held = await getJson('vs', 'nightly');
    expect(held.metadata.deletionTimestamp).toBeDefined();
    expect(held.metadata.finalizers).toContain('snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection');
    expect((await getJson('vsc', content)).metadata.name).toBe(content);
    expect(existsSync(data)).toBe(true);
    expect((await cluster.kubectl(['delete', 'pvc', 'too-small'])).code).toBe(0);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'vs', 'nightly'])).stderr).toContain('NotFound');
      expect((await cluster.kubectl(['get', 'vsc', content])).stderr).toContain('NotFound');
      expect(existsSync(data)).toBe(false);
    }, { timeoutMs: 30_000 });

    const retain = { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotClass', metadata: { name: 'keep' }, driver: 'openpacific.io/datastore', deletionPolicy: 'Retain' };
    expect((await apply(retain)).code).toBe(0);
    expect((await apply(snapshot('kept', { persistentVolumeClaimName: 'data' }, { volumeSnapshotClassName: 'keep' }))).code).toBe(0);
    await eventually(async () => expect((await getJson('vs', 'kept')).status?.readyToUse).toBe(true), { timeoutMs: 30_000 });
    const kept = await getJson('vs', 'kept');
    expect((await cluster.kubectl(['delete', 'vs', 'kept'])).code).toBe(0);
    const left = await getJson('vsc', `snapcontent-${kept.metadata.uid}`);
    expect(left.spec.deletionPolicy).toBe('Retain');
    expect(left.metadata.finalizers).toBeUndefined();
    expect(existsSync(join(cluster.dataDir, 'datastore', 'snapshots', `snapshot-${kept.metadata.uid}`, 'data', 'file'))).toBe(true);

    // The retained snapshot brought back by hand (as a backup tool does): a content naming its handle and the
    // VolumeSnapshot to be, then that VolumeSnapshot; it binds, and a claim restores from it.
    const imported = {
      apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name: 'imported-content' },
      spec: { deletionPolicy: 'Retain', driver: 'openpacific.io/datastore', source: { snapshotHandle: `snapshot-${kept.metadata.uid}` }, volumeSnapshotRef: { name: 'imported', namespace: 'default' } },
    };
    expect((await apply(imported)).code).toBe(0);
    expect((await apply(snapshot('imported', { volumeSnapshotContentName: 'imported-content' }))).code).toBe(0);
    await eventually(async () => expect((await getJson('vs', 'imported')).status).toMatchObject({ readyToUse: true, boundVolumeSnapshotContentName: 'imported-content', restoreSize: '1Gi' }), { timeoutMs: 30_000 });
    expect((await getJson('vsc', 'imported-content')).spec.volumeSnapshotRef.uid).toBe((await getJson('vs', 'imported')).metadata.uid);
    expect((await apply(claim('from-import', '1Gi', { dataSource: { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'imported' } }))).code).toBe(0);
    expect(readFileSync(join(await volumeDir('from-import'), 'file'), 'utf8')).toBe('after the snapshot\n');
  }, 90_000);

  it('counts snapshots against the datastore: a claim or a snapshot that would overfill it waits, saying so', async () => {
    // Volumes hold 5 GiB (data 1, restored 1, cloned 2, from-import 1), the kept snapshot 1 GiB: 1 GiB is left.
    expect((await apply(claim('big', '2Gi'))).code).toBe(0);
    expect((await apply(snapshot('of-cloned', { persistentVolumeClaimName: 'cloned' }))).code).toBe(0);
    await eventually(async () => {
      expect(await events('big')).toContainEqual('Warning ProvisioningFailed insufficient capacity in the datastore');
      expect((await getJson('vs', 'of-cloned')).status?.error?.message).toMatch(/^Failed to create snapshot content with error failed to take snapshot of the volume pvc-[0-9a-f-]+: insufficient capacity in the datastore$/);
    }, { timeoutMs: 30_000 });
    expect((await getJson('pvc', 'big')).status.phase).toBe('Pending');
    expect((await getJson('vs', 'of-cloned')).status.readyToUse).toBe(false);
    // A claim deleted (its volume goes with it, by the class's Delete policy) leaves room: the waiting claim is made.
    expect((await cluster.kubectl(['delete', 'pvc', 'from-import'])).code).toBe(0);
    await volumeDir('big');
  }, 90_000);
});
