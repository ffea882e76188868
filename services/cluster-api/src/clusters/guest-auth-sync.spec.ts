import { objectStreamId, ROLE_BINDINGS_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { renderKubeconfig } from '@openpacific/kube-api';
import { eventually } from '@openpacific/testing';
import { GuestApi, startGuestApi } from './guest-api.spec-support';
import { applySync, AUTH_SYNC_PREFIX, authSyncTargets, desiredGuestBindings, GuestAuthSync, syncPlan } from './guest-auth-sync';
import { CR } from './objects';

let position = 0n;
/** The object's creation, as the log brings it to a read model. */
function put(model: ReadModel, resource: string, object: any): void {
  position += 1n;
  object.metadata.uid ??= `uid-${position}`;
  object.metadata.creationTimestamp ??= '2026-11-22T10:00:00Z';
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: 1, type: 'ResourceCreated',
    data: { resource, object }, metadata: {}, position, transactionId: 100n, createdAt: new Date(),
  } as RecordedEvent);
}
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet } as any;
const rb = (name: string, role: string, subjects: any[], kind = 'ClusterRole', extra: any = {}) => ({
  metadata: { name, namespace: 'tkg', ...extra }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects,
});
const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });

describe('the guest bindings a namespace calls for', () => {
  it('makes cluster-admin bindings for the users and groups bound to edit or admin, and none for view or Roles', () => {
    const desired = desiredGuestBindings('tkg', [
      rb('devs', 'edit', [user('developer'), group('developers'), { kind: 'ServiceAccount', name: 'ci', namespace: 'tkg' }]),
      rb('owner', 'admin', [user('owner@vsphere.local'), user('developer')]),
      rb('viewers', 'view', [user('viewer')]),
      rb('mine', 'edit', [user('role-user')], 'Role'),
      rb('going', 'edit', [user('leaving')], 'ClusterRole', { deletionTimestamp: '2026-11-22T10:00:00Z' }),
      rb('odd', 'edit', [user('a/b'), { apiGroup: 'example.com', kind: 'User', name: 'x' }]),
    ]);
    expect([...desired.keys()].sort()).toEqual([
      'vmware-system-auth-sync-wcp:tkg:group:developers',
      'vmware-system-auth-sync-wcp:tkg:user:developer',
      'vmware-system-auth-sync-wcp:tkg:user:owner@vsphere.local',
    ]);
    expect(desired.get('vmware-system-auth-sync-wcp:tkg:group:developers')).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'vmware-system-auth-sync-wcp:tkg:group:developers', labels: { 'openpacific.io/auth-sync': 'wcp', 'openpacific.io/auth-sync-namespace': 'tkg' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'sso:developers' }],
    });
  });

  it('plans creates, updates and deletes among the prefixed bindings only', () => {
    const desired = desiredGuestBindings('tkg', [rb('devs', 'edit', [user('a'), user('b'), user('c')])]);
    const a = desired.get(`${AUTH_SYNC_PREFIX}tkg:user:a`)!;
    const b = desired.get(`${AUTH_SYNC_PREFIX}tkg:user:b`)!;
    const existing = [
      { ...a, metadata: { ...a.metadata, resourceVersion: '5' } },
      { ...b, metadata: { ...b.metadata, resourceVersion: '6' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'someone-else' }] },
      { metadata: { name: `${AUTH_SYNC_PREFIX}tkg:user:gone`, resourceVersion: '7' }, roleRef: a.roleRef, subjects: a.subjects },
      { metadata: { name: `${AUTH_SYNC_PREFIX}tkg:user:c`, resourceVersion: '8' }, roleRef: { ...a.roleRef, name: 'view' }, subjects: [] },
      { metadata: { name: 'cluster-admin', resourceVersion: '1' }, roleRef: a.roleRef, subjects: [] },
    ];
    const plan = syncPlan(desired, existing);
    expect(plan.create.map((x) => x.metadata.name)).toEqual([`${AUTH_SYNC_PREFIX}tkg:user:c`]);
    expect(plan.update).toEqual([{ ...b, metadata: { ...b.metadata, resourceVersion: '6' } }]);
    // The one whose roleRef (immutable) differs goes and comes back.
    expect(plan.remove.sort()).toEqual([`${AUTH_SYNC_PREFIX}tkg:user:c`, `${AUTH_SYNC_PREFIX}tkg:user:gone`]);
    expect(syncPlan(desired, [...desired.values()].map((x) => ({ ...x, metadata: { ...x.metadata, labels: { ...x.metadata.labels, extra: 'kept' } } })))).toEqual({ create: [], update: [], remove: [] });
  });
});

