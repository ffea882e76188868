import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { startKubectlWatch } from './support/kubectl-watch';

/**
 * events.k8s.io/v1 Events through the real kubectl: the same Events as core v1 (one store, kube's renames), created
 * in the newer shape as client-go's events/v1 recorder creates them, validated strictly there, selected by their
 * own field labels, and watched.
 */
const NS = 'events-v1';
const v1Event = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name, namespace: NS },
  eventTime: '2026-12-04T10:00:00.123456789Z',
  regarding: { apiVersion: 'v1', kind: 'ConfigMap', name: 'settings', namespace: NS },
  reason: 'Reloaded',
  action: 'Reload',
  note: 'settings reloaded',
  type: 'Normal',
  reportingController: 'example.com/reloader',
  reportingInstance: 'reloader-1',
  ...extra,
});

describe('events.k8s.io/v1 Events', () => {
  let cluster: TestCluster;
  const create = (obj: object) => cluster.kubectl(['create', '-f', '-'], { input: JSON.stringify(obj) });
  const getJson = async (args: string[]) => JSON.parse((await cluster.kubectl(['get', ...args, '-n', NS, '-o', 'json'])).stdout);

  beforeAll(async () => {
    cluster = await startCluster({ label: 'eventsv1' });
    expect((await cluster.kubectl(['create', 'namespace', NS])).code).toBe(0);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('is discovered beside core Events, which stay what `kubectl get events` means', async () => {
    const resources = await cluster.kubectl(['api-resources', '--api-group=events.k8s.io']);
    expect(resources.stdout).toMatch(/^events\s+ev\s+events\.k8s\.io\/v1\s+true\s+Event$/m);
    expect((await cluster.kubectl(['explain', 'events.regarding', '--api-version=events.k8s.io/v1'])).stdout).toMatch(/^GROUP:\s+events\.k8s\.io\nKIND:\s+Event\nVERSION:\s+v1\n\nFIELD: regarding <Object>/m);
    const core = await cluster.kubectl(['get', 'events', '-n', NS, '-v=6']);
    expect(core.stderr).toMatch(/GET https:\S+\/api\/v1\/namespaces\/events-v1\/events\S* 200 OK/);
  });

  it('creates an Event in the newer shape, stored once and read through both groups', async () => {
    const created = await create(v1Event('settings.reloaded'));
    expect(created.stdout.trim()).toBe('event.events.k8s.io/settings.reloaded created');
    const v1 = await getJson(['events.events.k8s.io', 'settings.reloaded']);
    expect(v1).toMatchObject({
      apiVersion: 'events.k8s.io/v1', eventTime: '2026-12-04T10:00:00.123456Z', regarding: { kind: 'ConfigMap', name: 'settings' },
      note: 'settings reloaded', reportingController: 'example.com/reloader', reportingInstance: 'reloader-1', action: 'Reload',
    });
    const core = await getJson(['events', 'settings.reloaded']);
    expect(core).toMatchObject({ apiVersion: 'v1', involvedObject: { kind: 'ConfigMap', name: 'settings' }, message: 'settings reloaded', reportingComponent: 'example.com/reloader' });
    expect(core.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
    const table = await cluster.kubectl(['get', 'events.events.k8s.io', '-n', NS]);
    expect(table.stdout).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    expect(table.stdout).toMatch(/\n\S+\s+Normal\s+Reloaded\s+configmap\/settings\s+settings reloaded\n/);
  });

  it('shows the system’s own core Events in the newer shape', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { a: '1' } };
    expect((await create(cm)).code).toBe(0);
    const legacy = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'settings.legacy', namespace: NS }, involvedObject: { kind: 'ConfigMap', name: 'settings', namespace: NS }, reason: 'Seen', message: 'seen', type: 'Normal', source: { component: 'watcher' }, count: 3, lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    expect((await create(legacy)).code).toBe(0);
    const v1 = await getJson(['events.events.k8s.io', 'settings.legacy']);
    expect(v1).toMatchObject({ eventTime: null, regarding: { kind: 'ConfigMap' }, note: 'seen', deprecatedSource: { component: 'watcher' }, deprecatedCount: 3, deprecatedLastTimestamp: legacy.lastTimestamp });
  });

  it('refuses what kube-apiserver refuses through events.k8s.io/v1, writing nothing', async () => {
    const strict = await create(v1Event('bad.one', { eventTime: undefined, type: 'Info', deprecatedCount: 2, deprecatedSource: { component: 'x' } }));
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('The Event "bad.one" is invalid');
    expect(strict.stderr).toContain('eventTime: Required value');
    expect(strict.stderr).toContain('type: Invalid value: "": has invalid value: Info');
    expect(strict.stderr).toContain('count: Invalid value: "": needs to be unset');
    expect(strict.stderr).toContain('source: Invalid value: "": needs to be unset');
    const who = await create(v1Event('bad.two', { reportingController: undefined, action: undefined, regarding: { kind: 'Node', name: 'host-1' } }));
    expect(who.stderr).toContain('involvedObject.namespace: Invalid value: "": does not match event.namespace');
    expect(who.stderr).toContain('reportingController: Required value');
    expect(who.stderr).toContain('action: Required value');
    const coreMismatch = await create({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'bad.three', namespace: NS }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } });
    expect(coreMismatch.stderr).toContain('involvedObject.namespace: Invalid value: "other": does not match event.namespace');
    expect((await cluster.kubectl(['get', 'events', '-n', NS, '-o', 'name'])).stdout.split('\n').filter((l) => l.includes('bad.'))).toEqual([]);
  });

  it('updates only the series through events.k8s.io/v1', async () => {
    const series = { series: { count: 2, lastObservedTime: '2026-12-04T10:05:00.5Z' } };
    const patched = await cluster.kubectl(['patch', 'events.events.k8s.io', 'settings.reloaded', '-n', NS, '--type=merge', '-p', JSON.stringify(series)]);
    expect(patched.stdout.trim()).toBe('event.events.k8s.io/settings.reloaded patched');
    expect((await getJson(['events.events.k8s.io', 'settings.reloaded'])).series).toEqual({ count: 2, lastObservedTime: '2026-12-04T10:05:00.500000Z' });
    const note = await cluster.kubectl(['patch', 'events.events.k8s.io', 'settings.reloaded', '-n', NS, '--type=merge', '-p', '{"note":"changed"}']);
    expect(note.stderr).toContain('message: Invalid value: "changed": field is immutable');
    const one = await cluster.kubectl(['patch', 'events.events.k8s.io', 'settings.reloaded', '-n', NS, '--type=merge', '-p', '{"series":{"count":1}}']);
    expect(one.stderr).toContain('series.count: Invalid value: "": should be at least 2');
  });

  it('selects by its own field labels and watches in its own shape', async () => {
    const byRegarding = await cluster.kubectl(['get', 'events.events.k8s.io', '-n', NS, '--field-selector', 'regarding.kind=ConfigMap,reportingController=example.com/reloader', '-o', 'name']);
    expect(byRegarding.stdout.trim()).toBe('event.events.k8s.io/settings.reloaded');
    const unknown = await cluster.kubectl(['get', 'events.events.k8s.io', '-n', NS, '--field-selector', 'involvedObject.kind=ConfigMap']);
    expect(unknown.stderr).toContain('field label not supported: involvedObject.kind');
    const watch = startKubectlWatch(cluster, ['get', 'events.events.k8s.io', '-n', NS, '-w', '-o', 'jsonpath={.metadata.name} {.note}{"\\n"}']);
    try {
      await eventually(async () => expect(watch.output()).toContain('settings.reloaded settings reloaded'), { timeoutMs: 20_000 });
      expect((await create(v1Event('settings.later', { note: 'later' }))).code).toBe(0);
      await eventually(async () => expect(watch.output()).toContain('settings.later later'), { timeoutMs: 20_000 });
    } finally {
      watch.stop();
    }
  });
});
