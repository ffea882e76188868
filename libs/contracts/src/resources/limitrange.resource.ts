import { JsonSchema } from './resource-definition';
import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** A map of resource names to quantities; quantities are checked by the gateway. */
const resourceList: JsonSchema = { type: 'object', additionalProperties: { type: ['string', 'number'] } };

export const LIMIT_TYPES = ['Container', 'Pod', 'PersistentVolumeClaim'] as const;

const limitItem: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { type: 'string', enum: [...LIMIT_TYPES] },
    default: resourceList,
    defaultRequest: resourceList,
    min: resourceList,
    max: resourceList,
    maxLimitRequestRatio: resourceList,
  },
};

export const limitRangeResource: ResourceDefinition = {
  group: '',
  kind: 'LimitRange',
  listKind: 'LimitRangeList',
  plural: 'limitranges',
  singular: 'limitrange',
  shortNames: ['limits'],
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
        spec: { type: 'object', required: ['limits'], properties: { limits: { type: 'array', items: limitItem } } },
      }),
      printerColumns: [{ name: 'Created At', type: 'string', jsonPath: '.metadata.creationTimestamp' }],
    },
  ],
};
