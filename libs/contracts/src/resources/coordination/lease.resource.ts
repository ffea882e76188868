import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';

export const COORDINATION_GROUP = 'coordination.k8s.io';
/** Where coordination.k8s.io/v1 Leases live in the log and the read model. */
export const LEASES_RESOURCE = 'leases.coordination.k8s.io';
/** The label on every api-gateway replica's identity Lease in kube-system, as kube-apiserver labels its own. */
export const APISERVER_IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
export const APISERVER_IDENTITY_VALUE = 'kube-apiserver';
/** Where a replica's identity Lease says it serves (`ip:port`), as kube-apiserver's peer-endpoint annotation does. */
export const APISERVER_PEER_ENDPOINT_ANNOTATION = 'alpha.apiserver.kubernetes.io/peer-endpoint';
/** The strategies of coordinated leader election Kubernetes defines (others must be `<domain>/<name>`). */
export const LEASE_STRATEGIES = ['OldestEmulationVersion'];

/** metav1.MicroTime: RFC 3339 with microseconds (2026-12-04T03:30:00.123456Z), normalized by the gateway's strategy. */
const microTime = { type: 'string' };

/**
 * coordination.k8s.io/v1 Lease: a holder's claim with the time it was last renewed, for leader election (client-go's
 * leaselock does GET, CREATE and UPDATE with the resourceVersion as precondition) and for the api-gateway replicas'
 * identity Leases in kube-system. Validation beyond the schema is the api-gateway's `coordination.strategy.ts`.
 */
export const leaseResource: ResourceDefinition = {
  group: COORDINATION_GROUP,
  kind: 'Lease',
  listKind: 'LeaseList',
  plural: 'leases',
  singular: 'lease',
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
        spec: {
          type: 'object',
          additionalProperties: false,
          properties: {
            holderIdentity: { type: 'string' },
            leaseDurationSeconds: { type: 'integer', format: 'int32' },
            acquireTime: microTime,
            renewTime: microTime,
            leaseTransitions: { type: 'integer', format: 'int32' },
            strategy: { type: 'string' },
            preferredHolder: { type: 'string' },
          },
        },
      }),
      printerColumns: [
        { name: 'Holder', type: 'string', jsonPath: '.spec.holderIdentity', value: (l) => l.spec?.holderIdentity ?? '' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
