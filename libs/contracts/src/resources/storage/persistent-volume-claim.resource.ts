import { conditionSchema, objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ACCESS_MODES, accessModesText } from './access-modes';

export const PVCS_RESOURCE = 'persistentvolumeclaims';
/** The pre-1.6 way of naming a claim's class, which kubectl still honours. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
/** Every claim carries it from its creation; it is taken off a claim being deleted once no pod or VM uses the claim. */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const quantityMap = { type: 'object', additionalProperties: { type: ['string', 'number'] } };
export const accessModesSchema = { type: 'array', items: { type: 'string', enum: ACCESS_MODES } };

/** The class a claim asks for: the beta annotation wins over spec.storageClassName, as in Kubernetes. */
export function claimStorageClass(pvc: any): string | undefined {
  return pvc?.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION] ?? pvc?.spec?.storageClassName;
}

/** core/v1 PersistentVolumeClaimSpec (also a StatefulSet's `volumeClaimTemplates[].spec`). */
export const pvcSpecSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    accessModes: accessModesSchema,
    selector: open,
    resources: { type: 'object', additionalProperties: false, properties: { requests: quantityMap, limits: quantityMap } },
    volumeName: { type: 'string' },
    storageClassName: { type: 'string' },
    volumeMode: { type: 'string', enum: ['Filesystem', 'Block'] },
    dataSource: { type: 'object', additionalProperties: false, properties: { apiGroup: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } } },
    dataSourceRef: { type: 'object', additionalProperties: false, properties: { apiGroup: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } } },
    volumeAttributesClassName: { type: 'string' },
  },
};

export const pvcStatusSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    phase: { type: 'string', enum: ['Pending', 'Bound', 'Lost'] },
    accessModes: accessModesSchema,
    capacity: quantityMap,
    conditions: { type: 'array', items: conditionSchema },
    allocatedResources: quantityMap,
    allocatedResourceStatuses: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

function claimPhase(pvc: any): string {
  return pvc.metadata?.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? 'Pending');
}

export const persistentVolumeClaimResource: ResourceDefinition = {
  group: '',
  kind: 'PersistentVolumeClaim',
  listKind: 'PersistentVolumeClaimList',
  plural: 'persistentvolumeclaims',
  singular: 'persistentvolumeclaim',
  shortNames: ['pvc'],
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
      schema: objectSchema(
        {
          spec: pvcSpecSchema,
          status: pvcStatusSchema,
        },
        ['spec'],
      ),
      printerColumns: [
        { name: 'Status', type: 'string', jsonPath: '.status.phase', value: claimPhase },
        { name: 'Volume', type: 'string', jsonPath: '.spec.volumeName', value: (c) => c.spec?.volumeName ?? '' },
        // kubectl shows the capacity only once the claim names its volume.
        { name: 'Capacity', type: 'string', jsonPath: '.status.capacity.storage', value: (c) => (c.spec?.volumeName ? (c.status?.capacity?.storage ?? '') : '') },
        { name: 'Access Modes', type: 'string', jsonPath: '.status.accessModes', value: (c) => (c.spec?.volumeName ? accessModesText(c.status?.accessModes) : '') },
        { name: 'StorageClass', type: 'string', jsonPath: '.spec.storageClassName', value: (c) => claimStorageClass(c) ?? '' },
        { name: 'VolumeAttributesClass', type: 'string', jsonPath: '.spec.volumeAttributesClassName', value: (c) => c.spec?.volumeAttributesClassName ?? '<unset>' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'VolumeMode', type: 'string', jsonPath: '.spec.volumeMode', priority: 1, value: (c) => c.spec?.volumeMode ?? 'Filesystem' },
      ],
    },
  ],
};