describe('the guests to sync', () => {
  it('are the clusters with an initialized control plane and a kubeconfig, with their namespace\'s bindings', () => {
    const model = new ReadModel();
    const add = (resource: string, o: any) => put(model, resource, o);
    const kubeconfig = (name: string) => ({ metadata: { name: `${name}-kubeconfig`, namespace: 'tkg' }, data: { value: Buffer.from(renderKubeconfig({ server: `https://${name}:6443`, caCertPem: 'ca', clusterName: name, users: [{ name: 'admin', token: 't' }], contextName: 'c', namespace: 'default' })).toString('base64') } });
    add(CR.clusters, { metadata: { name: 'up', namespace: 'tkg', uid: 'u1' }, spec: { controlPlaneRef: { name: 'up-cp' } } });
    add(CR.kcps, { metadata: { name: 'up-cp', namespace: 'tkg' }, status: { initialized: true } });
    add(CR.clusters, { metadata: { name: 'booting', namespace: 'tkg', uid: 'u2' }, spec: { controlPlaneRef: { name: 'booting-cp' } } });
    add(CR.kcps, { metadata: { name: 'booting-cp', namespace: 'tkg' }, status: {} });
    add(CR.clusters, { metadata: { name: 'deleting', namespace: 'tkg', uid: 'u3', deletionTimestamp: '2026-11-22T10:00:00Z' }, spec: {} });
    add(CR.clusters, { metadata: { name: 'no-kubeconfig', namespace: 'tkg', uid: 'u4' }, spec: {} });
    add('secrets', kubeconfig('up'));
    add('secrets', kubeconfig('booting'));
    add('secrets', kubeconfig('deleting'));
    add(ROLE_BINDINGS_RESOURCE, rb('devs', 'edit', [user('developer')]));
    const targets = authSyncTargets(model);
    expect([...targets.keys()]).toEqual(['u1']);
    expect(targets.get('u1')).toMatchObject({ cluster: 'tkg/up', access: { server: 'https://up:6443', token: 't' } });
    expect([...targets.get('u1')!.desired.keys()]).toEqual(['vmware-system-auth-sync-wcp:tkg:user:developer']);
  });
});

describe('syncing a guest over its API', () => {
  let api: GuestApi;
  beforeAll(async () => {
    api = await startGuestApi();
  });
  afterAll(() => api.stop());

  it('creates, corrects and deletes the prefixed bindings, leaving the others', async () => {
    api.clusterRoleBindings.set('cluster-admin', { metadata: { name: 'cluster-admin', resourceVersion: '1' }, roleRef: { kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [] });
    api.clusterRoleBindings.set(`${AUTH_SYNC_PREFIX}tkg:user:gone`, { metadata: { name: `${AUTH_SYNC_PREFIX}tkg:user:gone`, resourceVersion: '1' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [] });
    const desired = desiredGuestBindings('tkg', [rb('devs', 'edit', [user('developer'), group('developers')])]);
    const plan = await applySync(api.access, desired, 2000);
    expect(plan.create).toHaveLength(2);
    expect([...api.clusterRoleBindings.keys()].sort()).toEqual(['cluster-admin', `${AUTH_SYNC_PREFIX}tkg:group:developers`, `${AUTH_SYNC_PREFIX}tkg:user:developer`]);
    expect(await applySync(api.access, desired, 2000)).toEqual({ create: [], update: [], remove: [] });
  });

  it('keeps a guest in sync in the background, and tries again while it does not answer', async () => {
    api.clusterRoleBindings.clear();
    const sync = new GuestAuthSync({ timeoutMs: 300, logger: quiet, resyncMs: 200 });
    try {
      api.silent = true;
      const desired = desiredGuestBindings('tkg', [rb('devs', 'edit', [user('developer')])]);
      sync.track(new Map([['u1', { cluster: 'tkg/c', access: api.access, desired }]]));
      await new Promise((r) => setTimeout(r, 500));
      expect(api.clusterRoleBindings.size).toBe(0);
      api.silent = false;
      await eventually(async () => expect([...api.clusterRoleBindings.keys()]).toEqual([`${AUTH_SYNC_PREFIX}tkg:user:developer`]), { timeoutMs: 10_000 });
      // A binding deleted in the guest comes back at the next look.
      api.clusterRoleBindings.clear();
      await eventually(async () => expect(api.clusterRoleBindings.size).toBe(1), { timeoutMs: 5000 });
      // The RoleBinding gone: so is the guest's binding.
      sync.track(new Map([['u1', { cluster: 'tkg/c', access: api.access, desired: new Map() }]]));
      await eventually(async () => expect(api.clusterRoleBindings.size).toBe(0), { timeoutMs: 5000 });
    } finally {
      sync.stop();
    }
  });
});
