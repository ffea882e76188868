import { resourceDefinitions } from '@openpacific/contracts';
import { bootstrapObjects } from './bootstrap-policy';
import { defaultBinding, validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.validation';

const G = 'rbac.authorization.k8s.io';
const said = (causes: { field?: string; message?: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const ref = (kind: string, name: string) => ({ apiGroup: G, kind, name });

describe('RBAC roles validated as kube-apiserver\'s ValidateRole and ValidateClusterRole', () => {
  it('takes rules of resources, and of non-resource URLs in a ClusterRole', () => {
    expect(validateRole({ rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }] })).toEqual([]);
    expect(validateClusterRole({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/healthz/*'] }, { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] })).toEqual([]);
    expect(validateClusterRole({ rules: [] })).toEqual([]);
  });

  it('refuses a rule without verbs, group or resource, in kube-apiserver\'s words', () => {
    expect(said(validateRole({ rules: [{ apiGroups: [''], resources: ['pods'] }, { verbs: [], apiGroups: [], resources: [] }] }))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].verbs: Required value: verbs must contain at least one value',
      'rules[1].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[1].resources: Required value: resource rules must supply at least one resource',
    ]);
  });

  it('refuses non-resource URLs in a namespaced Role, and mixed with resources anywhere', () => {
    expect(said(validateRole({ rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
    ]);
    expect(said(validateClusterRole({ rules: [{ verbs: ['get'], nonResourceURLs: ['/a', '/b'], resources: ['pods'] }] }))).toEqual([
      'rules[0].nonResourceURLs: Invalid value: []string{"/a", "/b"}: rules cannot apply to both regular resources and non-resource URLs',
    ]);
  });

  it('wants an aggregationRule to select, with valid label selectors, and still checks the rules given with it', () => {
    expect(validateClusterRole({ aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [`${G}/aggregate-to-view`]: 'true' } }] } })).toEqual([]);
    expect(said(validateClusterRole({ aggregationRule: {} }))).toEqual(['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
    expect(said(validateClusterRole({ aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'In' }] }] }, rules: [{ verbs: ['get'] }] }))).toEqual([
      'rules[0].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[0].resources: Required value: resource rules must supply at least one resource',
      "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'aggregationRule.clusterRoleSelectors[0]: Invalid value: null: invalid label selector.',
    ]);
  });
});

describe('RBAC bindings defaulted and validated as kube-apiserver\'s ValidateRoleBinding and ValidateClusterRoleBinding', () => {
  it('defaults the roleRef\'s group and a User\'s or Group\'s, not a ServiceAccount\'s, so a manifest may leave them out', () => {
    const b = defaultBinding({ roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'a' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'robot' }] });
    expect(b).toEqual({ roleRef: ref('ClusterRole', 'view'), subjects: [{ kind: 'User', name: 'a', apiGroup: G }, { kind: 'Group', name: 'g', apiGroup: G }, { kind: 'ServiceAccount', name: 'robot' }] });
    expect(validateRoleBinding(b)).toEqual([]);
    expect(said(validateRoleBinding(defaultBinding({})))).toEqual(['roleRef.kind: Unsupported value: "": supported values: "Role", "ClusterRole"', 'roleRef.name: Required value']);
  });

  it('binds only a ClusterRole cluster-wide, named as a path segment, of the RBAC group', () => {
    expect(said(validateClusterRoleBinding({ roleRef: ref('Role', 'pod-reader') }))).toEqual(['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"']);
    expect(validateRoleBinding({ roleRef: ref('Role', 'system:pod-reader') })).toEqual([]);
    expect(said(validateRoleBinding({ roleRef: { apiGroup: 'example.com', kind: 'Roles', name: 'a/b' } }))).toEqual([
      'roleRef.apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"',
      'roleRef.kind: Unsupported value: "Roles": supported values: "Role", "ClusterRole"',
      'roleRef.name: Invalid value: "a/b": may not contain \'/\'',
    ]);
  });

  it('wants each subject named, of a known kind, in its group, a ServiceAccount by a DNS subdomain and (cluster-wide) its namespace', () => {
    const subjects = [
      { kind: 'User', name: '', apiGroup: G },
      { kind: 'Group', name: 'devs', apiGroup: '' },
      { kind: 'ServiceAccount', name: 'Robot_1', apiGroup: G },
      { kind: 'Team', name: 'x' },
    ];
    expect(said(validateClusterRoleBinding({ roleRef: ref('ClusterRole', 'view'), subjects }))).toEqual([
      'subjects[0].name: Required value',
      'subjects[1].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"',
      `subjects[2].name: Invalid value: "Robot_1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      'subjects[2].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""',
      'subjects[2].namespace: Required value',
      'subjects[3].kind: Unsupported value: "Team": supported values: "ServiceAccount", "User", "Group"',
    ]);
    // In a RoleBinding a ServiceAccount without a namespace is the binding's namespace's.
    expect(validateRoleBinding({ roleRef: ref('ClusterRole', 'view'), subjects: [{ kind: 'ServiceAccount', name: 'robot' }] })).toEqual([]);
  });

  it('passes every built-in ClusterRole and ClusterRoleBinding the gateway bootstraps', () => {
    for (const { object } of bootstrapObjects(resourceDefinitions)) {
      const causes = object.kind === 'ClusterRole' ? validateClusterRole(object) : validateClusterRoleBinding(object);
      expect({ name: object.metadata.name, causes }).toEqual({ name: object.metadata.name, causes: [] });
    }
  });
});
