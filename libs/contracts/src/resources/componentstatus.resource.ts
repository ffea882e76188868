import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

const healthy = (o: any) => (o.conditions ?? []).find((c: any) => c.type === 'Healthy');

/**
 * core/v1 ComponentStatus (deprecated in Kubernetes since 1.19, still served): the health of each part of the control
 * plane, computed on each request and never stored. Read only.
 */
export const componentStatusResource: ResourceDefinition = {
  group: '',
  kind: 'ComponentStatus',
  listKind: 'ComponentStatusList',
  plural: 'componentstatuses',
  singular: 'componentstatus',
  shortNames: ['cs'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  verbs: ['get', 'list'],
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({
        conditions: {
          type: 'array',
          items: { type: 'object', additionalProperties: false, properties: { type: { type: 'string' }, status: { type: 'string' }, message: { type: 'string' }, error: { type: 'string' } } },
        },
      }),
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.conditions[?(@.type=="Healthy")].status', value: (o) => (healthy(o)?.status === 'True' ? 'Healthy' : 'Unhealthy') },
        { name: 'Message', type: 'string', jsonPath: '.conditions[?(@.type=="Healthy")].message', value: (o) => healthy(o)?.message ?? '' },
        { name: 'Error', type: 'string', jsonPath: '.conditions[?(@.type=="Healthy")].error', value: (o) => healthy(o)?.error ?? '' },
      ],
    },
  ],
};
