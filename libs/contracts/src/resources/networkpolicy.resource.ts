import { objectSchema } from './object-meta.schema';
import { JsonSchema, ResourceDefinition } from './resource-definition';

/** Where NetworkPolicies live in the log and the read model. */
export const NETWORK_POLICIES_RESOURCE = 'networkpolicies.networking.k8s.io';
/** The label kube-apiserver gives every Namespace: its own name, so a namespaceSelector can pick one namespace. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const str: JsonSchema = { type: 'string' };
const intOrString: JsonSchema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };

/** metav1.LabelSelector; operators and values are checked by the gateway's strategy, with kube-apiserver's messages. */
export const labelSelector: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: str },
    matchExpressions: {
      type: 'array',
      items: { type: 'object', required: ['key', 'operator'], additionalProperties: false, properties: { key: str, operator: str, values: { type: 'array', items: str } } },
    },
  },
};

const peer: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    podSelector: labelSelector,
    namespaceSelector: labelSelector,
    ipBlock: { type: 'object', additionalProperties: false, required: ['cidr'], properties: { cidr: str, except: { type: 'array', items: str } } },
  },
};

const port: JsonSchema = { type: 'object', additionalProperties: false, properties: { protocol: str, port: intOrString, endPort: { type: 'integer' } } };

const rule = (peers: 'from' | 'to'): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties: { [peers]: { type: 'array', items: peer }, ports: { type: 'array', items: port } },
});

/** A requirement as labels.Selector prints it: `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. */
function requirementText(key: string, operator: string, values: string[]): string {
  const sorted = [...values].sort();
  if (operator === 'In') return `${key} in (${sorted.join(',')})`;
  if (operator === 'NotIn') return `${key} notin (${sorted.join(',')})`;
  if (operator === 'Exists') return key;
  if (operator === 'DoesNotExist') return `!${key}`;
  return `${key}=${values[0] ?? ''}`;
}

/** POD-SELECTOR as kubectl prints it (metav1.FormatLabelSelector): requirements sorted by key, `<none>` when empty. */
export function podSelectorCell(policy: any): string {
  const sel = policy?.spec?.podSelector ?? {};
  const parts: Array<[string, string]> = Object.entries<string>(sel.matchLabels ?? {}).map(([k, v]) => [k, requirementText(k, 'Equals', [v])]);
  for (const e of sel.matchExpressions ?? []) parts.push([e.key, requirementText(e.key, e.operator, e.values ?? [])]);
  parts.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.length ? parts.map(([, text]) => text).join(',') : '<none>';
}

/** networking.k8s.io/v1 NetworkPolicy, enforced by the vm-operator (services/vm-operator/src/network-policy). */
export const networkPolicyResource: ResourceDefinition = {
  group: 'networking.k8s.io',
  kind: 'NetworkPolicy',
  listKind: 'NetworkPolicyList',
  plural: 'networkpolicies',
  singular: 'networkpolicy',
  shortNames: ['netpol'],
  categories: [],
  scope: 'Namespaced',
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
            podSelector: labelSelector,
            policyTypes: { type: 'array', items: str },
            ingress: { type: 'array', items: rule('from') },
            egress: { type: 'array', items: rule('to') },
          },
        },
      }),
      printerColumns: [
        { name: 'Pod-Selector', type: 'string', jsonPath: '.spec.podSelector', value: podSelectorCell },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
