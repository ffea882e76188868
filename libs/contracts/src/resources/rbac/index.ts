import { objectSchema } from '../object-meta.schema';
import { JsonSchema, ResourceDefinition } from '../resource-definition';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const ROLES_RESOURCE = `roles.${RBAC_GROUP}`;
export const CLUSTER_ROLES_RESOURCE = `clusterroles.${RBAC_GROUP}`;
export const ROLE_BINDINGS_RESOURCE = `rolebindings.${RBAC_GROUP}`;
export const CLUSTER_ROLE_BINDINGS_RESOURCE = `clusterrolebindings.${RBAC_GROUP}`;
export const SERVICE_ACCOUNTS_RESOURCE = 'serviceaccounts';
/** The Secret type whose `data.token` authenticates as the ServiceAccount named by the annotation below. */
export const SERVICE_ACCOUNT_TOKEN_SECRET_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

const strings: JsonSchema = { type: 'array', items: { type: 'string' } };

/*
 * No field of a rule, subject or roleRef is required or limited to some values here: kube-apiserver takes a missing
 * one as empty (a roleRef's and a User's or Group's apiGroup then defaulted), and its RBAC validation refuses what is
 * wrong in its own words (`rules[0].verbs: Required value: verbs must contain at least one value`, `roleRef.kind:
 * Unsupported value: "Role": supported values: "ClusterRole"`): the api-gateway's rbac.validation.ts.
 */

/** rbac/v1 PolicyRule. */
export const policyRuleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { verbs: strings, apiGroups: strings, resources: strings, resourceNames: strings, nonResourceURLs: strings },
};

export const subjectSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' }, apiGroup: { type: 'string' } },
};

export const roleRefSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { apiGroup: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } },
};

/** rbac/v1 AggregationRule: metav1.LabelSelectors, whose operators and labels the gateway checks in kube's words. */
const aggregationRuleSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    clusterRoleSelectors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
          matchExpressions: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { key: { type: 'string' }, operator: { type: 'string' }, values: strings } } },
        },
      },
    },
  },
};

const age = { name: 'Age', type: 'date' as const, jsonPath: '.metadata.creationTimestamp' };
const createdAt = { name: 'Created At', type: 'string' as const, jsonPath: '.metadata.creationTimestamp' };
const roleColumn = { name: 'Role', type: 'string' as const, jsonPath: '{.roleRef.kind}/{.roleRef.name}' };

function rbacKind(kind: string, plural: string, scope: 'Namespaced' | 'Cluster', schema: JsonSchema, printerColumns: ResourceDefinition['versions'][number]['printerColumns']): ResourceDefinition {
  return {
    group: RBAC_GROUP,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    scope,
    strategicMergePatch: true,
    nameFormat: 'path-segment',
    subresources: {},
    versions: [{ name: 'v1', served: true, storage: true, schema, printerColumns }],
  };
}

export const roleResource = rbacKind('Role', 'roles', 'Namespaced', objectSchema({ rules: { type: 'array', items: policyRuleSchema } }), [createdAt]);
export const clusterRoleResource = rbacKind(
  'ClusterRole',
  'clusterroles',
  'Cluster',
  objectSchema({
    rules: { type: 'array', items: policyRuleSchema },
    aggregationRule: aggregationRuleSchema,
  }),
  [createdAt],
);
const bindingSchema = objectSchema({ roleRef: roleRefSchema, subjects: { type: 'array', items: subjectSchema } });
/** `-o wide`'s subject cells, as kubectl joins them: users and groups by name, service accounts as `namespace/name`. */
const subjects = (kind: string, cell: (s: any) => string) => (b: any) =>
  (b.subjects ?? []).filter((s: any) => s?.kind === kind).map(cell).join(', ');
const subjectColumns = [
  { name: 'Users', type: 'string' as const, jsonPath: '.subjects', priority: 1, value: subjects('User', (s) => s.name) },
  { name: 'Groups', type: 'string' as const, jsonPath: '.subjects', priority: 1, value: subjects('Group', (s) => s.name) },
  { name: 'ServiceAccounts', type: 'string' as const, jsonPath: '.subjects', priority: 1, value: subjects('ServiceAccount', (s) => `${s.namespace ?? ''}/${s.name}`) },
];

export const roleBindingResource = rbacKind('RoleBinding', 'rolebindings', 'Namespaced', bindingSchema, [roleColumn, age, ...subjectColumns]);
export const clusterRoleBindingResource = rbacKind('ClusterRoleBinding', 'clusterrolebindings', 'Cluster', bindingSchema, [roleColumn, age, ...subjectColumns]);

/** core/v1 ServiceAccount; its legacy token lives in a `kubernetes.io/service-account-token` Secret. */
export const serviceAccountResource: ResourceDefinition = {
  group: '',
  kind: 'ServiceAccount',
  listKind: 'ServiceAccountList',
  plural: 'serviceaccounts',
  singular: 'serviceaccount',
  shortNames: ['sa'],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { served: [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }] },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        secrets: { type: 'array', items: { type: 'object', additionalProperties: true } },
        imagePullSecrets: { type: 'array', items: { type: 'object', additionalProperties: true } },
        automountServiceAccountToken: { type: 'boolean' },
      }),
      printerColumns: [
        { name: 'Secrets', type: 'integer', jsonPath: '.secrets', value: (o: any) => (o?.secrets ?? []).length },
        age,
      ],
    },
  ],
};

const reviewSchema = objectSchema({ spec: { type: 'object', additionalProperties: true }, status: { type: 'object', additionalProperties: true } });

/**
 * The review kinds: create-only, never stored. They are declared so discovery lists them
 * (kubectl looks them up); the gateway answers their POSTs itself.
 */
function reviewResource(group: string, kind: string, scope: 'Cluster' | 'Namespaced' = 'Cluster'): ResourceDefinition {
  const plural = `${kind.toLowerCase()}s`;
  return {
    group, kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(),
    shortNames: [], categories: [], scope, strategicMergePatch: true, nameFormat: 'dns1123-subdomain', subresources: {}, verbs: ['create'],
    versions: [{ name: 'v1', served: true, storage: true, schema: reviewSchema, printerColumns: [] }],
  };
}
export const selfSubjectReviewResource = reviewResource('authentication.k8s.io', 'SelfSubjectReview');
export const tokenReviewResource = reviewResource('authentication.k8s.io', 'TokenReview');
export const selfSubjectAccessReviewResource = reviewResource('authorization.k8s.io', 'SelfSubjectAccessReview');
export const selfSubjectRulesReviewResource = reviewResource('authorization.k8s.io', 'SelfSubjectRulesReview');
export const subjectAccessReviewResource = reviewResource('authorization.k8s.io', 'SubjectAccessReview');
export const localSubjectAccessReviewResource = reviewResource('authorization.k8s.io', 'LocalSubjectAccessReview', 'Namespaced');
export const REVIEW_GROUPS = ['authentication.k8s.io', 'authorization.k8s.io'];

export const rbacResources: ResourceDefinition[] = [serviceAccountResource, roleResource, clusterRoleResource, roleBindingResource, clusterRoleBindingResource, selfSubjectReviewResource, tokenReviewResource, selfSubjectAccessReviewResource, selfSubjectRulesReviewResource, subjectAccessReviewResource, localSubjectAccessReviewResource];
