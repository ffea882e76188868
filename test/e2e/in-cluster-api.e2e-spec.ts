import { spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { connect } from 'node:tls';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * The API from inside a pod, as in Kubernetes: the `kubernetes` Service in `default` (its first cluster IP, port 443,
 * proxied to the gateway), `kube-root-ca.crt` in every namespace, a ServiceAccount token bound to the pod projected
 * at /var/run/secrets/kubernetes.io/serviceaccount with the CA and the namespace, KUBERNETES_SERVICE_HOST/PORT; the
 * token authenticates as the pod's ServiceAccount and stops with the pod. Through the real kubectl, on real pods.
 */
const pod = (name: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exec sleep 3600'] }], ...spec },
  });
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('the API from inside a pod', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => cluster.kubectl(args, opts);
  const ok = async (args: string[], input?: string) => {
    const r = await kubectl(args, input === undefined ? undefined : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const running = (name: string) =>
    eventually(async () => expect((await kubectl(['get', 'pod', name, '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running'), { timeoutMs: 30_000 });
  const sh = (name: string, command: string) => kubectl(['exec', name, '--', 'sh', '-c', command], { timeoutMs: 30_000 });

  /** An HTTPS GET whose TCP stream runs through `command` in the pod (kubectl exec -i), TLS verified against `ca` for kubernetes.default.svc. */
  const throughPod = (name: string, command: string[], ca: string, token: string, path: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['exec', '-i', name, '--', ...command], { env: { ...process.env, KUBECONFIG: cluster.kubeconfig, KUBECACHEDIR: `${cluster.dataDir}/kube-cache` } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const socket = connect({ socket: Duplex.from({ readable: child.stdout, writable: child.stdin }), servername: 'kubernetes.default.svc', ca });
      let body = '';
      socket.on('secureConnect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: kubernetes.default.svc\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`));
      socket.on('data', (d) => (body += d));
      socket.on('end', () => {
        child.kill();
        resolve(body);
      });
      socket.on('error', (err) => {
        child.kill();
        reject(new Error(`${err.message} (kubectl: ${stderr})`));
      });
    });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'in-cluster-api', hostCount: 1 });
    await cluster.hostsReady(1);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves the kubernetes Service on the first cluster IP, its slice naming the gateway, and the CA in every namespace', async () => {
    const svc = JSON.parse(await ok(['get', 'svc', 'kubernetes', '-n', 'default', '-o', 'json']));
    expect(svc.spec).toMatchObject({ type: 'ClusterIP', ports: [expect.objectContaining({ name: 'https', port: 443, protocol: 'TCP' })] });
    expect(svc.spec.clusterIP).toMatch(/\.0\.1$/);
    expect(svc.spec.selector).toBeUndefined();
    const slice = JSON.parse(await ok(['get', 'endpointslice', 'kubernetes', '-n', 'default', '-o', 'json']));
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('kubernetes');
    expect(slice.endpoints[0].addresses).toHaveLength(1);
    await ok(['create', 'namespace', 'team-x']);
    await eventually(async () => expect(JSON.parse(await ok(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team-x', '-o', 'json'])).data['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----/), { timeoutMs: 10_000 });
    await ok(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'team-x']);
    await eventually(async () => expect((await kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', 'team-x'])).code).toBe(0), { timeoutMs: 10_000 });
  }, 60_000);

  it("projects the pod's ServiceAccount token, the CA and the namespace, and gives it the API's address", async () => {
    await ok(['apply', '-f', '-'], pod('client'));
    const created = JSON.parse(await ok(['get', 'pod', 'client', '-o', 'json']));
    expect(created.spec.serviceAccountName).toBe('default');
    const volume = created.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(created.spec.containers[0].volumeMounts).toEqual([{ name: volume.name, mountPath: SA_DIR, readOnly: true }]);
    await running('client');
    expect((await sh('client', `ls ${SA_DIR}; cat ${SA_DIR}/namespace`)).stdout).toBe('ca.crt\nnamespace\ntoken\ndefault');
    const ca = JSON.parse(await ok(['get', 'configmap', 'kube-root-ca.crt', '-o', 'json'])).data['ca.crt'];
    expect((await sh('client', `cat ${SA_DIR}/ca.crt`)).stdout).toBe(ca);
    const clusterIP = (await kubectl(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    expect((await sh('client', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT')).stdout).toBe(`${clusterIP}:443\n`);
  }, 60_000);

  it('authenticates the token as the ServiceAccount, from inside the pod through the kubernetes Service too, until the pod is gone', async () => {
    const token = (await sh('client', `cat ${SA_DIR}/token`)).stdout;
    expect(token.split('.')).toHaveLength(3);
    const denied = await kubectl(['--token', token, 'get', 'pods']);
    expect(denied.stderr).toContain('User "system:serviceaccount:default:default" cannot list resource "pods"');
    await ok(['create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=default:default']);
    await eventually(async () => expect((await kubectl(['--token', token, 'get', 'pods', '-o', 'name'])).stdout).toContain('pod/client'), { timeoutMs: 10_000 });
    // From inside the pod: its resolver and cluster DNS, the Service's proxy to the gateway. The pod's busybox has no
    // TLS client that suits the gateway, so `nc` in the pod carries the bytes and TLS runs here, checked against the
    // pod's own ca.crt for the name kubernetes.default.svc, with the pod's token.
    const ca = (await sh('client', `cat ${SA_DIR}/ca.crt`)).stdout;
    const response = await throughPod('client', ['nc', 'kubernetes.default.svc', '443'], ca, token, '/api/v1/namespaces/default/pods');
    expect(response.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)).items.map((p: any) => p.metadata.name)).toContain('client');
    await ok(['delete', 'pod', 'client', '--wait=true']);
    await eventually(async () => expect((await kubectl(['--token', token, 'get', 'pods'])).stderr).toMatch(/Unauthorized|must be logged in/), { timeoutMs: 10_000 });
  }, 90_000);

  it("admits a Deployment's pods as it admits a client's: the ServiceAccount's token in every one", async () => {
    await ok(['create', 'deployment', 'workers', '--image=busybox', '--replicas=2', '--', 'sleep', '3600']);
    await eventually(async () => expect((await kubectl(['get', 'pods', '-l', 'app=workers', '-o', 'jsonpath={.items[*].status.phase}'])).stdout).toBe('Running Running'), { timeoutMs: 40_000 });
    const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=workers', '-o', 'json'])).items;
    for (const p of pods) {
      expect(p.spec.serviceAccountName).toBe('default');
      expect(p.spec.volumes.map((v: any) => v.name)).toEqual([expect.stringMatching(/^kube-api-access-/)]);
      const token = (await sh(p.metadata.name, `cat ${SA_DIR}/token`)).stdout;
      expect(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())['kubernetes.io'].pod.name).toBe(p.metadata.name);
    }
  }, 60_000);

  it('mounts no token where the pod or its ServiceAccount opts out', async () => {
    await ok(['apply', '-f', '-'], pod('quiet', { automountServiceAccountToken: false }));
    expect(JSON.parse(await ok(['get', 'pod', 'quiet', '-o', 'json'])).spec.volumes ?? []).toEqual([]);
    await ok(['create', 'serviceaccount', 'robot']);
    await ok(['patch', 'serviceaccount', 'robot', '-p', JSON.stringify({ automountServiceAccountToken: false })]);
    await ok(['apply', '-f', '-'], pod('robotic', { serviceAccountName: 'robot' }));
    expect(JSON.parse(await ok(['get', 'pod', 'robotic', '-o', 'json'])).spec.volumes ?? []).toEqual([]);
  }, 30_000);

  it('refuses a pod of a ServiceAccount that does not exist, as kube-apiserver does; a Deployment\'s pods come once it exists', async () => {
    const refused = await kubectl(['run', 'orphan', '--image=busybox', '--overrides', JSON.stringify({ spec: { serviceAccountName: 'ghost' } }), '--', 'sleep', '3600']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim()).toBe('Error from server (Forbidden): pods "orphan" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
    expect((await kubectl(['get', 'pod', 'orphan'])).stderr).toMatch(/NotFound/);

    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'haunted' }, spec: { replicas: 1, selector: { matchLabels: { app: 'haunted' } }, template: { metadata: { labels: { app: 'haunted' } }, spec: { serviceAccountName: 'spirit', containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] } } } };
    await ok(['apply', '-f', '-'], JSON.stringify(deployment));
    await eventually(async () => expect(await ok(['get', 'events', '--field-selector', 'reason=FailedCreate', '-o', 'jsonpath={.items[*].message}'])).toMatch(/Error creating: pods "haunted-[a-z0-9]+-[a-z0-9]+" is forbidden: error looking up service account default\/spirit: serviceaccount "spirit" not found/), { timeoutMs: 30_000 });
    await ok(['create', 'serviceaccount', 'spirit']);
    await eventually(async () => expect((await kubectl(['get', 'pods', '-l', 'app=haunted', '-o', 'jsonpath={.items[*].spec.serviceAccountName}'])).stdout).toBe('spirit'), { timeoutMs: 40_000 });
  }, 90_000);
});
