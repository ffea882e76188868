import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';
import { BASE64_PATTERN } from './secret.resource';

/** DATA column: kubectl counts the keys of `data` and `binaryData`. */
export function configMapDataCount(obj: any): number {
  return Object.keys(obj?.data ?? {}).length + Object.keys(obj?.binaryData ?? {}).length;
}

export const configMapResource: ResourceDefinition = {
  group: '',
  kind: 'ConfigMap',
  listKind: 'ConfigMapList',
  plural: 'configmaps',
  singular: 'configmap',
  shortNames: ['cm'],
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
        data: { type: 'object', additionalProperties: { type: 'string' } },
        binaryData: { type: 'object', additionalProperties: { type: 'string', pattern: BASE64_PATTERN } },
        immutable: { type: 'boolean' },
      }),
      printerColumns: [
        { name: 'Data', type: 'integer', jsonPath: '.data', value: configMapDataCount },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
