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
const binding = (name: string) => ({ kind: 'RoleBinding', metadata: { name: 'rb', namespace: 'team' }, roleRef: { kind: 'ClusterRole', name }, subjects: [{ kind: 'User', name: 'x' }] });

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
});
