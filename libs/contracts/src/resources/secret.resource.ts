import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** Standard base64 (what `data` values must be); kube-apiserver refuses anything else. */
export const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

/** DATA column: keys in `data` (kubectl counts `data` only). */
export function dataCount(obj: any): number {
  return Object.keys(obj?.data ?? {}).length;
}

/**
 * core/v1 Secret. `type` defaults to `Opaque` (the schema says so; the create
 * path must apply it, the validator does not) and `stringData` is write-only:
 * merged into `data` (base64) on write, never stored.
 */
export const secretResource: ResourceDefinition = {
  group: '',
  kind: 'Secret',
  listKind: 'SecretList',
  plural: 'secrets',
  singular: 'secret',
  shortNames: [],
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
        data: { type: 'object', additionalProperties: { type: 'string', pattern: BASE64_PATTERN } },
        stringData: { type: 'object', additionalProperties: { type: 'string' } },
        type: { type: 'string', default: 'Opaque' },
        immutable: { type: 'boolean' },
      }),
      printerColumns: [
        { name: 'Type', type: 'string', jsonPath: '.type' },
        { name: 'Data', type: 'integer', jsonPath: '.data', value: dataCount },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
