import { eventually } from '@openpacific/testing';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';

/**
 * What DELETE answers, by kind, as kube-apiserver 1.32's generic registry does: a Status naming what went at once
 * (details.kind the plural, details.uid the object's), the object itself for the kinds that return it (Pod), and the
 * object with its deletionTimestamp wherever the deletion waits. Real gateway, policy service, Postgres and NATS.
 */
describe('the answer to a DELETE (api-gateway)', () => {
  let stack: GatewayWithPolicy;

  const send = gatewayCaller(() => stack.dataDir);
  const call = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const r = await send(method, path, body, { contentType: contentType ?? 'application/json' });
    return { ...r, auditId: String(r.headers['audit-id']) };
  };
  const ok = async (method: string, path: string, body?: unknown, contentType?: string) => {
    const r = await call(method, path, body, contentType);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r;
  };
  const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';
  const configMap = (name: string, metadata: object = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...metadata }, data: { k: 'v' } });
  const gone = async (path: string) => expect((await call('GET', path)).status).toBe(404);

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('deletes', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
  }, 60_000);
  afterAll(() => stack?.stop(), 30_000);

  it('names a ConfigMap deleted at once in a Status with its uid and no group, and audits the delete by its name', async () => {
    const created = (await ok('POST', CONFIGMAPS, configMap('settings'))).json;
    const deleted = await call('DELETE', `${CONFIGMAPS}/settings`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toStrictEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'settings', kind: 'configmaps', uid: created.metadata.uid },
    });
    await gone(`${CONFIGMAPS}/settings`);
    await eventually(async () => {
      const records = (await ok('GET', `/apis/audit.openpacific.io/v1/auditrecords?fieldSelector=requestID=${deleted.auditId}`)).json.items;
      expect(records).toMatchObject([{ verb: 'delete', resource: 'configmaps', namespace: 'default', name: 'settings', code: 200 }]);
    });
  });

  it('answers a dry-run delete as the delete would, and keeps the object', async () => {
    const created = (await ok('POST', CONFIGMAPS, configMap('kept'))).json;
    const dry = await ok('DELETE', `${CONFIGMAPS}/kept?dryRun=All`);
    expect(dry.json).toStrictEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'kept', kind: 'configmaps', uid: created.metadata.uid } });
    expect((await ok('GET', `${CONFIGMAPS}/kept`)).json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('names a Deployment deleted at once with the group apps', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    };
    const created = (await ok('POST', '/apis/apps/v1/namespaces/default/deployments', deployment)).json;
    const deleted = await ok('DELETE', '/apis/apps/v1/namespaces/default/deployments/web');
    expect(deleted.json).toStrictEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'web', group: 'apps', kind: 'deployments', uid: created.metadata.uid },
    });
  });

  it('answers with the Pod itself when a pod is deleted at once', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'brief' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const created = (await ok('POST', '/api/v1/namespaces/default/pods', pod)).json;
    const deleted = (await ok('DELETE', '/api/v1/namespaces/default/pods/brief')).json;
    expect(deleted).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'brief', uid: created.metadata.uid } });
    expect(deleted.metadata.deletionTimestamp).toBeUndefined();
    await gone('/api/v1/namespaces/default/pods/brief');
  });

  it('ends a bound pod\'s graceful deletion at once when asked again with gracePeriodSeconds 0 (kubectl delete --force), finalizers still holding it', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    // Bound to a host no agent runs: nothing finishes its graceful deletion but the forced one.
    const bound = (name: string, finalizers?: string[]) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(finalizers ? { finalizers } : {}) }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'busybox:1.36' }] },
    });
    await ok('POST', '/api/v1/namespaces/default/pods', bound('stuck'));
    const terminating = (await ok('DELETE', '/api/v1/namespaces/default/pods/stuck')).json;
    expect(terminating.metadata).toMatchObject({ deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 30 });
    // Asked again without a grace period, or with a longer one, it stays as it is.
    expect((await ok('DELETE', '/api/v1/namespaces/default/pods/stuck')).json.metadata.resourceVersion).toBe(terminating.metadata.resourceVersion);
    expect((await ok('DELETE', '/api/v1/namespaces/default/pods/stuck?gracePeriodSeconds=60')).json.metadata.resourceVersion).toBe(terminating.metadata.resourceVersion);
    const forced = (await ok('DELETE', '/api/v1/namespaces/default/pods/stuck', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 })).json;
    expect(forced).toMatchObject({ kind: 'Pod', metadata: { name: 'stuck', uid: terminating.metadata.uid, deletionGracePeriodSeconds: 0 } });
    await gone('/api/v1/namespaces/default/pods/stuck');

    await ok('POST', '/api/v1/namespaces/default/pods', bound('held-pod', ['example.com/hold']));
    await ok('DELETE', '/api/v1/namespaces/default/pods/held-pod');
    const held = (await ok('DELETE', '/api/v1/namespaces/default/pods/held-pod?gracePeriodSeconds=0')).json;
    expect(held.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, finalizers: ['example.com/hold'], deletionTimestamp: expect.any(String) });
    expect((await ok('GET', '/api/v1/namespaces/default/pods/held-pod')).json.metadata.deletionGracePeriodSeconds).toBe(0);
    await ok('PATCH', '/api/v1/namespaces/default/pods/held-pod', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await eventually(() => gone('/api/v1/namespaces/default/pods/held-pod'));
  }, 30_000);

  it('deletes a bound pod whose grace period ends past year 9999 (a 500 before: JavaScript\'s dates end sooner), its time the last second of 9999', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'long-grace' },
      spec: { nodeName: 'nowhere', terminationGracePeriodSeconds: 9007199254740991, containers: [{ name: 'c', image: 'busybox:1.36' }] },
    };
    await ok('POST', '/api/v1/namespaces/default/pods', pod);
    const terminating = (await ok('DELETE', '/api/v1/namespaces/default/pods/long-grace')).json;
    expect(terminating.metadata).toMatchObject({ deletionTimestamp: '9999-12-31T23:59:59Z', deletionGracePeriodSeconds: 9007199254740991 });
    await ok('DELETE', '/api/v1/namespaces/default/pods/long-grace?gracePeriodSeconds=0');
    await gone('/api/v1/namespaces/default/pods/long-grace');
  }, 30_000);

  it('shortens a bound pod\'s graceful deletion asked again with a shorter grace period, and never lengthens it, as kube-apiserver', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    // Bound to a host no agent runs: the deletion stays under way.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'slow-stop' }, spec: { nodeName: 'nowhere', terminationGracePeriodSeconds: 300, containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    await ok('POST', '/api/v1/namespaces/default/pods', pod);
    const asked = Date.now();
    const terminating = (await ok('DELETE', '/api/v1/namespaces/default/pods/slow-stop')).json;
    // When it is to be gone: its grace period from the DELETE (to the second).
    expect(terminating.metadata.deletionGracePeriodSeconds).toBe(300);
    const due = Date.parse(terminating.metadata.deletionTimestamp);
    expect(due).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000 + 300_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 300_000);

    const shortened = await ok('DELETE', '/api/v1/namespaces/default/pods/slow-stop', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 5 });
    expect(shortened.status).toBe(200);
    expect(shortened.json).toMatchObject({ kind: 'Pod', metadata: { name: 'slow-stop', uid: terminating.metadata.uid, deletionGracePeriodSeconds: 5 } });
    expect(Date.parse(shortened.json.metadata.deletionTimestamp)).toBe(due - 295_000);
    expect(shortened.json.metadata.resourceVersion).not.toBe(terminating.metadata.resourceVersion);
    expect((await ok('GET', '/api/v1/namespaces/default/pods/slow-stop')).json.metadata).toMatchObject({ deletionGracePeriodSeconds: 5, deletionTimestamp: shortened.json.metadata.deletionTimestamp });

    // Not shorter (longer, or the same): nothing is written.
    for (const grace of [60, 5]) {
      expect((await ok('DELETE', `/api/v1/namespaces/default/pods/slow-stop?gracePeriodSeconds=${grace}`)).json.metadata.resourceVersion).toBe(shortened.json.metadata.resourceVersion);
    }
    // A negative grace period is read as 1 s.
    const negative = (await ok('DELETE', '/api/v1/namespaces/default/pods/slow-stop?gracePeriodSeconds=-3')).json;
    expect(negative.metadata.deletionGracePeriodSeconds).toBe(1);
    expect(Date.parse(negative.metadata.deletionTimestamp)).toBe(due - 299_000);
    await ok('DELETE', '/api/v1/namespaces/default/pods/slow-stop?gracePeriodSeconds=0');
    await gone('/api/v1/namespaces/default/pods/slow-stop');
  }, 30_000);

  it('answers with the object, now with its deletionTimestamp, wherever the deletion waits: a finalizer, foreground deletion, a namespace', async () => {
    const held = (await ok('POST', CONFIGMAPS, configMap('held', { finalizers: ['example.com/hold'] }))).json;
    const pending = (await ok('DELETE', `${CONFIGMAPS}/held`)).json;
    expect(pending).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'held', uid: held.metadata.uid, finalizers: ['example.com/hold'] } });
    expect(pending.metadata.deletionTimestamp).toEqual(expect.any(String));
    // Asked again, it answers the same way: the deletion is still under way.
    expect((await ok('DELETE', `${CONFIGMAPS}/held`)).json.metadata.deletionTimestamp).toBe(pending.metadata.deletionTimestamp);
    await ok('PATCH', `${CONFIGMAPS}/held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await eventually(() => gone(`${CONFIGMAPS}/held`));

    const owner = (await ok('POST', CONFIGMAPS, configMap('owner'))).json;
    const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid }];
    await ok('POST', CONFIGMAPS, configMap('owned', { ownerReferences }));
    const foreground = (await ok('DELETE', `${CONFIGMAPS}/owner`, { propagationPolicy: 'Foreground' })).json;
    expect(foreground).toMatchObject({ kind: 'ConfigMap', metadata: { uid: owner.metadata.uid, finalizers: ['foregroundDeletion'] } });
    expect(foreground.metadata.deletionTimestamp).toEqual(expect.any(String));
    await eventually(async () => {
      await gone(`${CONFIGMAPS}/owned`);
      await gone(`${CONFIGMAPS}/owner`);
    }, { timeoutMs: 20_000 });

    await ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'leaving' } });
    const terminating = (await ok('DELETE', '/api/v1/namespaces/leaving')).json;
    expect(terminating).toMatchObject({ kind: 'Namespace', metadata: { name: 'leaving' }, status: { phase: 'Terminating' } });
    expect(terminating.metadata.deletionTimestamp).toEqual(expect.any(String));
  }, 40_000);

  it('refuses DeleteOptions kube-apiserver refuses, for one object and for a collection, and writes nothing', async () => {
    const created = (await ok('POST', CONFIGMAPS, configMap('guarded', { labels: { app: 'guarded' } }))).json;
    const refusals: Array<[string, string, unknown, number, string]> = [
      ['DELETE', `${CONFIGMAPS}/guarded?gracePeriodSeconds=abc`, undefined, 400, 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['DELETE', `${CONFIGMAPS}/guarded`, { gracePeriodSeconds: 'abc' }, 400, 'json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds of type int64'],
      ['DELETE', `${CONFIGMAPS}/guarded`, { propagationPolicy: 'Sideways' }, 422,
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"'],
      ['DELETE', `${CONFIGMAPS}/guarded?orphanDependents=true&propagationPolicy=Orphan`, undefined, 422,
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set'],
      ['DELETE', `${CONFIGMAPS}/guarded?dryRun=Some`, undefined, 422, 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Some"}: supported values: "All"'],
      ['DELETE', `${CONFIGMAPS}?labelSelector=app%3Dguarded&gracePeriodSeconds=soon`, undefined, 400, 'strconv.ParseInt: parsing "soon": invalid syntax'],
      // A collection's list options are checked as a list's, before anything goes.
      ['DELETE', `${CONFIGMAPS}?labelSelector=app%3Dguarded&limit=abc`, undefined, 400, 'limit: Invalid value: "abc": must be an integer'],
      ['DELETE', `${CONFIGMAPS}?labelSelector=app%3Dguarded&continue=garbage`, undefined, 400, 'continue: Invalid value: "garbage": not a continue token'],
      ['DELETE', `${CONFIGMAPS}?labelSelector=app%3Dguarded&resourceVersion=1&resourceVersionMatch=Bogus`, undefined, 422,
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""'],
      ['DELETE', `${CONFIGMAPS}?labelSelector=app%3Dguarded`, { propagationPolicy: 'x' }, 422,
        'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "x": supported values: "Foreground", "Background", "Orphan", "nil"'],
      ['DELETE', `${CONFIGMAPS}/guarded`, { preconditions: { uid: 'someone-else' } }, 409,
        `Operation cannot be fulfilled on ConfigMap "guarded": the UID in the precondition (someone-else) does not match the UID in record (${created.metadata.uid}). The object might have been deleted and then recreated`],
      ['DELETE', `${CONFIGMAPS}/guarded`, { preconditions: { resourceVersion: '1' } }, 409,
        `Operation cannot be fulfilled on ConfigMap "guarded": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${created.metadata.resourceVersion}). The object might have been modified`],
    ];
    for (const [method, path, body, code, message] of refusals) {
      const refused = await call(method, path, body);
      expect({ path, body, code: refused.status, json: refused.json }).toMatchObject({ path, body, code, json: { kind: 'Status', status: 'Failure', code, message } });
    }
    expect((await ok('GET', `${CONFIGMAPS}/guarded`)).json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    // A body is read alone: the query's dryRun beside it asks for nothing, as kube-apiserver reads it.
    await ok('DELETE', `${CONFIGMAPS}/guarded?dryRun=All`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: created.metadata.uid } });
    await gone(`${CONFIGMAPS}/guarded`);
  });

  it('answers 202 with the object for a deletion left under way that asked orphanDependents: false, as kube-apiserver', async () => {
    await ok('POST', CONFIGMAPS, configMap('kept-back', { finalizers: ['example.com/hold'] }));
    const pending = await call('DELETE', `${CONFIGMAPS}/kept-back`, { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false });
    expect(pending.status).toBe(202);
    expect(pending.json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'kept-back', deletionTimestamp: expect.any(String), deletionGracePeriodSeconds: 0 } });
    await ok('PATCH', `${CONFIGMAPS}/kept-back`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
    await eventually(() => gone(`${CONFIGMAPS}/kept-back`));
  });

  it('refuses an eviction whose deleteOptions kube-apiserver refuses, and leaves the pod', async () => {
    await eventually(() => ok('GET', '/api/v1/namespaces/default/serviceaccounts/default'));
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'evictee' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const created = (await ok('POST', '/api/v1/namespaces/default/pods', pod)).json;
    const eviction = (deleteOptions: unknown) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee' }, deleteOptions });
    const refused = await call('POST', '/api/v1/namespaces/default/pods/evictee/eviction', eviction({ propagationPolicy: 'Never' }));
    expect(refused.status).toBe(422);
    expect(refused.json.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Never": supported values: "Foreground", "Background", "Orphan", "nil"');
    const mistyped = await call('POST', '/api/v1/namespaces/default/pods/evictee/eviction', eviction({ gracePeriodSeconds: '5' }));
    expect(mistyped.status).toBe(400);
    expect(mistyped.json.message).toBe('json: cannot unmarshal string into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type int64');
    const dryRun = await call('POST', '/api/v1/namespaces/default/pods/evictee/eviction?dryRun=All', eviction({}));
    expect(dryRun.status).toBe(201);
    expect((await ok('GET', '/api/v1/namespaces/default/pods/evictee')).json.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
  });

  it('names a custom resource in a Status at any served version, and answers a pending one at the version asked', async () => {
    const schema = { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { color: { type: 'string' } } } } } };
    await ok('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'gadgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [{ name: 'v1', served: true, storage: true, schema }, { name: 'v1beta1', served: true, storage: false, schema }],
      },
    });
    const GADGETS = '/apis/example.com/v1/namespaces/default/gadgets';
    const OLD_GADGETS = '/apis/example.com/v1beta1/namespaces/default/gadgets';
    const gadget = (name: string, metadata: object = {}) => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name, ...metadata }, spec: { color: 'red' } });
    const created = (await eventually(() => ok('POST', GADGETS, gadget('g1')))).json;
    expect((await ok('DELETE', `${OLD_GADGETS}/g1`)).json).toStrictEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'g1', group: 'example.com', kind: 'gadgets', uid: created.metadata.uid },
    });
    await gone(`${GADGETS}/g1`);

    await ok('POST', GADGETS, gadget('g2', { finalizers: ['example.com/hold'] }));
    const pending = (await ok('DELETE', `${OLD_GADGETS}/g2`)).json;
    expect(pending).toMatchObject({ apiVersion: 'example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g2', finalizers: ['example.com/hold'] } });
    expect(pending.metadata.deletionTimestamp).toEqual(expect.any(String));
  });
});
