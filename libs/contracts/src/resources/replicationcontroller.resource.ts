import { labelMapText, podTemplateSpecSchema, replicasSchema, templateContainerColumns, templateMergeKeys } from './apps/apps-schema';
import { replicaCountsSchema } from './apps/replicaset.resource';
import { objectSchema } from './object-meta.schema';
import { ResourceDefinition } from './resource-definition';

/** The stream resource of core/v1 ReplicationControllers. */
export const REPLICATION_CONTROLLERS_RESOURCE = 'replicationcontrollers';

/** A ReplicationController's map selector as the label selector every other workload carries (`{matchLabels}`). */
export function replicationControllerSelector(rc: any): { matchLabels: Record<string, string> } {
  return { matchLabels: { ...(rc?.spec?.selector ?? {}) } };
}

const str = { type: 'string' };

const replicationControllerSpecSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    replicas: replicasSchema,
    minReadySeconds: { type: 'integer', format: 'int32', minimum: 0 },
    selector: { type: 'object', additionalProperties: { type: 'string' } },
    template: podTemplateSpecSchema,
  },
};

const replicationControllerStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...replicaCountsSchema,
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'status'],
        additionalProperties: false,
        properties: { type: str, status: { type: 'string', enum: ['True', 'False', 'Unknown'] }, lastTransitionTime: str, reason: str, message: str },
      },
    },
  },
};

/**
 * core/v1 ReplicationController: the ReplicaSet's predecessor, still served by kube-apiserver 1.32, with a plain label
 * map as its selector (defaulted from the template's labels) and a template it cannot run without.
 */
export const replicationControllerResource: ResourceDefinition = {
  group: '',
  kind: 'ReplicationController',
  listKind: 'ReplicationControllerList',
  plural: 'replicationcontrollers',
  singular: 'replicationcontroller',
  shortNames: ['rc'],
  categories: ['all'],
  scope: 'Namespaced',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', selector: (rc) => labelMapText(rc.spec?.selector) } },
  mergeKeys: { ...templateMergeKeys('spec.template') },
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema({ spec: replicationControllerSpecSchema, status: replicationControllerStatusSchema }),
      printerColumns: [
        { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', value: (r) => r.spec?.replicas ?? 1 },
        { name: 'Current', type: 'integer', jsonPath: '.status.replicas', value: (r) => r.status?.replicas ?? 0 },
        { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas', value: (r) => r.status?.readyReplicas ?? 0 },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ...templateContainerColumns,
        { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1, value: (o) => labelMapText(o.spec?.selector) },
      ],
    },
  ],
};
