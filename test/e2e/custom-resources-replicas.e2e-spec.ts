import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const CRD = readFileSync(join(__dirname, 'manifests', 'widgets-crd.yaml'), 'utf8');
const WIDGET = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { color: 'red' } };
const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

/**
 * Every gateway replica learns CustomResourceDefinitions from the log: a CRD made through one serves its kind
 * through the other, and a gateway killed and restarted serves the kind from its first answer (it rebuilds its
 * registry with its read model before it listens).
 */
describe('custom resources on several gateway replicas', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'crd-replicas', replicas: 2, hostCount: 1 });
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('serves a CRD made through one replica on the other', async () => {
    const [first, second] = cluster.gateways;
    const applied = await cluster.kubectl(['apply', '-f', '-', '--server', first.server], { input: CRD });
    expect(applied.stderr).toBe('');
    await cluster.kubectl(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/widgets.example.com', '--server', first.server]);
    const created = await eventually(async () => {
      const r = await cluster.request('POST', WIDGETS, { body: WIDGET, server: second.server });
      expect(r.status).toBe(201);
      return r.json();
    }, { timeoutMs: 15_000 });
    expect(created.spec).toEqual({ color: 'red', replicas: 1 });
    const discovery = (await cluster.request('GET', '/apis/example.com/v1', { server: second.server })).json();
    expect(discovery.resources.map((r: any) => r.name)).toEqual(['widgets', 'widgets/status', 'widgets/scale']);
    // Written through the second replica: the first reads it once its follower has it.
    await eventually(async () => expect((await cluster.request('GET', `${WIDGETS}/w1`, { server: first.server })).status).toBe(200), { timeoutMs: 15_000 });
  });

  it('serves the kind from the first answer of a restarted gateway', async () => {
    const victim = cluster.state().services.find((s) => s.name === 'api-gateway-2')!;
    const server = cluster.gateways[1].server;
    cluster.killService('api-gateway-2');
    // Connection refused until the new process listens; whatever it answers first must already know Widgets.
    const first = await eventually(async () => {
      const now = cluster.state().services.find((s) => s.name === 'api-gateway-2');
      expect(now?.pid).not.toBe(victim.pid);
      return cluster.request('GET', `${WIDGETS}/w1`, { server, timeoutMs: 2_000 });
    }, { timeoutMs: 60_000, intervalMs: 20 });
    expect(first.status).toBe(200);
    expect(first.json().spec.color).toBe('red');
  });
});
