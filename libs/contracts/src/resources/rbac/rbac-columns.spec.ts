import { clusterRoleBindingResource, roleBindingResource } from './index';

describe("role bindings' -o wide columns", () => {
  it('list the users, groups and service accounts (namespace/name) they bind, as kubectl joins them', () => {
    const cell = (name: string, b: any) => roleBindingResource.versions[0].printerColumns!.find((c) => c.name === name)!.value!(b);
    const binding = {
      roleRef: { kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'User', name: 'ann' }, { kind: 'Group', name: 'devs' }, { kind: 'User', name: 'bob' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'tools' }],
    };
    expect([cell('Users', binding), cell('Groups', binding), cell('ServiceAccounts', binding)]).toEqual(['ann, bob', 'devs', 'tools/ci']);
    expect(cell('Users', { roleRef: binding.roleRef })).toBe('');
    expect(clusterRoleBindingResource.versions[0].printerColumns!.map((c) => c.name)).toEqual(['Role', 'Age', 'Users', 'Groups', 'ServiceAccounts']);
  });
});
