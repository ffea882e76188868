import { startCluster, TestCluster } from '@openpacific/testing';

const NS = 'many';
const COUNT = 1200;
const name = (i: number) => `cm-${String(i).padStart(4, '0')}`;
const configMaps = `/api/v1/namespaces/${NS}/configmaps`;
const configMap = (cmName: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName }, data });

/** Long lists in pages (`limit`, `continue`), as kubectl get reads them: 500 at a time. */
describe('list chunking', () => {
  let cluster: TestCluster;
  const list = (query: string, headers: Record<string, string> = {}) => cluster.request('GET', `${configMaps}?${query}`, { headers });

  beforeAll(async () => {
    cluster = await startCluster({ label: 'chunks', hostCount: 1 });
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
    // Many writers at once: the gateway groups concurrent appends into one commit.
    for (let from = 0; from < COUNT; from += 100) {
      const batch = Array.from({ length: Math.min(100, COUNT - from) }, (_, k) =>
        cluster.request('POST', configMaps, { body: configMap(name(from + k), { n: String(from + k) }) }));
      for (const created of await Promise.all(batch)) expect(created.status).toBe(201);
    }
  }, 300_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('kubectl get lists more than 500 objects, each once, in name order', async () => {
    const table = await cluster.kubectl(['get', 'configmaps', '-n', NS, '--no-headers', '-v=6'], { timeoutMs: 120_000 });
    expect(table.code).toBe(0);
    const rows = table.stdout.trim().split('\n').map((line) => line.split(/\s+/)[0]).filter((n) => n.startsWith('cm-'));
    expect(rows).toEqual(Array.from({ length: COUNT }, (_, i) => name(i)));
    // It did follow continue tokens (the -v=6 request log shows the second page).
    expect(table.stderr).toMatch(/limit=500/);
    expect(table.stderr).toMatch(/continue=/);

    const names = await cluster.kubectl(['get', 'configmaps', '-n', NS, '-o', 'name'], { timeoutMs: 120_000 });
    expect(names.stdout.trim().split('\n').filter((l) => l.includes('/cm-'))).toHaveLength(COUNT);
  });

  it('serves the later pages from the state of the first, whatever changed in between', async () => {
    const first = await list('limit=500');
    expect(first.status).toBe(200);
    const page1 = first.json();
    expect(page1.items).toHaveLength(500);
    expect(page1.metadata.remainingItemCount).toBeGreaterThanOrEqual(COUNT - 500);
    const listRv = page1.metadata.resourceVersion;

    // A change after the first page: a new object and a deleted one, both after the first page in name order.
    expect((await cluster.request('POST', configMaps, { body: configMap('cm-9999') })).status).toBe(201);
    expect((await cluster.request('DELETE', `${configMaps}/${name(COUNT - 1)}`)).status).toBe(200);

    const seen: string[] = page1.items.map((i: any) => i.metadata.name);
    let token: string | undefined = page1.metadata.continue;
    while (token) {
      const page = (await list(`limit=500&continue=${encodeURIComponent(token)}`)).json();
      expect(page.metadata.resourceVersion).toBe(listRv);
      seen.push(...page.items.map((i: any) => i.metadata.name));
      token = page.metadata.continue;
    }
    expect(seen.filter((n) => n.startsWith('cm-'))).toEqual(Array.from({ length: COUNT }, (_, i) => name(i)));

    const now = (await list('')).json();
    expect(now.metadata.continue).toBeUndefined();
    expect(now.items.map((i: any) => i.metadata.name)).toContain('cm-9999');
    expect(now.items.map((i: any) => i.metadata.name)).not.toContain(name(COUNT - 1));
  });

  it('pages tables as kubectl asks for them', async () => {
    const accept = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' };
    const first = (await list('limit=2', accept)).json();
    expect(first.kind).toBe('Table');
    expect(first.rows).toHaveLength(2);
    expect(first.metadata.continue).toEqual(expect.any(String));
    const second = (await list(`limit=2&continue=${encodeURIComponent(first.metadata.continue)}`, accept)).json();
    expect(second.rows.map((r: any) => r.cells[0])).toEqual([name(2), name(3)]);
    expect(second.metadata.remainingItemCount).toBe(first.metadata.remainingItemCount - 2);
  });

  it('answers 410 Expired for a token whose list state is gone, with a token to continue inconsistently', async () => {
    const stale = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: '1', start: `${NS}\u0000${name(9)}` })).toString('base64url');
    const gone = await list(`limit=5&continue=${stale}`);
    expect(gone.status).toBe(410);
    const status = gone.json();
    expect(status).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410, metadata: { continue: expect.any(String) } });
    const rest = (await list(`limit=5&continue=${encodeURIComponent(status.metadata.continue)}`)).json();
    expect(rest.items.map((i: any) => i.metadata.name)).toEqual([10, 11, 12, 13, 14].map(name));
  });

  it('sends a WatchList client the state, then the bookmark that ends it; serves an Exact list only at its version', async () => {
    const only = 'fieldSelector=metadata.name%3Dcm-0007';
    const watched = await list(`watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1&${only}`);
    expect(watched.status).toBe(200);
    const lines = watched.body.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'cm-0007' } } });
    expect(lines[1]).toMatchObject({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } } });
    const at = lines[1].object.metadata.resourceVersion;
    // Without the state: sendInitialEvents=false from now sends nothing for a quiet list.
    const quiet = await list(`watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&timeoutSeconds=1&${only}`);
    expect(quiet.body.trim()).toBe('');
    const refused = await list('watch=true&sendInitialEvents=true');
    expect(refused.status).toBe(422);
    expect(refused.json().message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');

    const current = (await list(`limit=1&${only}`)).json().metadata.resourceVersion;
    expect((await list(`resourceVersion=${current}&resourceVersionMatch=Exact&${only}`)).status).toBe(200);
    expect((await cluster.request('POST', configMaps, { body: configMap('after-exact') })).status).toBe(201);
    const gone = await list(`resourceVersion=${at}&resourceVersionMatch=Exact&${only}`);
    expect(gone.status).toBe(410);
    expect(gone.json()).toMatchObject({ reason: 'Expired', message: expect.stringContaining(`too old resource version: ${at}`) });
    const unmatched = await list('resourceVersionMatch=NotOlderThan');
    expect(unmatched.status).toBe(422);
    expect(unmatched.json().message).toContain('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  });

  it('refuses a bad limit or continue token with a 400 naming the parameter', async () => {
    for (const query of ['limit=-1', 'limit=many']) {
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(res.json().message).toMatch(/^limit: Invalid value/);
    }
    const res = await list('limit=5&continue=not-a-token');
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(/^continue: Invalid value/);
    const kubectl = await cluster.kubectl(['get', '--raw', `${configMaps}?limit=-1`]);
    expect(kubectl.code).not.toBe(0);
    expect(kubectl.stderr).toContain('limit: Invalid value');
  });
});
