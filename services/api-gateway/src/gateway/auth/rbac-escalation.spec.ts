import { authorize, staticLookups } from '@openpacific/authz';
import type { WriterCheck } from '../handlers/kind-strategies';
import { authorizeBindingWrite, authorizeRoleWrite } from './rbac.strategy';

const ADMIN_RULES = [{ verbs: ['*'], apiGroups: [''], resources: ['pods', 'configmaps'] }, { verbs: ['get', 'list'], apiGroups: [''], resources: ['resourcequotas'] }];
const rbac = staticLookups({
  clusterRoles: [
    { metadata: { name: 'admin' }, rules: ADMIN_RULES },
    { metadata: { name: 'edit' }, rules: [{ verbs: ['create'], apiGroups: [''], resources: ['pods'] }] },
    { metadata: { name: 'cluster-admin' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }] },
  ],
  roles: [{ metadata: { name: 'binder', namespace: 'team' }, rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }] }],
  roleBindings: [
    { metadata: { name: 'a', namespace: 'team' }, subjects: [{ kind: 'User', name: 'owner' }], roleRef: { kind: 'ClusterRole', name: 'admin' } },
    { metadata: { name: 'b', namespace: 'team' }, subjects: [{ kind: 'User', name: 'binder' }], roleRef: { kind: 'Role', name: 'binder' } },
    { metadata: { name: 'c', namespace: 'team' }, subjects: [{ kind: 'User', name: 'binder' }], roleRef: { kind: 'ClusterRole', name: 'admin' } },
  ],
  clusterRoleBindings: [],
});
const check = (username: string, next: any): WriterCheck => {
  const user = { username, groups: ['system:authenticated'] };
  return { user, old: undefined, next, rbac, allowed: (attrs) => authorize({ ...attrs, user, resourceRequest: true }, rbac).allowed };
};
const role = (rules: object[]) => ({ kind: 'Role', metadata: { name: 'r', namespace: 'team' }, rules });
const binding = (name: string, kind = 'ClusterRole') => ({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'team' }, roleRef: { kind, name }, subjects: [{ kind: 'User', name: 'x' }] });
const refusal = (fn: () => unknown) => { try { fn(); } catch (err) { return err; } return undefined; };

describe('RBAC escalation checks on writes of roles and bindings', () => {
  it('lets a namespace admin write a Role of what it holds, and refuses one granting more, in kube-apiserver\'s words', () => {
    expect(authorizeRoleWrite(check('owner', role([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])))).toBeUndefined();
    expect(authorizeRoleWrite(check('owner', role([{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }])))).toBe(
      'roles.rbac.authorization.k8s.io "r" is forbidden: user "owner" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["resourcequotas"], Verbs:["update"]}',
    );
    expect(authorizeRoleWrite(check('owner', { kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{}] } }))).toContain('must have cluster-admin privileges to use the aggregationRule');
  });

  it('lets a binding name a role whose permissions the writer holds, or one it may bind, and refuses the rest', () => {
    expect(authorizeBindingWrite(check('owner', binding('edit')))).toBeUndefined();
    expect(authorizeBindingWrite(check('owner', binding('cluster-admin')))).toMatch(/^rolebindings\.rbac\.authorization\.k8s\.io "rb" is forbidden: user "owner" .* not currently held:/);
    expect(authorizeBindingWrite(check('binder', binding('cluster-admin')))).toBeUndefined();
    expect(authorizeBindingWrite({ ...check('anyone', binding('cluster-admin')), user: { username: 'root', groups: ['system:masters'] } })).toBeUndefined();
  });

  it('answers a binding of a role that does not exist with the role lookup\'s 404, unless the writer may bind it', () => {
    // Taken, it would grant whatever a Role created later under that name holds, which its writer could never bind.
    expect(refusal(() => authorizeBindingWrite(check('owner', binding('later', 'Role'))))).toMatchObject({ status: { code: 404, reason: 'NotFound', message: 'roles.rbac.authorization.k8s.io "later" not found', details: { name: 'later', group: 'rbac.authorization.k8s.io', kind: 'roles' } } });
    expect(refusal(() => authorizeBindingWrite(check('owner', binding('later'))))).toMatchObject({ status: { code: 404, message: 'clusterroles.rbac.authorization.k8s.io "later" not found' } });
    expect(authorizeBindingWrite({ ...check('anyone', binding('later', 'Role')), user: { username: 'root', groups: ['system:masters'] } })).toBeUndefined();
    const bindAnything = staticLookups({ roles: [{ metadata: { name: 'b', namespace: 'team' }, rules: [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }] }], roleBindings: [{ metadata: { name: 'b', namespace: 'team' }, subjects: [{ kind: 'User', name: 'delegate' }], roleRef: { kind: 'Role', name: 'b' } }] });
    const delegate = { username: 'delegate', groups: [] };
    expect(authorizeBindingWrite({ user: delegate, old: undefined, next: binding('later', 'Role'), rbac: bindAnything, allowed: (attrs) => authorize({ ...attrs, user: delegate, resourceRequest: true }, bindAnything).allowed })).toBeUndefined();
  });

  it('lets an update of owner references and finalizers alone through, as kube-apiserver does for the garbage collector', () => {
    const old = { ...binding('cluster-admin'), metadata: { name: 'rb', namespace: 'team', resourceVersion: '3' } };
    const next = { ...old, metadata: { name: 'rb', namespace: 'team', finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o', uid: 'u' }] } };
    expect(authorizeBindingWrite({ ...check('owner', next), old })).toBeUndefined();
    expect(authorizeBindingWrite({ ...check('owner', { ...next, metadata: { ...next.metadata, labels: { a: 'b' } } }), old })).toContain('not currently held');
    expect(authorizeRoleWrite({ ...check('owner', { ...role([{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }]), metadata: { name: 'r', namespace: 'team', finalizers: ['x'] } }), old: role([{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }]) })).toBeUndefined();
  });

  it('wants cluster-admin to take an aggregationRule off a ClusterRole, as to put one on', () => {
    const agg = { kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] }, rules: [] };
    const escalator = staticLookups({ clusterRoles: [{ metadata: { name: 'e' }, rules: [{ verbs: ['update'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }] }], clusterRoleBindings: [{ metadata: { name: 'e' }, subjects: [{ kind: 'User', name: 'editor' }], roleRef: { kind: 'ClusterRole', name: 'e' } }] });
    const editor = { username: 'editor', groups: [] };
    const write = (old: any, next: any) => authorizeRoleWrite({ user: editor, old, next, rbac: escalator, allowed: (attrs) => authorize({ ...attrs, user: editor, resourceRequest: true }, escalator).allowed });
    expect(write(agg, { ...agg, aggregationRule: undefined })).toBe('clusterroles.rbac.authorization.k8s.io "agg" is forbidden: must have cluster-admin privileges to use the aggregationRule');
    expect(write({ ...agg, aggregationRule: undefined }, { ...agg, aggregationRule: undefined, metadata: { name: 'agg', labels: { x: 'y' } } })).toBeUndefined();
  });
});

