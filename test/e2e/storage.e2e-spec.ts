import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** Claims carved from the shared datastore, mounted by pods, surviving the pod's host; Secrets sealed in the log. */
describe('storage', () => {
  let cluster: TestCluster;
  const pod = (name: string, command: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', command], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'notes' } }],
    },
  });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'storage', env: { HOST_REBOOT_DELAY_MS: '0' } });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('has a default storage class, and binds a claim to a volume carved from the datastore', async () => {
    expect((await cluster.kubectl(['get', 'storageclass'])).stdout).toMatch(/^vsan-default-storage-policy \(default\)\s+openpacific\.io\/datastore\s+Delete\s+Immediate\s+true/m);
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'notes' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(claim) })).stdout.trim()).toBe('persistentvolumeclaim/notes created');
    await eventually(async () => expect((await cluster.kubectl(['get', 'pvc', 'notes', '--no-headers'])).stdout).toMatch(/^notes\s+Bound\s+pvc-[0-9a-f-]+\s+1Gi\s+RWO\s+vsan-default-storage-policy/));
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify({ ...claim, metadata: { name: 'negative' }, spec: { ...claim.spec, resources: { requests: { storage: '-1Gi' } } } }) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.resources[storage]: Invalid value: "-1Gi"');
  });

  it('keeps what a pod wrote to its claim when the pod\'s host dies and the pod runs elsewhere', async () => {
    await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: pod('writer', 'cat /data/note 2>/dev/null || echo first run; echo "written on $(hostname)" >> /data/note; sleep 3600') });
    let firstHost = '';
    await eventually(async () => {
      const p = (await cluster.request('GET', '/api/v1/namespaces/default/pods/writer')).json();
      expect(p.status.phase).toBe('Running');
      firstHost = p.spec.nodeName;
      expect((await cluster.kubectl(['logs', 'writer'])).stdout).toBe('first run\n');
    }, { timeoutMs: 30_000 });
    cluster.killHost(firstHost);
    await eventually(async () => {
      const p = (await cluster.request('GET', '/api/v1/namespaces/default/pods/writer')).json();
      expect(p.spec.nodeName).toBeDefined();
      expect(p.spec.nodeName).not.toBe(firstHost);
      expect(p.status.phase).toBe('Running');
      // The restarted pod read back the line its first run wrote.
      expect((await cluster.kubectl(['logs', 'writer'])).stdout).toBe('written on writer\n');
    }, { timeoutMs: 40_000 });
  });

  it('keeps a claim a pod uses, Terminating, until the pod is gone, and a bound volume until its claim is', async () => {
    const getJson = async (...args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-o', 'json'])).stdout);
    const notes = await getJson('pvc', 'notes');
    expect(notes.metadata.finalizers).toEqual(['kubernetes.io/pvc-protection']);
    const volume = await getJson('pv', notes.spec.volumeName);
    expect(volume.metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    // The volume cannot go while its claim is bound to it.
    expect((await cluster.kubectl(['delete', 'pv', volume.metadata.name, '--wait=false'])).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'pvc', 'notes', '--wait=false'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await cluster.kubectl(['get', 'pvc', 'notes', '--no-headers'])).stdout).toMatch(/^notes\s+Terminating\s+pvc-/);
    expect((await cluster.kubectl(['get', 'pv', volume.metadata.name, '--no-headers'])).stdout).toMatch(/\s+Delete\s+Terminating\s+default\/notes\s+/);
    expect((await getJson('pod', 'writer')).status.phase).toBe('Running');
    expect(readFileSync(join(volume.spec.hostPath.path, 'note'), 'utf8')).toContain('written on writer');
    // A new pod of the claim is not placed (kube-scheduler's VolumeBinding words), so it does not hold the claim.
    await cluster.request('POST', '/api/v1/namespaces/default/pods', { body: pod('late', 'cat /data/note') });
    await eventually(async () => {
      const late = await getJson('pod', 'late');
      expect(late.status.conditions).toContainEqual(expect.objectContaining({
        type: 'PodScheduled', status: 'False', reason: 'Unschedulable',
        message: '0/3 hosts are available: persistentvolumeclaim "notes" is being deleted. preemption: 0/3 hosts are available: 3 Preemption is not helpful for scheduling..',
      }));
    }, { timeoutMs: 30_000 });
    // The pods go: nothing uses the claim, which goes, and its volume with its data (the class's Delete policy).
    expect((await cluster.kubectl(['delete', 'pod', 'writer', 'late'])).code).toBe(0);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'pvc', 'notes'])).stderr).toContain('NotFound');
      expect((await cluster.kubectl(['get', 'pv', volume.metadata.name])).stderr).toContain('NotFound');
      expect(existsSync(volume.spec.hostPath.path)).toBe(false);
    }, { timeoutMs: 30_000 });
    // A volume no claim is bound to goes at once.
    const free = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'spare' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'none', hostPath: { path: '/tmp/spare' } } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(free) })).code).toBe(0);
    expect((await getJson('pv', 'spare')).metadata.finalizers).toEqual(['kubernetes.io/pv-protection']);
    expect((await cluster.kubectl(['delete', 'pv', 'spare'], { timeoutMs: 30_000 })).code).toBe(0);
    expect((await cluster.kubectl(['get', 'pv', 'spare'])).stderr).toContain('NotFound');
  }, 90_000);

  it('gives a pod a generic ephemeral volume: a claim of its own from the template, gone with the pod', async () => {
    const getJson = async (...args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-o', 'json'])).stdout);
    const template = { metadata: { labels: { type: 'scratch' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const scratchPod = (name: string, tpl: object = template) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo scratch > /work/file; sleep 3600'], volumeMounts: [{ name: 'work', mountPath: '/work' }] }],
        volumes: [{ name: 'work', ephemeral: { volumeClaimTemplate: tpl } }],
      },
    });
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(scratchPod('bad', { metadata: { name: 'mine' }, spec: { resources: { requests: { storage: '1Gi' } } } })) });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.volumes[0].ephemeral.volumeClaimTemplate.metadata.name: Forbidden: cannot be set for an ephemeral volume');
    expect(bad.stderr).toContain('spec.volumes[0].ephemeral.volumeClaimTemplate.spec.accessModes: Required value');

    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(scratchPod('eph')) })).code).toBe(0);
    const pod = await eventually(async () => {
      const p = await getJson('pod', 'eph');
      expect(p.status.phase).toBe('Running');
      return p;
    }, { timeoutMs: 30_000 });
    const claim = await getJson('pvc', 'eph-work');
    expect(claim.metadata.labels).toEqual({ type: 'scratch' });
    expect(claim.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Pod', name: 'eph', uid: pod.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(claim.status.phase).toBe('Bound');
    const dir = (await getJson('pv', claim.spec.volumeName)).spec.hostPath.path;
    await eventually(async () => expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('scratch\n'), { timeoutMs: 10_000 });

    // A claim of that name the pod does not own: the pod may not use it.
    const squatted = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'other-work' }, spec: template.spec };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(squatted) })).code).toBe(0);
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(scratchPod('other')) })).code).toBe(0);
    await eventually(async () => {
      const other = await getJson('pod', 'other');
      expect(other.status.conditions).toContainEqual(expect.objectContaining({
        type: 'PodScheduled', status: 'False',
        message: '0/3 hosts are available: PVC default/other-work was not created for pod default/other (pod is not owner). preemption: 0/3 hosts are available: 3 Preemption is not helpful for scheduling..',
      }));
    }, { timeoutMs: 30_000 });

    // The pod goes: its claim goes with it (the garbage collector, then in-use protection once the pod is gone), and the volume by its class.
    expect((await cluster.kubectl(['delete', 'pod', 'eph', 'other'])).code).toBe(0);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'pvc', 'eph-work'])).stderr).toContain('NotFound');
      expect(existsSync(dir)).toBe(false);
    }, { timeoutMs: 30_000 });
    expect((await getJson('pvc', 'other-work')).metadata.name).toBe('other-work');
  }, 90_000);

  it('stores Secrets encrypted in the event log and serves them decrypted', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'correct horse battery staple' } };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(secret) })).code).toBe(0);
    const served = JSON.parse((await cluster.kubectl(['get', 'secret', 'db', '-o', 'json'])).stdout);
    expect(Buffer.from(served.data.password, 'base64').toString()).toBe('correct horse battery staple');
    expect(served.type).toBe('Opaque');
    const pool = new Pool({ connectionString: cluster.databaseUrl, max: 1 });
    try {
      const { rows } = await pool.query("SELECT data::text AS data FROM events WHERE stream_id = 'secrets/default/db'");
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.data).toContain('openpacific:enc:aes-256-gcm:v1:');
        expect(r.data).not.toContain(Buffer.from('correct horse battery staple').toString('base64'));
        expect(r.data).not.toContain('correct horse');
      }
    } finally {
      await pool.end();
    }
  });
});
