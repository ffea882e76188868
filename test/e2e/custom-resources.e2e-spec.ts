import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';

const CRD = readFileSync(join(__dirname, 'manifests', 'widgets-crd.yaml'), 'utf8');

const widget = (name: string, spec: string) => `
apiVersion: example.com/v1
kind: Widget
metadata: { name: ${name}, namespace: shop, labels: { tier: front } }
spec: ${spec}
`;

/**
 * CustomResourceDefinitions through the real kubectl: a CRD applied and established, its Widgets applied, listed
 * with their printer columns and short name, validated, patched, scaled, explained, their status written through
 * the status subresource; then the CRD deleted, taking its Widgets with it.
 */
describe('custom resources', () => {
  let cluster: TestCluster;
  const ok = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, input === undefined ? undefined : { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const json = async (args: string[]) => JSON.parse(await ok([...args, '-o', 'json']));

  beforeAll(async () => {
    cluster = await startCluster({ label: 'crds', hostCount: 1 });
    await ok(['create', 'namespace', 'shop']);
    await ok(['apply', '-f', '-'], CRD);
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/widgets.example.com']);
  }, 180_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('establishes the CRD with its accepted names and stored version, and lists it as kube-apiserver does', async () => {
    const crd = await json(['get', 'crd', 'widgets.example.com']);
    const conditions = Object.fromEntries(crd.status.conditions.map((c: any) => [c.type, [c.status, c.reason]]));
    expect(conditions).toEqual({ NamesAccepted: ['True', 'NoConflicts'], Established: ['True', 'InitialNamesAccepted'] });
    expect(crd.status.acceptedNames).toMatchObject({ plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList', shortNames: ['wd'] });
    expect(crd.status.storedVersions).toEqual(['v1']);
    const table = await ok(['get', 'crd']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+CREATED AT$/);
    expect(table).toMatch(/widgets\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    const resources = await ok(['api-resources', '--api-group=example.com']);
    expect(resources).toMatch(/widgets\s+wd\s+example\.com\/v1\s+true\s+Widget/);
  });

  it('serves Widgets: apply, get by plural and short name with the printer columns, defaults and pruning', async () => {
    await ok(['apply', '-f', '-'], widget('w1', '{ color: red, port: http, extra: { any: thing } }'));
    const got = await json(['get', 'widget', 'w1', '-n', 'shop']);
    expect(got.spec).toEqual({ color: 'red', replicas: 1, port: 'http', extra: { any: 'thing' } });
    expect(got.metadata.generation).toBe(1);
    const table = await ok(['get', 'wd', '-n', 'shop']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+COLOR\s+REPLICAS\s+PHASE\s+AGE$/);
    expect(table).toMatch(/^w1\s+red\s+1\s+\S+s$/m);
    expect(await ok(['get', 'all', '-n', 'shop'])).toContain('widget.example.com/w1');
    const yaml = await ok(['get', 'widgets.example.com', 'w1', '-n', 'shop', '-o', 'yaml']);
    expect(yaml).toContain('apiVersion: example.com/v1');
    // Unknown fields: a 400 under kubectl's Strict validation, pruned when the client says Ignore.
    const strict = await cluster.kubectl(['apply', '-f', '-'], { input: widget('w0', '{ color: red, size: 3 }') });
    expect(strict.stderr).toContain('strict decoding error: unknown field "spec.size"');
    const pruned = await cluster.request('POST', '/apis/example.com/v1/namespaces/shop/widgets?fieldValidation=Ignore', {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w0' }, spec: { color: 'red', size: 3 }, status: { phase: 'Set' } },
    });
    expect(pruned.status).toBe(201);
    expect(pruned.json().spec).toEqual({ color: 'red', replicas: 1 });
    expect(pruned.json().status).toBeUndefined();
    await ok(['delete', 'widget', 'w0', '-n', 'shop']);
    const beta = await json(['get', 'widgets.v1beta1.example.com', 'w1', '-n', 'shop']);
    expect(beta.apiVersion).toBe('example.com/v1beta1');
    expect(beta.spec.color).toBe('red');
  });

  it('refuses a Widget against its schema with a 422 naming the field, and writes nothing', async () => {
    const bad = await cluster.kubectl(['apply', '-f', '-'], { input: widget('bad', '{ color: red, replicas: "many" }') });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"');
    const negative = await cluster.kubectl(['apply', '-f', '-'], { input: widget('bad', '{ color: red, replicas: -1 }') });
    expect(negative.stderr).toContain('spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0');
    const color = await cluster.kubectl(['apply', '-f', '-'], { input: widget('bad', '{ color: pink }') });
    expect(color.stderr).toContain('spec.color: Unsupported value: "pink": supported values: "red", "green", "blue"');
    const port = await cluster.request('POST', '/apis/example.com/v1/namespaces/shop/widgets', {
      body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'bad' }, spec: { color: 'red', port: true } },
    });
    expect(port.status).toBe(422);
    expect(port.json().details.causes[0].field).toBe('spec.port');
    expect((await cluster.kubectl(['get', 'widget', 'bad', '-n', 'shop'])).code).not.toBe(0);
    const smp = await cluster.request('PATCH', '/apis/example.com/v1/namespaces/shop/widgets/w1', {
      body: { spec: { color: 'blue' } }, headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    expect(smp.status).toBe(415);
  });

  it('patches, scales and re-applies a Widget, bumping the generation only for spec changes', async () => {
    await ok(['patch', 'widget', 'w1', '-n', 'shop', '--type', 'merge', '-p', '{"spec":{"color":"green"}}']);
    // A JSON patch of the Scale (it was merged as a merge patch, and always refused), then kubectl scale to the same.
    await ok(['patch', 'widget', 'w1', '-n', 'shop', '--subresource=scale', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":4}]']);
    await ok(['scale', 'widget', 'w1', '-n', 'shop', '--replicas=4']);
    // A Scale PUT naming another object is refused, as any update is (it was taken).
    const other = await cluster.request('PUT', '/apis/example.com/v1/namespaces/shop/widgets/w1/scale', { body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'w2' }, spec: { replicas: 4 } } });
    expect(other.status).toBe(400);
    expect(other.json().message).toBe('the name of the object (w2) does not match the name on the URL (w1)');
    let got = await json(['get', 'widget', 'w1', '-n', 'shop']);
    expect(got.spec).toMatchObject({ color: 'green', replicas: 4 });
    expect(got.metadata.generation).toBe(3);
    // Client-side apply of a changed manifest (a JSON merge patch for a custom kind).
    await ok(['apply', '-f', '-'], widget('w1', '{ color: blue, replicas: 4 }'));
    got = await json(['get', 'widget', 'w1', '-n', 'shop']);
    expect(got.spec).toEqual({ color: 'blue', replicas: 4 });
    expect((await json(['get', 'widgets', '-n', 'shop', '-l', 'tier=front'])).items.map((w: any) => w.metadata.name)).toEqual(['w1']);
    expect((await json(['get', 'widgets', '-n', 'shop', '--field-selector', 'metadata.name=nope'])).items).toEqual([]);
  });

  it('writes status only through the status subresource', async () => {
    const generation = (await json(['get', 'widget', 'w1', '-n', 'shop'])).metadata.generation;
    await ok(['patch', 'widget', 'w1', '-n', 'shop', '--type', 'merge', '--subresource', 'status', '-p', '{"status":{"phase":"Ready","replicas":4,"selector":"app=w1"},"spec":{"color":"red"}}']);
    await ok(['patch', 'widget', 'w1', '-n', 'shop', '--type', 'merge', '-p', '{"status":{"phase":"Ignored"}}']);
    const got = await json(['get', 'widget', 'w1', '-n', 'shop']);
    expect(got.status).toEqual({ phase: 'Ready', replicas: 4, selector: 'app=w1' });
    const scale = (await cluster.request('GET', '/apis/example.com/v1/namespaces/shop/widgets/w1/scale')).json();
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 4 }, status: { replicas: 4, selector: 'app=w1' } });
    expect(got.spec.color).toBe('blue');
    expect(got.metadata.generation).toBe(generation);
    expect(await ok(['get', 'widget', 'w1', '-n', 'shop'])).toMatch(/^w1\s+blue\s+4\s+Ready\s+/m);
  });

  it('applies a changed CRD and server-side applies Widgets', async () => {
    await ok(['apply', '-f', '-'], CRD.replace('shortNames: [wd]', 'shortNames: [wd, wdg]'));
    await eventually(async () => expect((await json(['get', 'crd', 'widgets.example.com'])).status.acceptedNames.shortNames).toEqual(['wd', 'wdg']));
    expect(await ok(['get', 'wdg', '-n', 'shop', '-o', 'name'])).toContain('widget.example.com/w1');
    await ok(['apply', '--server-side', '-f', '-'], widget('ssa', '{ color: green, replicas: 2 }'));
    const got = await json(['get', 'widget', 'ssa', '-n', 'shop', '--show-managed-fields']);
    expect(got.spec).toEqual({ color: 'green', replicas: 2 });
    expect(got.metadata.managedFields.map((m: any) => [m.manager, m.operation])).toEqual([['kubectl', 'Apply']]);
    expect(await ok(['describe', 'widget', 'ssa', '-n', 'shop'])).toMatch(/Kind:\s+Widget/);
    await ok(['delete', 'widget', 'ssa', '-n', 'shop']);
  });

  it('explains the Widget schema', async () => {
    const out = await ok(['explain', 'widgets.spec']);
    expect(out).toMatch(/KIND:\s+Widget/);
    expect(out).toMatch(/color\s+<string> -required-/);
    expect(out).toMatch(/port\s+<IntOrString>/);
  });

  it('lets a Role on the custom group in, and keeps the edit role out of CRDs', async () => {
    await ok(['apply', '-f', '-'], `
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: widget-reader, namespace: shop }
rules: [{ apiGroups: [example.com], resources: [widgets], verbs: [get, list] }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dev-widgets, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: widget-reader }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: developer }]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: dev-edit, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit }
subjects: [{ apiGroup: rbac.authorization.k8s.io, kind: User, name: developer }]
`);
    expect(await ok(['get', 'widgets', '-n', 'shop', '--context', 'developer@openpacific'])).toContain('w1');
    const crds = await cluster.kubectl(['get', 'crd', '--context', 'developer@openpacific']);
    expect(crds.stderr).toContain('customresourcedefinitions.apiextensions.k8s.io is forbidden: User "developer" cannot list resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope');
  });

  it('refuses bad CRDs with 422s naming the field', async () => {
    const crd = (name: string, group: string, versions: string) => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: ${name} }
spec:
  group: ${group}
  scope: Namespaced
  names: { plural: gadgets, kind: Gadget }
  versions: ${versions}
`;
    const schema = '{ openAPIV3Schema: { type: object } }';
    const cases: Array<[string, string]> = [
      [crd('gadgets.example.org', 'example.com', `[{ name: v1, served: true, storage: true, schema: ${schema} }]`), 'metadata.name: Invalid value: "gadgets.example.org": must be spec.names.plural+"."+spec.group'],
      [crd('gadgets.apps', 'apps', `[{ name: v1, served: true, storage: true, schema: ${schema} }]`), 'spec.group: Invalid value: "apps": should be a domain with at least one dot'],
      [crd('gadgets.example.com', 'example.com', `[{ name: v1, served: true, storage: false, schema: ${schema} }]`), 'must have exactly one version marked as storage version'],
      [crd('gadgets.example.com', 'example.com', '[{ name: v1, served: true, storage: true }]'), 'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required'],
      [crd('gadgets.example.com', 'example.com', '[{ name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { n: { type: integer, minimum: "x" } } } } } } }]'), 'spec.versions[0].schema.openAPIV3Schema: Invalid value'],
      [
        crd('gadgets.example.com', 'example.com', '[{ name: v1, served: true, storage: true, selectableFields: [{ jsonPath: .spec.ratio }], schema: { openAPIV3Schema: { type: object, properties: { spec: { type: object, properties: { ratio: { type: number } } } } } } }]'),
        'spec.versions[0].selectableFields[0].jsonPath: Invalid value: ".spec.ratio": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.',
      ],
    ];
    for (const [manifest, message] of cases) {
      const r = await cluster.kubectl(['apply', '-f', '-'], { input: manifest });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
    expect((await cluster.kubectl(['get', 'crd', 'gadgets.example.com'])).code).not.toBe(0);
  });

  it('collects custom resources with their namespace and their owners, and deletes collections', async () => {
    await ok(['create', 'namespace', 'scratch']);
    await ok(['apply', '-f', '-'], widget('owner', '{ color: red }').replace('namespace: shop', 'namespace: scratch') + '---' + widget('loose', '{ color: red }').replace('namespace: shop', 'namespace: scratch'));
    const owner = await json(['get', 'widget', 'owner', '-n', 'scratch']);
    const ref = `[{ apiVersion: example.com/v1, kind: Widget, name: owner, uid: ${owner.metadata.uid} }]`;
    await ok(['apply', '-f', '-'], `
apiVersion: v1
kind: ConfigMap
metadata: { name: owned, namespace: scratch, ownerReferences: ${ref} }
---
apiVersion: example.com/v1
kind: Widget
metadata: { name: child, namespace: scratch, ownerReferences: ${ref} }
spec: { color: blue }
`);
    await ok(['delete', 'widget', 'owner', '-n', 'scratch']);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'configmap', 'owned', '-n', 'scratch'])).code).not.toBe(0);
      expect((await json(['get', 'widgets', '-n', 'scratch'])).items.map((w: any) => w.metadata.name)).toEqual(['loose']);
    }, { timeoutMs: 30_000 });
    await ok(['delete', 'namespace', 'scratch', '--timeout=60s']);
    const left = await cluster.request('GET', '/apis/example.com/v1/widgets');
    expect(left.json().items.map((w: any) => `${w.metadata.namespace}/${w.metadata.name}`)).toEqual(['shop/w1']);
    await ok(['apply', '-f', '-'], widget('x1', '{ color: red }') + '---' + widget('x2', '{ color: red }').replace('tier: front', 'tier: back'));
    expect(await ok(['delete', 'widgets', '-n', 'shop', '-l', 'tier=back'])).toContain('widget.example.com "x2" deleted');
    await ok(['delete', 'widget', 'x1', '-n', 'shop']);
  });

  it('watches custom resources', async () => {
    const list = (await cluster.request('GET', '/apis/example.com/v1/namespaces/shop/widgets')).json();
    const watch = cluster.request('GET', `/apis/example.com/v1/namespaces/shop/widgets?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=3`, { timeoutMs: 10_000 });
    await ok(['label', 'widget', 'w1', '-n', 'shop', 'seen=yes']);
    const events = (await watch).body.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name, e.object.metadata.labels.seen])).toEqual([['MODIFIED', 'w1', 'yes']]);
  });

  it('selects Widgets on their selectable fields in lists and watches, and refuses other field selectors', async () => {
    await ok(['apply', '-f', '-'], widget('w3', '{ color: green }'));
    const table = await ok(['get', 'widgets', '-n', 'shop', '--field-selector', 'spec.color=blue']);
    expect(table).toMatch(/^w1\s+blue\s+/m);
    expect(table).not.toContain('w3');
    expect((await ok(['get', 'widgets', '-n', 'shop', '--field-selector', 'spec.color!=blue,metadata.name=w3', '-o', 'name'])).trim()).toBe('widget.example.com/w3');
    const unsupported = await cluster.kubectl(['get', 'widgets', '-n', 'shop', '--field-selector', 'spec.replicas=4']);
    expect(unsupported.code).not.toBe(0);
    expect(unsupported.stderr).toContain('field label not supported: spec.replicas');

    const list = (await cluster.request('GET', '/apis/example.com/v1/namespaces/shop/widgets')).json();
    const watch = cluster.request('GET', `/apis/example.com/v1/namespaces/shop/widgets?watch=1&fieldSelector=spec.color%3Dgreen&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=3`, { timeoutMs: 10_000 });
    await ok(['label', 'widget', 'w1', '-n', 'shop', 'selected=no']);
    await ok(['label', 'widget', 'w3', '-n', 'shop', 'selected=yes']);
    const events = (await watch).body.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['MODIFIED', 'w3']]);
    await ok(['delete', 'widget', 'w3', '-n', 'shop']);
  });

  it('does not establish a CRD whose kind another CRD of the group has, and serves cluster-scoped kinds', async () => {
    const crd = (plural: string, kind: string, scope = 'Namespaced') => `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: ${plural}.example.com }
spec:
  group: example.com
  scope: ${scope}
  names: { plural: ${plural}, kind: ${kind} }
  versions:
    - { name: v1, served: true, storage: true, schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } } }
    - { name: v2, served: false, storage: false, schema: { openAPIV3Schema: { type: object } } }
`;
    await ok(['apply', '-f', '-'], crd('twins', 'Widget'));
    const conflicted = await eventually(async () => {
      const c = await json(['get', 'crd', 'twins.example.com']);
      expect(c.status?.conditions?.length).toBe(2);
      return c;
    });
    expect(conflicted.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'False', 'ListKindConflict'], ['Established', 'False', 'NotAccepted'],
    ]);
    expect((await cluster.request('GET', '/apis/example.com/v1/twins')).status).toBe(404);
    await ok(['delete', 'crd', 'twins.example.com']);

    await ok(['apply', '-f', '-'], crd('dials', 'Dial', 'Cluster'));
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/dials.example.com']);
    await ok(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Dial\nmetadata: { name: d1 }\nvalue: 11\n');
    expect((await json(['get', 'dials', 'd1'])).value).toBe(11);
    // Without the status subresource the status is the object's like any field, and its changes count as changes.
    await ok(['patch', 'dial', 'd1', '--type', 'merge', '-p', '{"status":{"lit":true}}']);
    expect((await json(['get', 'dials', 'd1'])).metadata.generation).toBe(2);
    // v2 is not served, and v1 stays the preferred version.
    expect((await cluster.request('GET', '/apis/example.com/v2/dials')).status).toBe(404);
    expect((await cluster.request('GET', '/apis/example.com')).json().preferredVersion.version).toBe('v1');
    await ok(['delete', 'crd', 'dials.example.com', '--timeout=60s']);
  });

  it('warns of a deprecated version on every request to it, in its own words or kube-apiserver\'s', async () => {
    await ok(['apply', '-f', '-'], `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: gauges.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: gauges, kind: Gauge }
  versions:
    - { name: v2, served: true, storage: true, schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } } }
    - { name: v1, served: true, storage: false, deprecated: true, schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } } }
    - { name: v1beta1, served: true, storage: false, deprecated: true, deprecationWarning: "gauges v1beta1 go away in 2027", schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } } }
