import { fieldDescriptions } from '@openpacific/contracts';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { parse as parseYaml } from 'yaml';
import { manifest, namespace, startKubectlWatch } from './support/kubectl-watch';

/**
 * The everyday kubectl of a developer against the whole local cluster:
 * discovery, the three outcomes of apply, reading, selecting, watching,
 * waiting, every way of patching, server-side apply, dry runs and diffs.
 */
describe('kubectl as a developer uses it against the local cluster', () => {
  let cluster: TestCluster;
  const getJson = async (...args: string[]) => {
    const res = await cluster.kubectl(['get', ...args, '-o', 'json']);
    if (res.code !== 0) throw new Error(`kubectl get ${args.join(' ')} failed: ${res.stderr}`);
    return JSON.parse(res.stdout);
  };
  const names = async (...args: string[]) =>
    (await cluster.kubectl(['get', ...args, '-o', 'name'])).stdout.trim().split('\n').filter(Boolean).sort();
  const historyLength = async (path: string) => (await cluster.request('GET', `${path}/history`)).json().items.length as number;

  beforeAll(async () => {
    cluster = await startCluster({ label: 'kubectl' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('reports a 1.32 server version and lists namespaces, events and hosts among the API resources', async () => {
    const version = await cluster.kubectl(['version']);
    expect(version.stdout).toMatch(/^Client Version: v1\.32\.\d+/m);
    expect(version.stdout).toMatch(/^Server Version: v1\.32\.0-openpacific$/m);

    const resources = await cluster.kubectl(['api-resources']);
    expect(resources.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(resources.stdout).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    expect(resources.stdout).toMatch(/^events\s+ev\s+v1\s+true\s+Event$/m);
    expect(resources.stdout).toMatch(/^hosts\s+hst\s+infrastructure\.openpacific\.io\/v1alpha1\s+false\s+Host$/m);
    const group = await cluster.kubectl(['api-resources', '--api-group=infrastructure.openpacific.io', '-o', 'name']);
    expect(group.stdout.split('\n')).toContain('hosts.infrastructure.openpacific.io');
  });

  it('explains every served kind recursively, naming quantities and int-or-strings as Kubernetes does', async () => {
    const kinds = (await cluster.kubectl(['api-resources', '-o', 'name'])).stdout.trim().split('\n');
    expect(kinds.length).toBeGreaterThan(40);
    const failed: string[] = [];
    for (let i = 0; i < kinds.length; i += 8) {
      // kubectl reads `pods.metrics.k8s.io` as core pods and a field path (its longest-prefix match finds `pods` first,
      // against any server): a kind whose plural is also a core kind's is named by its API version instead.
      const explain = async (kind: string) => {
        const [plural, ...rest] = kind.split('.');
        if (!rest.length || !kinds.includes(plural)) return ['explain', kind, '--recursive'];
        const group = JSON.parse((await cluster.kubectl(['get', '--raw', `/apis/${rest.join('.')}`])).stdout);
        return ['explain', plural, `--api-version=${group.preferredVersion.groupVersion}`, '--recursive'];
      };
      const results = await Promise.all(kinds.slice(i, i + 8).map(async (kind) => ({ kind, res: await cluster.kubectl(await explain(kind)) })));
      for (const { kind, res } of results) if (res.code !== 0 || !/^FIELDS:$/m.test(res.stdout)) failed.push(`${kind}: ${res.stderr.slice(0, 200)}`);
    }
    expect(failed).toEqual([]);

    const resources = await cluster.kubectl(['explain', 'pod.spec.containers.resources']);
    expect(resources.stdout).toMatch(/^\s+limits\s+<map\[string\]Quantity>$/m);
    const maxSurge = await cluster.kubectl(['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
    expect(maxSurge.stdout).toMatch(/^FIELD: maxSurge <IntOrString>$/m);
    const event = await cluster.kubectl(['explain', 'events.lastTimestamp']);
    expect(event.stdout).toMatch(/^FIELD: lastTimestamp <string>$/m);

    // The fields' descriptions (contracts' descriptions), as kubectl prints them wrapped under DESCRIPTION.
    const described = async (args: string[], group: string, kind: string, path: string) => {
      const text = fieldDescriptions(group, kind)[path];
      expect({ path, text: typeof text }).toEqual({ path, text: 'string' });
      const out = (await cluster.kubectl(['explain', ...args])).stdout;
      const from = out.indexOf('DESCRIPTION:\n') + 'DESCRIPTION:\n'.length;
      const to = out.search(/^FIELDS:$/m);
      expect(out.slice(from, to < 0 ? undefined : to).replace(/\s+/g, ' ').trim()).toBe(text.replace(/\s+/g, ' ').trim());
    };
    await described(['configmaps.metadata.name'], '', 'ConfigMap', 'metadata.name');
    await described(['pods.spec.containers.image'], '', 'Pod', 'spec.containers.image');
    await described(['deployments.spec.template.spec.containers.image'], 'apps', 'Deployment', 'spec.template.spec.containers.image');
    await described(['deployments.spec.replicas'], 'apps', 'Deployment', 'spec.replicas');
    await described(['virtualmachines.spec.className'], 'vmoperator.vmware.com', 'VirtualMachine', 'spec.className');
    await described(['virtualmachines'], 'vmoperator.vmware.com', 'VirtualMachine', '');
    await described(['tanzukubernetesclusters.spec.topology'], 'run.tanzu.vmware.com', 'TanzuKubernetesCluster', 'spec.topology');
    await described(['services.spec.type'], '', 'Service', 'spec.type');
    await described(['roles.rules.verbs'], 'rbac.authorization.k8s.io', 'Role', 'rules.verbs');
    await described(['persistentvolumeclaims.spec.storageClassName'], '', 'PersistentVolumeClaim', 'spec.storageClassName');
    await described(['zone.spec'], 'topology.tanzu.vmware.com', 'Zone', 'spec');
    await described(['zone.spec.availabilityZoneReference.name'], 'topology.tanzu.vmware.com', 'Zone', 'spec.availabilityZoneReference.name');
    await described(['az.spec.clusterComputeResourceMoIDs'], 'topology.tanzu.vmware.com', 'AvailabilityZone', 'spec.clusterComputeResourceMoIDs');
    await described(['virtualmachinewebconsolerequests.status.response'], 'vmoperator.vmware.com', 'VirtualMachineWebConsoleRequest', 'status.response');
  }, 120_000);

  it('applies a namespace: created, then configured by a patch, then unchanged; no generation on it, as kube-apiserver', async () => {
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: namespace('apply-me', { team: 'a', stage: 'one' }) });
    expect(created.stdout.trim()).toBe('namespace/apply-me created');
    const first = await getJson('ns', 'apply-me');
    expect(first.metadata.generation).toBeUndefined();

    const configured = await cluster.kubectl(['apply', '-f', '-', '-v=6'], { input: namespace('apply-me', { team: 'a', stage: 'two' }) });
    expect(configured.stdout.trim()).toBe('namespace/apply-me configured');
    expect(configured.stderr).toMatch(/PATCH https:\S+\/api\/v1\/namespaces\/apply-me\S* 200 OK/);
    const second = await getJson('ns', 'apply-me');
    expect(second.metadata.labels).toEqual({ team: 'a', stage: 'two', 'kubernetes.io/metadata.name': 'apply-me' });
    expect(second.metadata.generation).toBeUndefined();
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect(BigInt(second.metadata.resourceVersion)).toBeGreaterThan(BigInt(first.metadata.resourceVersion));

    const unchanged = await cluster.kubectl(['apply', '-f', '-'], { input: namespace('apply-me', { team: 'a', stage: 'two' }) });
    expect(unchanged.stdout.trim()).toBe('namespace/apply-me unchanged');
    expect((await getJson('ns', 'apply-me')).metadata.resourceVersion).toBe(second.metadata.resourceVersion);
  });

  it('applies a multi-document YAML manifest in order, and removes a label that the manifest no longer has', async () => {
    const yaml = [
      '# a namespace and an event inside it, as a user writes them',
      'apiVersion: v1',
      'kind: Namespace',
      'metadata:',
      '  name: multi-doc',
      '  labels:',
      '    owner: multi',
      '    temporary: "yes"',
      '---',
      'apiVersion: v1',
      'kind: Event',
      'metadata:',
      '  name: first-event',
      '  namespace: multi-doc',
      'involvedObject:',
      '  kind: Namespace',
      '  name: multi-doc',
      '  namespace: multi-doc',
      'reason: Applied',
      'message: applied with the namespace',
      '',
    ].join('\n');
    const applied = await cluster.kubectl(['apply', '-f', '-'], { input: yaml });
    expect(applied.stdout.trim().split('\n')).toEqual(['namespace/multi-doc created', 'event/first-event created']);
    expect((await getJson('ev', 'first-event', '-n', 'multi-doc')).message).toBe('applied with the namespace');

    // kubectl's three-way merge turns the dropped label into a removal.
    const trimmed = await cluster.kubectl(['apply', '-f', '-'], { input: namespace('multi-doc', { owner: 'multi' }) });
    expect(trimmed.stdout.trim()).toBe('namespace/multi-doc configured');
    expect((await getJson('ns', 'multi-doc')).metadata.labels).toEqual({ owner: 'multi', 'kubernetes.io/metadata.name': 'multi-doc' });
  });

  it('applies a Deployment again unchanged, and takes an env var out of its container when the manifest drops it (merge keys in the OpenAPI)', async () => {
    const deployment = (env: Array<{ name: string; value: string }>) => JSON.stringify({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'applied', namespace: 'default' },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'applied' } },
        template: { metadata: { labels: { app: 'applied' } }, spec: { containers: [{ name: 'web', image: 'busybox:1.36', env }] } },
      },
    });
    const both = [{ name: 'A', value: '1' }, { name: 'B', value: '2' }];
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment(both) })).stdout.trim()).toBe('deployment.apps/applied created');
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment(both) })).stdout.trim()).toBe('deployment.apps/applied unchanged');
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment([{ name: 'A', value: '1' }]) })).stdout.trim()).toBe('deployment.apps/applied configured');
    expect((await getJson('deployment', 'applied', '-n', 'default')).spec.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    await cluster.kubectl(['delete', 'deployment', 'applied', '-n', 'default']);
  });

  it('edits a namespace through kubectl edit', async () => {
    const edited = await cluster.kubectl(['edit', 'ns', 'multi-doc'], { env: { KUBE_EDITOR: 'sed -i -e "s/owner: multi/owner: edited/"' } });
    expect(edited.stdout.trim()).toBe('namespace/multi-doc edited');
    expect((await getJson('ns', 'multi-doc')).metadata.labels).toEqual({ owner: 'edited', 'kubernetes.io/metadata.name': 'multi-doc' });
  });

  it('shows the namespace in a table and as YAML with its identity and the last applied configuration verbatim', async () => {
    const table = (await cluster.kubectl(['get', 'ns'])).stdout.trim().split('\n');
    expect(table[0].split(/\s+/)).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(table.find((l) => l.startsWith('apply-me '))).toMatch(/^apply-me\s+Active\s+\d+s$/);

    const yaml = await cluster.kubectl(['get', 'ns', 'apply-me', '-o', 'yaml']);
    const obj = parseYaml(yaml.stdout);
    expect(obj).toMatchObject({ apiVersion: 'v1', kind: 'Namespace', status: { phase: 'Active' } });
    expect(obj.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(obj.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(obj.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(obj.metadata.labels).toEqual({ team: 'a', stage: 'two', 'kubernetes.io/metadata.name': 'apply-me' });
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(
      '{"apiVersion":"v1","kind":"Namespace","metadata":{"annotations":{},"labels":{"stage":"two","team":"a"},"name":"apply-me"}}\n',
    );
  });

  it('filters namespaces with set-based label selectors and field selectors', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: namespace('sel-b', { team: 'b' }) });
    await cluster.kubectl(['apply', '-f', '-'], { input: namespace('sel-c', { team: 'c', x: '1' }) });
    expect(await names('ns', '-l', 'team in (a,b)')).toEqual(['namespace/apply-me', 'namespace/sel-b']);
    // notin also matches objects without the key, as in Kubernetes.
    expect(await names('ns', '-l', 'team notin (a)')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/sel-b', 'namespace/sel-c']));
    expect(await names('ns', '-l', 'team,team notin (a)')).toEqual(['namespace/sel-b', 'namespace/sel-c']);
    const withoutX = await names('ns', '-l', '!x');
    expect(withoutX).toEqual(expect.arrayContaining(['namespace/apply-me', 'namespace/sel-b', 'namespace/default']));
    expect(withoutX).not.toContain('namespace/sel-c');
    expect(await names('ns', '-l', 'team,x=1')).toEqual(['namespace/sel-c']);
    expect(await names('ns', '--field-selector', 'metadata.name=sel-b')).toEqual(['namespace/sel-b']);
    expect(await names('ns', '-l', 'team', '--field-selector', 'metadata.name!=sel-b')).toEqual(['namespace/apply-me', 'namespace/sel-c']);
  });

  it('streams a label change made by another kubectl to a watching kubectl', async () => {
    const watch = startKubectlWatch(cluster, ['get', 'ns', 'sel-b', '-w', '--output-watch-events']);
    try {
      await eventually(() => expect(watch.output()).toMatch(/ADDED\s+sel-b\s+Active/), { timeoutMs: 20_000 });
      expect((await cluster.kubectl(['label', 'ns', 'sel-b', 'watched=yes'])).stdout.trim()).toBe('namespace/sel-b labeled');
      await eventually(() => expect(watch.output()).toMatch(/MODIFIED\s+sel-b\s+Active/), { timeoutMs: 20_000 });
    } finally {
      watch.stop();
    }
  });

  it('streams the additions, changes and deletions of a selected set of namespaces', async () => {
    const watch = startKubectlWatch(cluster, ['get', 'ns', '-l', 'watch=me', '-w', '--output-watch-events', '-v=6']);
    try {
      // -v=6 logs the watch request once the server has answered it: from then on no change can be missed.
      await eventually(() => expect(watch.output()).toMatch(/GET https:\S+watch=true\S* 200 OK/), { timeoutMs: 20_000 });
      await cluster.kubectl(['apply', '-f', '-'], { input: namespace('watched', { watch: 'me' }) });
      await eventually(() => expect(watch.output()).toMatch(/ADDED\s+watched\s+Active/), { timeoutMs: 20_000 });
      await cluster.kubectl(['label', 'ns', 'watched', 'more=yes']);
      await eventually(() => expect(watch.output()).toMatch(/MODIFIED\s+watched\s+Active/), { timeoutMs: 20_000 });
      await cluster.kubectl(['delete', 'ns', 'watched', '--wait=false']);
      await eventually(() => expect(watch.output()).toMatch(/DELETED\s+watched\s/), { timeoutMs: 30_000 });
      // Deletion is two steps a watcher can see: Terminating first, then gone.
      expect(watch.output()).toMatch(/MODIFIED\s+watched\s+Terminating[\s\S]*DELETED\s+watched\s/);
    } finally {
      watch.stop();
    }
  });

  it('lets kubectl wait for a label that another kubectl sets meanwhile', async () => {
    const wait = startKubectlWatch(cluster, ['wait', '--for=jsonpath={.metadata.labels.stage}=two', 'ns/sel-b', '--timeout=40s', '-v=6']);
    try {
      await eventually(() => expect(wait.output()).toMatch(/GET https:\S+watch=true\S* 200 OK/), { timeoutMs: 20_000 });
      expect(wait.output()).not.toContain('condition met');
      await cluster.kubectl(['patch', 'ns', 'sel-b', '--type=merge', '-p', '{"metadata":{"labels":{"stage":"two"}}}']);
      await eventually(() => expect(wait.output()).toContain('namespace/sel-b condition met'), { timeoutMs: 20_000 });
    } finally {
      wait.stop();
    }
  });

  it('changes labels, annotations and fields with label, annotate and merge, JSON and strategic patches', async () => {
    expect((await cluster.kubectl(['label', 'ns', 'apply-me', 'extra=1'])).stdout.trim()).toBe('namespace/apply-me labeled');
    expect((await cluster.kubectl(['label', 'ns', 'apply-me', 'extra-'])).stdout.trim()).toBe('namespace/apply-me unlabeled');
    const clash = await cluster.kubectl(['label', 'ns', 'apply-me', 'team=z']);
    expect(clash.stderr).toContain("'team' already has a value (a), and --overwrite is false");
    expect((await cluster.kubectl(['annotate', 'ns', 'apply-me', 'note=hello world'])).stdout.trim()).toBe('namespace/apply-me annotated');
    const merge = await cluster.kubectl(['patch', 'ns', 'apply-me', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1"}}}']);
    expect(merge.stdout.trim()).toBe('namespace/apply-me patched');
    const json = await cluster.kubectl(['patch', 'ns', 'apply-me', '--type=json', '-p', '[{"op":"add","path":"/metadata/labels/j","value":"2"}]']);
    expect(json.stdout.trim()).toBe('namespace/apply-me patched');
    const strategic = await cluster.kubectl(['patch', 'ns', 'apply-me', '-p', '{"metadata":{"labels":{"s":"3","m":null}}}']);
    expect(strategic.stdout.trim()).toBe('namespace/apply-me patched');
    const before = (await getJson('ns', 'apply-me')).metadata;
    const again = await cluster.kubectl(['patch', 'ns', 'apply-me', '-p', '{"metadata":{"labels":{"s":"3"}}}']);
    expect(again.stdout.trim()).toBe('namespace/apply-me patched (no change)');

    const after = (await getJson('ns', 'apply-me')).metadata;
    expect(after.labels).toEqual({ team: 'a', stage: 'two', j: '2', s: '3', 'kubernetes.io/metadata.name': 'apply-me' });
    expect(after.annotations.note).toBe('hello world');
    expect(after.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"name":"apply-me"');
    expect(after.resourceVersion).toBe(before.resourceVersion);
    expect(after.generation).toBeUndefined();
  });

  it('creates and updates a namespace with server-side apply', async () => {
    const created = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-one', { a: '1' }) });
    expect(created.stdout.trim()).toBe('namespace/ssa-one serverside-applied');
    const first = await getJson('ns', 'ssa-one');
    expect(first.metadata.labels).toEqual({ a: '1', 'kubernetes.io/metadata.name': 'ssa-one' });
    expect(first.status.phase).toBe('Active');
    // Server-side apply keeps no client-side record of what was applied.
    expect(first.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toBeUndefined();

    const updated = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-one', { a: '2', b: '1' }) });
    expect(updated.stdout.trim()).toBe('namespace/ssa-one serverside-applied');
    const second = await getJson('ns', 'ssa-one');
    expect(second.metadata.labels).toEqual({ a: '2', b: '1', 'kubernetes.io/metadata.name': 'ssa-one' });
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect(BigInt(second.metadata.resourceVersion)).toBeGreaterThan(BigInt(first.metadata.resourceVersion));
  });

  it('drops a field that the same field manager no longer applies, and shows who manages what', async () => {
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-two', { kept: '1', dropped: '1' }) });
    const again = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-two', { kept: '1' }) });
    expect(again.stdout.trim()).toBe('namespace/ssa-two serverside-applied');
    const obj = await getJson('ns', 'ssa-two', '--show-managed-fields');
    expect(obj.metadata.labels).toEqual({ kept: '1', 'kubernetes.io/metadata.name': 'ssa-two' });
    expect(obj.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { 'f:kept': {} } } } }),
    ]);
    // kubectl hides them unless asked.
    expect((await getJson('ns', 'ssa-two')).metadata.managedFields).toBeUndefined();
    const unchanged = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-two', { kept: '1' }) });
    expect(unchanged.code).toBe(0);
    expect((await getJson('ns', 'ssa-two')).metadata.resourceVersion).toBe(obj.metadata.resourceVersion);
  });

  it('refuses to apply over a field another manager changed, until the applier forces it', async () => {
    await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-three', { team: 'a', tier: 'web' }) });
    const labelled = await cluster.kubectl(['label', 'ns', 'ssa-three', 'team=b', '--overwrite']);
    expect(labelled.code).toBe(0);
    const owners = (await getJson('ns', 'ssa-three', '--show-managed-fields')).metadata.managedFields;
    expect(owners.map((e: any) => `${e.manager}/${e.operation}`).sort()).toEqual(['kubectl-label/Update', 'kubectl/Apply']);
    const rv = (await getJson('ns', 'ssa-three')).metadata.resourceVersion;

    const refused = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-three', { team: 'a', tier: 'web' }) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Apply failed with 1 conflict: conflict with "kubectl-label" using v1 at \S+: \.metadata\.labels\.team/);
    expect((await getJson('ns', 'ssa-three')).metadata).toMatchObject({ resourceVersion: rv, labels: { team: 'b', tier: 'web' } });
    // Applying without the contested field is no conflict, and gives the field up.
    const without = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: namespace('ssa-three', { tier: 'web' }) });
    expect(without.code).toBe(0);
    expect((await getJson('ns', 'ssa-three')).metadata.labels).toEqual({ team: 'b', tier: 'web', 'kubernetes.io/metadata.name': 'ssa-three' });

    const forced = await cluster.kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: namespace('ssa-three', { team: 'c', tier: 'web' }) });
    expect(forced.stdout.trim()).toBe('namespace/ssa-three serverside-applied');
    const after = await getJson('ns', 'ssa-three', '--show-managed-fields');
    expect(after.metadata.labels).toEqual({ team: 'c', tier: 'web', 'kubernetes.io/metadata.name': 'ssa-three' });
    // kubectl-label owned only the team label, and lost it: its entry went.
    expect(after.metadata.managedFields.map((e: any) => e.manager)).toEqual(['kubectl']);
  });

  it('names the field manager an apply is missing, and refuses force on another patch, writing nothing', async () => {
    const path = '/api/v1/namespaces/ssa-two';
    const body = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ssa-two', labels: { other: '1' } } };
    const events = await historyLength(path);
    const missing = await cluster.request('PATCH', path, { body, headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(missing.status).toBe(422);
    expect(missing.json()).toMatchObject({ kind: 'Status', code: 422, message: expect.stringContaining('fieldManager: Required value') });
    const forced = await cluster.request('PATCH', `${path}?force=true`, { body: { metadata: { labels: { other: '1' } } }, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(forced.status).toBe(422);
    expect(forced.json().message).toContain('force: Forbidden: may not be specified for non-apply patch');
    const carried = await cluster.request('PATCH', `${path}?fieldManager=me`, {
      body: { ...body, metadata: { ...body.metadata, managedFields: [] } },
      headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    expect(carried.status).toBe(400);
    expect(carried.json().message).toBe('metadata.managedFields must be nil');
    const long = await cluster.request('PATCH', `${path}?fieldManager=${'m'.repeat(129)}`, { body, headers: { 'content-type': 'application/apply-patch+yaml' } });
    expect(long.status).toBe(422);
    expect(long.json().message).toContain('fieldManager: Too long');
    expect(await historyLength(path)).toBe(events);

    // As in Kubernetes, a merge patch of `[{}]` clears them.
    const cleared = await cluster.kubectl(['patch', 'ns', 'ssa-two', '--type=merge', '-p', '{"metadata":{"managedFields":[{}]}}']);
    expect(cleared.code).toBe(0);
    expect((await getJson('ns', 'ssa-two', '--show-managed-fields')).metadata.managedFields).toBeUndefined();
  });

  it('persists nothing for a server-side dry run or a diff', async () => {
    const path = '/api/v1/namespaces/apply-me';
    const rv = (await getJson('ns', 'apply-me')).metadata.resourceVersion;
    const events = await historyLength(path);

    const dryCreate = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: namespace('dry-new', { a: '1' }) });
    expect(dryCreate.stdout.trim()).toBe('namespace/dry-new created (server dry run)');
    expect((await cluster.kubectl(['get', 'ns', 'dry-new'])).stderr).toContain('namespaces "dry-new" not found');
    const dryCreate2 = await cluster.kubectl(['create', '--dry-run=server', '-f', '-'], { input: namespace('dry-new2') });
    expect(dryCreate2.stdout.trim()).toBe('namespace/dry-new2 created (server dry run)');
    expect((await cluster.request('GET', '/api/v1/namespaces/dry-new2')).status).toBe(404);

    const dryUpdate = await cluster.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: namespace('apply-me', { team: 'a', stage: 'three' }) });
    expect(dryUpdate.stdout.trim()).toBe('namespace/apply-me configured (server dry run)');
    const drySsa = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], { input: namespace('ssa-one', { a: '3' }) });
    expect(drySsa.stdout.trim()).toBe('namespace/ssa-one serverside-applied (server dry run)');
    expect((await getJson('ns', 'ssa-one')).metadata.labels.a).toBe('2');

    const diff = await cluster.kubectl(['diff', '-f', '-'], { input: namespace('apply-me', { team: 'a', stage: 'three' }) });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/^-\s+stage: two$/m);
    expect(diff.stdout).toMatch(/^\+\s+stage: three$/m);
    // A dry-run change answers the version it was made on, as kube-apiserver's: the diff does not show it go.
    expect(diff.stdout).not.toMatch(/^[-+]\s+resourceVersion/m);
    const dryPatch = await cluster.kubectl(['patch', 'ns', 'apply-me', '--dry-run=server', '-p', '{"metadata":{"labels":{"stage":"four"}}}', '-o', 'json']);
    expect(JSON.parse(dryPatch.stdout).metadata).toMatchObject({ resourceVersion: rv, labels: { stage: 'four' } });
    const noDiff = await cluster.kubectl(['diff', '-f', '-'], { input: namespace('sel-c', { team: 'c', x: '1' }) });
    expect({ code: noDiff.code, stdout: noDiff.stdout }).toEqual({ code: 0, stdout: '' });

    const dryDelete = await cluster.kubectl(['delete', 'ns', 'apply-me', '--dry-run=server']);
    expect(dryDelete.stdout.trim()).toBe('namespace "apply-me" deleted (server dry run)');

    const now = await getJson('ns', 'apply-me');
    expect(now.metadata.resourceVersion).toBe(rv);
    expect(now.metadata.labels.stage).toBe('two');
    expect(now.metadata.deletionTimestamp).toBeUndefined();
    expect(await historyLength(path)).toBe(events);
  });

  it('refuses a replace with a stale resourceVersion as a Conflict and a second create as AlreadyExists', async () => {
    const current = await getJson('ns', 'sel-c');
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1', labels: { team: 'stale' } } };
    const replaced = await cluster.kubectl(['replace', '-f', '-'], { input: manifest(stale) });
    expect(replaced.code).not.toBe(0);
    expect(replaced.stderr).toContain('Error from server (Conflict)');
    expect(replaced.stderr).toContain('Operation cannot be fulfilled on namespaces "sel-c": the object has been modified');
    expect((await getJson('ns', 'sel-c')).metadata.labels.team).toBe('c');

    const fresh = { ...current, metadata: { ...current.metadata, labels: { team: 'c2' } } };
    expect((await cluster.kubectl(['replace', '-f', '-'], { input: manifest(fresh) })).stdout.trim()).toBe('namespace/sel-c replaced');
    expect((await getJson('ns', 'sel-c')).metadata.labels).toEqual({ team: 'c2', 'kubernetes.io/metadata.name': 'sel-c' });

    const again = await cluster.kubectl(['create', '-f', '-'], { input: namespace('sel-c') });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists)');
    expect(again.stderr).toContain('namespaces "sel-c" already exists');
  });
});
