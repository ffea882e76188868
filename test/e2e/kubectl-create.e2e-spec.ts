import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, TestCluster } from '@openpacific/testing';

/**
 * kubectl's typed create commands, which post protobuf bodies (not JSON): configmap, secret, serviceaccount,
 * quota, role, rolebinding, clusterrole, clusterrolebinding, service. Each object is read back as JSON.
 */
describe('kubectl create <kind>: protobuf bodies from the real kubectl', () => {
  let cluster: TestCluster;
  const created = async (...args: string[]) => {
    const r = await cluster.kubectl(['create', ...args]);
    if (r.code !== 0) throw new Error(`kubectl create ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const getJson = async (...args: string[]) => {
    const r = await cluster.kubectl(['get', ...args, '-o', 'json']);
    if (r.code !== 0) throw new Error(`kubectl get ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const base64 = (s: string) => Buffer.from(s).toString('base64');

  beforeAll(async () => {
    cluster = await startCluster({ label: 'kubectl-create' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('creates ConfigMaps and Secrets from literals and files', async () => {
    expect(await created('configmap', 'app-config', '--from-literal=mode=fast', '--from-literal=level=3')).toBe('configmap/app-config created');
    expect((await getJson('configmap', 'app-config')).data).toEqual({ mode: 'fast', level: '3' });
    const dir = mkdtempSync(join(tmpdir(), 'kubectl-create-'));
    writeFileSync(join(dir, 'app.conf'), 'listen 8080\n');
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 255, 1]));
    expect(await created('configmap', 'files', `--from-file=${join(dir, 'app.conf')}`, `--from-file=${join(dir, 'blob.bin')}`)).toBe('configmap/files created');
    const files = await getJson('configmap', 'files');
    expect(files.data).toEqual({ 'app.conf': 'listen 8080\n' });
    // Bytes that are not UTF-8 travel as binaryData, base64 in JSON.
    expect(files.binaryData).toEqual({ 'blob.bin': Buffer.from([0, 255, 1]).toString('base64') });

    expect(await created('secret', 'generic', 'db', '--from-literal=password=s3cret')).toBe('secret/db created');
    const secret = await getJson('secret', 'db');
    expect(secret).toMatchObject({ type: 'Opaque', data: { password: base64('s3cret') } });

    expect(await created('secret', 'docker-registry', 'registry', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p')).toBe('secret/registry created');
    const registry = await getJson('secret', 'registry');
    expect(registry.type).toBe('kubernetes.io/dockerconfigjson');
    expect(JSON.parse(Buffer.from(registry.data['.dockerconfigjson'], 'base64').toString()).auths['registry.example']).toMatchObject({ username: 'u', password: 'p' });
  });

  it('creates a ServiceAccount, Roles and bindings that authorize what they say', async () => {
    expect(await created('serviceaccount', 'builder')).toBe('serviceaccount/builder created');
    expect((await getJson('serviceaccount', 'builder')).metadata.name).toBe('builder');

    expect(await created('role', 'pod-reader', '--verb=get,list', '--resource=pods')).toBe('role.rbac.authorization.k8s.io/pod-reader created');
    expect((await getJson('role', 'pod-reader')).rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    expect(await created('rolebinding', 'read-pods', '--role=pod-reader', '--user=dana')).toBe('rolebinding.rbac.authorization.k8s.io/read-pods created');
    expect((await getJson('rolebinding', 'read-pods'))).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana' }],
    });

    expect(await created('clusterrole', 'ns-reader', '--verb=get,list', '--resource=namespaces')).toBe('clusterrole.rbac.authorization.k8s.io/ns-reader created');
    expect(await created('clusterrolebinding', 'ns-read', '--clusterrole=ns-reader', '--user=erin')).toBe('clusterrolebinding.rbac.authorization.k8s.io/ns-read created');

    const can = async (...args: string[]) => (await cluster.kubectl(['auth', 'can-i', ...args])).stdout.trim();
    expect(await can('list', 'pods', '--as=dana')).toBe('yes');
    expect(await can('delete', 'pods', '--as=dana')).toBe('no');
    expect(await can('list', 'namespaces', '--as=erin')).toBe('yes');
    expect(await can('list', 'pods', '--as=erin')).toBe('no');
  });

  it('creates a ResourceQuota that the namespace is then held to', async () => {
    await cluster.kubectl(['create', 'namespace', 'quota-team']);
    expect(await created('quota', 'small', '-n', 'quota-team', '--hard=pods=1,cpu=2,memory=1Gi')).toBe('resourcequota/small created');
    expect((await getJson('quota', 'small', '-n', 'quota-team')).spec.hard).toEqual({ pods: '1', cpu: '2', memory: '1Gi' });
    const pod = (name: string) => ['run', name, '-n', 'quota-team', '--image=busybox', '--restart=Never', '--overrides', JSON.stringify({ spec: { containers: [{ name, image: 'busybox', resources: { limits: { cpu: '100m', memory: '16Mi' } } }] } })];
    expect((await cluster.kubectl(pod('first'))).code).toBe(0);
    const second = await cluster.kubectl(pod('second'));
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/exceeded quota: small/);
  });

  it('creates Services of each type, with the ports kubectl names', async () => {
    expect(await created('service', 'clusterip', 'web', '--tcp=80:8080')).toBe('service/web created');
    const web = await getJson('service', 'web');
    expect(web.spec).toMatchObject({ type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }] });
    expect(web.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await created('service', 'clusterip', 'headless', '--clusterip=None', '--tcp=80')).toBe('service/headless created');
    expect((await getJson('service', 'headless')).spec.clusterIP).toBe('None');
    expect(await created('service', 'nodeport', 'np', '--tcp=81:80')).toBe('service/np created');
    expect((await getJson('service', 'np')).spec.ports[0].nodePort).toBeGreaterThan(0);
  });
});