`);
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/gauges.example.com']);
    const created = await cluster.kubectl(['apply', '-f', '-'], { input: 'apiVersion: example.com/v1\nkind: Gauge\nmetadata: { name: g1 }\nlevel: 3\n' });
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('Warning: example.com/v1 Gauge is deprecated; use example.com/v2 Gauge');
    expect((await cluster.kubectl(['get', 'gauges.v1beta1.example.com', 'g1'])).stderr).toContain('Warning: gauges v1beta1 go away in 2027');
    const current = await cluster.kubectl(['get', 'gauges.v2.example.com', 'g1', '-o', 'json']);
    expect(current.stderr).not.toContain('Warning');
    expect(JSON.parse(current.stdout).level).toBe(3);
    await ok(['delete', 'crd', 'gauges.example.com', '--timeout=60s']);
  });

  it('deletes the Widgets with their CRD, then stops serving them', async () => {
    await ok(['apply', '-f', '-'], widget('w2', '{ color: green }'));
    // A Widget with a finalizer of its own holds the CRD in Terminating, where no Widget may be created.
    await ok(['apply', '-f', '-'], widget('held', '{ color: green }').replace('labels:', 'finalizers: [example.com/hold], labels:'));
    await ok(['delete', 'crd', 'widgets.example.com', '--wait=false']);
    await eventually(async () => {
      const crd = await json(['get', 'crd', 'widgets.example.com']);
      expect(crd.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
      expect(crd.status.conditions.find((c: any) => c.type === 'Terminating')).toMatchObject({ status: 'True', reason: 'InstanceDeletionInProgress' });
      expect((await json(['get', 'widgets', '-n', 'shop'])).items.map((w: any) => [w.metadata.name, !!w.metadata.deletionTimestamp])).toEqual([['held', true]]);
    }, { timeoutMs: 30_000 });
    const refused = await cluster.request('POST', '/apis/example.com/v1/namespaces/shop/widgets', { body: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'late' }, spec: { color: 'red' } } });
    expect([refused.status, refused.json().message]).toEqual([405, 'create not allowed while custom resource definition is terminating']);
    await ok(['patch', 'widget', 'held', '-n', 'shop', '--type', 'merge', '-p', '{"metadata":{"finalizers":null}}']);
    await eventually(async () => {
      const r = await cluster.request('GET', '/apis/example.com/v1/namespaces/shop/widgets');
      expect(r.status).toBe(404);
    }, { timeoutMs: 30_000 });
    const groups = (await cluster.request('GET', '/apis')).json().groups.map((g: any) => g.name);
    expect(groups).not.toContain('example.com');
    // Made again, the kind comes back empty: the old Widgets went with the old CRD.
    await ok(['apply', '-f', '-'], CRD);
    await ok(['wait', '--for', 'condition=established', '--timeout=60s', 'crd/widgets.example.com']);
    expect((await json(['get', 'widgets', '-n', 'shop'])).items).toEqual([]);
  });
});
