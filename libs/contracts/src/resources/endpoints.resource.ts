import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** Where core v1 Endpoints live in the log and the read model. */
export const ENDPOINTS_RESOURCE = 'endpoints';
/**
 * The label the endpoints controller puts on the Endpoints it writes, as kube-controller-manager does: the
 * EndpointSliceMirroring controller mirrors every Endpoints of a selector-less Service but those labelled so.
 */
export const ENDPOINTS_SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';

/** ENDPOINTS column as kubectl prints it: `ip:port` of the ready addresses, three at most, then `+ N more...`. */
export function endpointsAddressesCell(endpoints: any): string {
  const all: string[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const ports: any[] = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) for (const a of subset.addresses ?? []) all.push(port ? `${a.ip}:${port.port}` : a.ip);
  }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

const address = {
  type: 'object',
  additionalProperties: false,
  required: ['ip'],
  properties: { ip: { type: 'string' }, hostname: { type: 'string' }, nodeName: { type: 'string' }, targetRef: { type: 'object', additionalProperties: true } },
};

/**
 * core v1 Endpoints: written by the VirtualMachineService controller, one per service with a selector, as VM
 * Operator does; by the pod Services' endpoints controller, one per Service with a selector; and by users for
 * Services without one, mirrored into EndpointSlices (vm-operator, `pod-services/core-endpoints.ts`). Validation the
 * schema cannot express (IPs, port ranges, names) is the api-gateway's `endpoints.strategy.ts`.
 */
export const endpointsResource: ResourceDefinition = {
  group: '',
  kind: 'Endpoints',
  listKind: 'EndpointsList',
  plural: 'endpoints',
  singular: 'endpoints',
  shortNames: ['ep'],
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
        subsets: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              addresses: { type: 'array', items: address },
              notReadyAddresses: { type: 'array', items: address },
              ports: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['port'], properties: { name: { type: 'string' }, port: { type: 'integer' }, protocol: { type: 'string' }, appProtocol: { type: 'string' } } },
              },
            },
          },
        },
      }),
      printerColumns: [
        { name: 'Endpoints', type: 'string', jsonPath: '.subsets', value: endpointsAddressesCell },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
