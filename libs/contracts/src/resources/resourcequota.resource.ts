import { JsonSchema } from './resource-definition';
import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** A map of resource names to quantities (`pods: "10"`, `requests.cpu: 500m`); quantities are checked by the gateway. */
const resourceList: JsonSchema = { type: 'object', additionalProperties: { type: ['string', 'number'] } };

const scopeSelector: JsonSchema = {
  type: 'object',
  properties: {
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['scopeName', 'operator'],
        properties: { scopeName: { type: 'string' }, operator: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

/** One column of `kubectl get quota`: `pods: 1/10, requests.cpu: 500m/2`, sorted by resource, as kubectl prints it. */
export function resourceQuotaColumn(quota: any, limits: boolean): string {
  const hard: Record<string, unknown> = quota?.status?.hard ?? quota?.spec?.hard ?? {};
  const used: Record<string, unknown> = quota?.status?.used ?? {};
  return Object.keys(hard)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${used[k] ?? 0}/${hard[k]}`)
    .join(', ');
}

export const resourceQuotaResource: ResourceDefinition = {
  group: '',
  kind: 'ResourceQuota',
  listKind: 'ResourceQuotaList',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  shortNames: ['quota'],
  categories: [],
  scope: 'Namespaced',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: { type: 'object', properties: { hard: resourceList, scopes: { type: 'array', items: { type: 'string' } }, scopeSelector } },
        status: { type: 'object', properties: { hard: resourceList, used: resourceList } },
      }),
      printerColumns: [
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'Request', type: 'string', jsonPath: '.status.hard', value: (o: any) => resourceQuotaColumn(o, false) },
        { name: 'Limit', type: 'string', jsonPath: '.status.hard', value: (o: any) => resourceQuotaColumn(o, true) },
      ],
    },
  ],
};
