import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PodTokenReply, PodTokenRequest, podTokenSubject } from '@openpacific/contracts';
import { connectNats, requestJson } from '@openpacific/messaging';
import { eventually, testNatsUrl } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { parse } from 'yaml';
import { gatewayCaller } from './gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from './gateway-with-policy.spec-support';

/**
 * The API from inside, as the gateway keeps it: the `kubernetes` Service and its EndpointSlice in `default`,
 * `kube-root-ca.crt` in every namespace (each made again when deleted and put right when changed), the ServiceAccount
 * admission of pods, and pod tokens for hosts over NATS, with real Postgres, NATS and policy service.
 */
describe('the API from inside pods (api-gateway)', () => {
  let stack: GatewayWithPolicy;
  let nc: NatsConnection;
  const SERVICE_CIDR = '10.121.0.0/16';
  const SA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

  const call = gatewayCaller(() => stack.dataDir);
  const ok = async (method: string, path: string, body?: unknown, opts?: { token?: string; contentType?: string }) => {
    const r = await call(method, path, body, opts);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const gatewayPort = () => Number(new URL(parse(readFileSync(join(stack.dataDir, 'kubeconfig'), 'utf8')).clusters[0].cluster.server).port);
  const caPem = () => readFileSync(join(stack.dataDir, 'pki', 'ca.crt'), 'utf8');
  const podManifest = (name: string, spec: Record<string, unknown> = {}) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
  });
  const askToken = (req: Partial<PodTokenRequest>) =>
    requestJson<Partial<PodTokenRequest>, PodTokenReply & { error?: { code: string; message: string } }>(nc, podTokenSubject(stack.prefix), req, 5000);

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('incluster', { gatewayEnv: { SERVICE_CIDR, GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
    nc = await connectNats({ url: testNatsUrl, name: 'in-cluster-api-test' });
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await stack?.stop();
  }, 30_000);

  it('keeps the kubernetes Service at the first cluster IP and its EndpointSlice naming the gateway, made again when deleted', async () => {
    const svc = await eventually(() => ok('GET', '/api/v1/namespaces/default/services/kubernetes'));
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec).toEqual({
      type: 'ClusterIP', clusterIP: '10.121.0.1', clusterIPs: ['10.121.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: gatewayPort() }],
      sessionAffinity: 'None', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster',
    });
    const slice = await eventually(() => ok('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes'));
    expect(slice.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
    expect(slice).toMatchObject({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'https', port: gatewayPort(), protocol: 'TCP' }],
    });

    // Deleted: made again (a new object).
    await ok('DELETE', '/api/v1/namespaces/default/services/kubernetes');
    const again = await eventually(() => ok('GET', '/api/v1/namespaces/default/services/kubernetes'));
    expect(again.metadata.uid).not.toBe(svc.metadata.uid);
    expect(again.spec.clusterIP).toBe('10.121.0.1');
    await ok('DELETE', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
    await eventually(async () => expect((await ok('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes')).metadata.uid).not.toBe(slice.metadata.uid));

    // Changed: put right, what a client added besides kept.
    await ok('PATCH', '/api/v1/namespaces/default/services/kubernetes', { metadata: { labels: { provider: 'me', extra: 'x' } }, spec: { ports: [{ name: 'https', port: 8443, protocol: 'TCP', targetPort: 1 }], selector: { app: 'x' } } });
    await eventually(async () => {
      const fixed = await ok('GET', '/api/v1/namespaces/default/services/kubernetes');
      expect(fixed.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes', extra: 'x' });
      expect(fixed.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: gatewayPort() }]);
      expect(fixed.spec.selector).toBeUndefined();
    });
    await ok('PATCH', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes', {
      metadata: { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }, endpoints: [{ addresses: ['10.1.2.3'] }],
    });
    await eventually(async () => {
      const fixed = await ok('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
      expect(fixed.metadata.labels).toEqual({ 'kubernetes.io/service-name': 'kubernetes' });
      expect(fixed.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false } }]);
    });
  });

  it('refuses the kubernetes Service\'s address to any other Service, in kube-apiserver\'s words', async () => {
    const asked = await call('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'squatter' }, spec: { clusterIP: '10.121.0.1', ports: [{ port: 80 }] } });
    expect(asked.status).toBe(422);
    expect(asked.json.details.causes).toEqual([{ field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"10.121.0.1"}: failed to allocate IP 10.121.0.1: provided IP is already allocated' }]);
  });

  it('publishes kube-root-ca.crt with the CA in every namespace, new ones too, made again when deleted and its data put back', async () => {
    const expected = { 'ca.crt': caPem() };
    expect(expected['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----/);
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const cm = await eventually(() => ok('GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`));
      expect(cm.data).toEqual(expected);
      expect(cm.metadata.annotations).toEqual({
        'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
      });
    }
    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-x' } });
    const made = await eventually(() => ok('GET', '/api/v1/namespaces/team-x/configmaps/kube-root-ca.crt'));
    expect(made.data).toEqual(expected);
    await ok('DELETE', '/api/v1/namespaces/team-x/configmaps/kube-root-ca.crt');
    await eventually(async () => expect((await ok('GET', '/api/v1/namespaces/team-x/configmaps/kube-root-ca.crt')).metadata.uid).not.toBe(made.metadata.uid));
    await ok('PATCH', '/api/v1/namespaces/team-x/configmaps/kube-root-ca.crt', { data: { 'ca.crt': 'forged', more: 'x' }, metadata: { labels: { mine: 'y' } } });
    await eventually(async () => {
      const fixed = await ok('GET', '/api/v1/namespaces/team-x/configmaps/kube-root-ca.crt');
      expect(fixed.data).toEqual(expected);
      expect(fixed.metadata.labels).toEqual({ mine: 'y' });
    });
    // A terminating namespace is left to go.
    await ok('DELETE', '/api/v1/namespaces/team-x');
    await eventually(async () => expect((await call('GET', '/api/v1/namespaces/team-x')).status).toBe(404), { timeoutMs: 20_000 });
  }, 40_000);

  it('gives a new pod its ServiceAccount and the API credentials, kept through updates', async () => {
    const pod = await ok('POST', '/api/v1/namespaces/default/pods', podManifest('admitted', { initContainers: [{ name: 'init', image: 'busybox:1.36' }] }));
    expect(pod.spec).toMatchObject({ serviceAccountName: 'default', serviceAccount: 'default' });
    const [volume] = pod.spec.volumes;
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected.sources.map((s: any) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    const mount = { name: volume.name, mountPath: SA_PATH, readOnly: true };
    expect(pod.spec.containers[0].volumeMounts).toEqual([mount]);
    expect(pod.spec.initContainers[0].volumeMounts).toEqual([mount]);

    // An update of the whole object, a patch and a server-side apply of the manifest keep the volume.
    const put = { ...pod, spec: { ...pod.spec, containers: [{ ...pod.spec.containers[0], image: 'busybox:1.37' }] } };
    expect((await ok('PUT', '/api/v1/namespaces/default/pods/admitted', put)).spec.volumes).toEqual([volume]);
    const patched = await ok('PATCH', '/api/v1/namespaces/default/pods/admitted', { spec: { containers: [{ name: 'c', image: 'busybox:1.38' }] } }, { contentType: 'application/strategic-merge-patch+json' });
    expect(patched.spec.containers[0]).toMatchObject({ image: 'busybox:1.38', volumeMounts: [mount] });
    const applied = await ok('PATCH', '/api/v1/namespaces/default/pods/applied?fieldManager=test', podManifest('applied'), { contentType: 'application/apply-patch+yaml' });
    const reapplied = await ok('PATCH', '/api/v1/namespaces/default/pods/applied?fieldManager=test', podManifest('applied', { containers: [{ name: 'c', image: 'busybox:1.37' }] }), { contentType: 'application/apply-patch+yaml' });
    expect(reapplied.spec.volumes).toEqual(applied.spec.volumes);
    expect(reapplied.spec.containers[0]).toMatchObject({ image: 'busybox:1.37', volumeMounts: applied.spec.containers[0].volumeMounts });

    // The pod's opt-out, and its ServiceAccount's.
    expect((await ok('POST', '/api/v1/namespaces/default/pods', podManifest('quiet', { automountServiceAccountToken: false }))).spec.volumes).toBeUndefined();
    await ok('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' }, automountServiceAccountToken: false });
    const robotic = await ok('POST', '/api/v1/namespaces/default/pods', podManifest('robotic', { serviceAccountName: 'robot' }));
    expect(robotic.spec).toMatchObject({ serviceAccountName: 'robot', serviceAccount: 'robot' });
    expect(robotic.spec.volumes).toBeUndefined();
    // A ServiceAccount that does not exist is refused, as kube-apiserver refuses it, and nothing is written.
    const early = await call('POST', '/api/v1/namespaces/default/pods', podManifest('early', { serviceAccountName: 'later' }));
    expect(early.status).toBe(403);
    expect(early.json.message).toBe('pods "early" is forbidden: error looking up service account default/later: serviceaccount "later" not found');
    expect((await call('GET', '/api/v1/namespaces/default/pods/early')).status).toBe(404);
  });

  it('issues hosts a token bound to a pod of theirs that authenticates as its ServiceAccount until the pod goes, and refuses others', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    const pod = await ok('POST', '/api/v1/namespaces/default/pods', podManifest('tokened', { nodeName: 'host-1' }));
    const reply = await askToken({ namespace: 'default', pod: 'tokened', uid: pod.metadata.uid, host: 'host-1', expirationSeconds: 3607 });
    expect(reply.error).toBeUndefined();
    expect(reply.token.split('.')).toHaveLength(3);
    expect(Date.parse(reply.expirationTimestamp) - Date.now()).toBeGreaterThan(3500_000);
    const claims = JSON.parse(Buffer.from(reply.token.split('.')[1], 'base64url').toString());
    expect(claims['kubernetes.io']).toMatchObject({ namespace: 'default', serviceaccount: { name: 'default' }, pod: { name: 'tokened', uid: pod.metadata.uid } });

    // Authenticated (403, not 401) as the pod's ServiceAccount.
    const denied = await call('GET', '/api/v1/namespaces/default/pods', undefined, { token: reply.token });
    expect(denied.status).toBe(403);
    expect(denied.json.message).toContain('User "system:serviceaccount:default:default"');

    const refused = async (req: Partial<PodTokenRequest>) => (await askToken({ namespace: 'default', pod: 'tokened', uid: pod.metadata.uid, host: 'host-1', expirationSeconds: 3607, ...req })).error?.code;
    expect(await refused({ uid: '00000000-0000-0000-0000-000000000000' })).toBe('TOKENS.POD_NOT_FOUND');
    expect(await refused({ host: 'host-2' })).toBe('TOKENS.WRONG_HOST');
    expect(await refused({ pod: 'nobody' })).toBe('TOKENS.POD_NOT_FOUND');
    expect(await refused({ expirationSeconds: 10 })).toBe('TOKENS.INVALID');

    // The pod goes: its token stops working, and it gets no other.
    await ok('DELETE', '/api/v1/namespaces/default/pods/tokened?gracePeriodSeconds=0');
    await eventually(async () => expect((await call('GET', '/api/v1/namespaces/default/pods', undefined, { token: reply.token })).status).toBe(401));
    expect(await refused({})).toBe('TOKENS.POD_NOT_FOUND');
  });
});
