import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** Where EndpointSlices live in the log and the read model. */
export const ENDPOINT_SLICES_RESOURCE = 'endpointslices.discovery.k8s.io';
/** The label naming the Service a slice belongs to. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The label naming the controller that manages a slice. */
export const ENDPOINT_SLICE_MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';

/** ENDPOINTS column as kubectl prints it: the first addresses, `+ N more...` beyond three. */
export function endpointsCell(slice: any): string {
  const addresses: string[] = (slice?.endpoints ?? []).flatMap((e: any) => e.addresses ?? []);
  if (addresses.length === 0) return '<unset>';
  const shown = addresses.slice(0, 3).join(',');
  return addresses.length > 3 ? `${shown} + ${addresses.length - 3} more...` : shown;
}

export const endpointSliceResource: ResourceDefinition = {
  group: 'discovery.k8s.io',
  kind: 'EndpointSlice',
  listKind: 'EndpointSliceList',
  plural: 'endpointslices',
  singular: 'endpointslice',
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
      schema: objectSchema(
        {
          addressType: { type: 'string', enum: ['IPv4', 'IPv6', 'FQDN'] },
          endpoints: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: true,
              required: ['addresses'],
              properties: {
                addresses: { type: 'array', items: { type: 'string' } },
                conditions: { type: 'object', additionalProperties: false, properties: { ready: { type: 'boolean' }, serving: { type: 'boolean' }, terminating: { type: 'boolean' } } },
                targetRef: { type: 'object', additionalProperties: true },
                nodeName: { type: 'string' },
                hostname: { type: 'string' },
                zone: { type: 'string' },
              },
            },
          },
          ports: {
            type: 'array',
            items: { type: 'object', additionalProperties: true, properties: { name: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string' }, appProtocol: { type: 'string' } } },
          },
        },
        ['addressType'],
      ),
      printerColumns: [
        { name: 'AddressType', type: 'string', jsonPath: '.addressType' },
        { name: 'Ports', type: 'string', jsonPath: '.ports', value: (s) => (s?.ports ?? []).map((p: any) => p.port).join(',') || '<unset>' },
        { name: 'Endpoints', type: 'string', jsonPath: '.endpoints', value: endpointsCell },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
