import { conditionSchema, objectSchema } from '../object-meta.schema';
import { labelSelector } from '../networkpolicy.resource';
import { JsonSchema, ResourceDefinition } from '../resource-definition';

/** Where the policies and their bindings live in the log and the read models. */
export const VALIDATING_ADMISSION_POLICIES_RESOURCE = 'validatingadmissionpolicies.admissionregistration.k8s.io';
export const VALIDATING_ADMISSION_POLICY_BINDINGS_RESOURCE = 'validatingadmissionpolicybindings.admissionregistration.k8s.io';

const str: JsonSchema = { type: 'string' };
const strings: JsonSchema = { type: 'array', items: str };

const namedRule: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { resourceNames: strings, operations: strings, apiGroups: strings, apiVersions: strings, resources: strings, scope: str },
};

/** admissionregistration/v1 MatchResources: which requests a policy (or a binding) applies to. */
const matchResources: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespaceSelector: labelSelector,
    objectSelector: labelSelector,
    resourceRules: { type: 'array', items: namedRule },
    excludeResourceRules: { type: 'array', items: namedRule },
    matchPolicy: str,
  },
};

const namedExpression = (value: string): JsonSchema => ({ type: 'object', additionalProperties: false, properties: { name: str, [value]: str } });

/** The printer's ParamKind column: `apiVersion/kind`, or `<unset>`. */
export function paramKindColumn(vap: any): string {
  const pk = vap?.spec?.paramKind;
  return pk ? `${pk.apiVersion ?? ''}/${pk.kind ?? ''}` : '<unset>';
}

/**
 * admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy: CEL validations that every matching write must pass,
 * enforced by the policy service's ValidatingAdmissionPolicy admitter (services/policy/src/admission-policy) for
 * each binding that names the policy.
 */
export const validatingAdmissionPolicyResource: ResourceDefinition = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingAdmissionPolicy',
  listKind: 'ValidatingAdmissionPolicyList',
  plural: 'validatingadmissionpolicies',
  singular: 'validatingadmissionpolicy',
  shortNames: [],
  categories: ['api-extensions'],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            paramKind: { type: 'object', additionalProperties: false, properties: { apiVersion: str, kind: str } },
            matchConstraints: matchResources,
            validations: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, properties: { expression: str, message: str, reason: str, messageExpression: str } },
            },
            failurePolicy: str,
            auditAnnotations: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { key: str, valueExpression: str } } },
            matchConditions: { type: 'array', items: namedExpression('expression') },
            variables: { type: 'array', items: namedExpression('expression') },
          },
        },
        status: {
          type: 'object',
          additionalProperties: false,
          properties: {
            observedGeneration: { type: 'integer' },
            typeChecking: { type: 'object', additionalProperties: true },
            conditions: { type: 'array', items: conditionSchema },
          },
        },
      }),
      // As kube-apiserver's table printer has them (the name first, added by the table).
      printerColumns: [
        { name: 'Validations', type: 'integer', jsonPath: '.spec.validations', value: (p) => (Array.isArray(p.spec?.validations) ? p.spec.validations.length : 0) },
        { name: 'ParamKind', type: 'string', jsonPath: '.spec.paramKind', value: paramKindColumn },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};

/** The printer's ParamRef column: `namespace/name`, `*\/name` without a namespace, the selector, or `<unset>`. */
export function paramRefColumn(binding: any, selectorString: (sel: any) => string): string {
  const ref = binding?.spec?.paramRef;
  if (!ref) return '<unset>';
  if (ref.name) return ref.namespace ? `${ref.namespace}/${ref.name}` : `*/${ref.name}`;
  return ref.selector ? selectorString(ref.selector) : '<unset>';
}

/** labels.Selector's String() of a metav1.LabelSelector: requirements sorted by key. */
export function labelSelectorString(sel: any): string {
  const parts: Array<[string, string]> = Object.entries<string>(sel?.matchLabels ?? {}).map(([k, v]) => [k, `${k}=${v}`]);
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text = { In: `${e.key} in (${values})`, NotIn: `${e.key} notin (${values})`, Exists: `${e.key}`, DoesNotExist: `!${e.key}` }[e.operator as string] ?? e.key;
    parts.push([e.key, text]);
  }
  return parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t).join(',');
}

/** admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding: a policy applied, with its params and actions. */
export const validatingAdmissionPolicyBindingResource: ResourceDefinition = {
  group: 'admissionregistration.k8s.io',
  kind: 'ValidatingAdmissionPolicyBinding',
  listKind: 'ValidatingAdmissionPolicyBindingList',
  plural: 'validatingadmissionpolicybindings',
  singular: 'validatingadmissionpolicybinding',
  shortNames: [],
  categories: ['api-extensions'],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            policyName: str,
            paramRef: {
              type: 'object',
              additionalProperties: false,
              properties: { name: str, namespace: str, selector: labelSelector, parameterNotFoundAction: str },
            },
            matchResources,
            validationActions: strings,
          },
        },
      }),
      printerColumns: [
        { name: 'PolicyName', type: 'string', jsonPath: '.spec.policyName', value: (b) => b.spec?.policyName ?? '' },
        { name: 'ParamRef', type: 'string', jsonPath: '.spec.paramRef', value: (b) => paramRefColumn(b, labelSelectorString) },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
