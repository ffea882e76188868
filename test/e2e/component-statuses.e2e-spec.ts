import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** `kubectl get componentstatuses` reports the control plane's parts, asked on each request; read only. */
describe('ComponentStatuses', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'componentstatuses', hostCount: 0 });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('lists every part Healthy once each service leads, with kube-apiserver deprecation warning', async () => {
    await eventually(async () => {
      const r = await cluster.kubectl(['get', 'componentstatuses']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('Warning: v1 ComponentStatus is deprecated in v1.19+');
      const lines = r.stdout.trim().split('\n');
      expect(lines[0].split(/\s+/)).toEqual(['NAME', 'STATUS', 'MESSAGE', 'ERROR']);
      expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual(
        ['cluster-api', 'event-store', 'garbage-collector', 'nats', 'policy', 'scheduler', 'vm-operator'].map((n) => [n, 'Healthy', 'ok']),
      );
    }, { timeoutMs: 60_000 });
    const one = JSON.parse((await cluster.kubectl(['get', 'cs', 'scheduler', '-o', 'json'])).stdout);
    expect(one).toEqual({ kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'scheduler' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
  }, 90_000);

  it('answers /readyz, /livez and /healthz as kube-apiserver: ok, each check with ?verbose, ?exclude, and one check for those RBAC lets ask', async () => {
    const raw = async (path: string) => (await cluster.kubectl(['get', '--raw', path])).stdout;
    expect(await raw('/readyz?verbose')).toBe('[+]ping ok\n[+]log ok\n[+]postgres ok\n[+]nats ok\n[+]informer-sync ok\n[+]shutdown ok\nreadyz check passed\n');
    expect(await raw('/livez?verbose&exclude=postgres&exclude=etcd')).toBe(
      '[+]ping ok\n[+]log ok\n[+]postgres excluded: ok\nwarn: some health checks cannot be excluded: no matches for "etcd"\nlivez check passed\n',
    );
    expect(await raw('/healthz')).toBe('ok');
    expect(await raw('/readyz/postgres')).toBe('ok');
    // The endpoints themselves are open to anyone; a single check is for those RBAC gives it (system:monitoring).
    expect(await cluster.request('GET', '/readyz', { token: null })).toMatchObject({ status: 200, body: 'ok' });
    expect((await cluster.request('GET', '/readyz/postgres', { token: null })).status).not.toBe(200);
    // A check the endpoint does not have is not found.
    expect((await cluster.request('GET', '/livez/nats')).status).toBe(404);
  }, 60_000);

  it('is read only and 404s an unknown part', async () => {
    const missing = await cluster.request('GET', '/api/v1/componentstatuses/etcd-0');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'componentstatuses "etcd-0" not found' });
    const write = await cluster.request('POST', '/api/v1/componentstatuses', { body: { apiVersion: 'v1', kind: 'ComponentStatus', metadata: { name: 'x' } } });
    expect(write.status).toBe(405);
    const deleted = await cluster.kubectl(['delete', 'cs', 'scheduler']);
    expect(deleted.code).not.toBe(0);
  }, 60_000);
});
