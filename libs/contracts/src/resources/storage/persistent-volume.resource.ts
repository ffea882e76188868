import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { accessModesText } from './access-modes';
import { accessModesSchema } from './persistent-volume-claim.resource';

export const PVS_RESOURCE = 'persistentvolumes';
/** Every volume carries it from its creation; it is taken off a volume being deleted once no claim is bound to it. */
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** Set on volumes a provisioner created: only those does it delete again. */
export const PROVISIONED_BY_ANNOTATION = 'pv.kubernetes.io/provisioned-by';

const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const claimRefSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    fieldPath: { type: 'string' },
  },
};

export const persistentVolumeResource: ResourceDefinition = {
  group: '',
  kind: 'PersistentVolume',
  listKind: 'PersistentVolumeList',
  plural: 'persistentvolumes',
  singular: 'persistentvolume',
  shortNames: ['pv'],
  categories: [],
  scope: 'Cluster',
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
          spec: {
            type: 'object',
            additionalProperties: false,
            properties: {
              capacity: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
              accessModes: accessModesSchema,
              persistentVolumeReclaimPolicy: { type: 'string', enum: ['Retain', 'Delete', 'Recycle'] },
              storageClassName: { type: 'string' },
              claimRef: claimRefSchema,
              volumeMode: { type: 'string', enum: ['Filesystem', 'Block'] },
              mountOptions: { type: 'array', items: { type: 'string' } },
              nodeAffinity: open,
              volumeAttributesClassName: { type: 'string' },
              // OpenPacific volumes are directories: of its datastore, or any the administrator names.
              hostPath: {
                type: 'object',
                required: ['path'],
                additionalProperties: false,
                properties: { path: { type: 'string' }, type: { type: 'string' } },
              },
              local: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string' }, fsType: { type: 'string' } } },
              csi: open,
              nfs: open,
            },
          },
          status: {
            type: 'object',
            additionalProperties: false,
            properties: {
              phase: { type: 'string', enum: ['Pending', 'Available', 'Bound', 'Released', 'Failed'] },
              message: { type: 'string' },
              reason: { type: 'string' },
              lastPhaseTransitionTime: { type: 'string' },
            },
          },
        },
        ['spec'],
      ),
      printerColumns: [
        { name: 'Capacity', type: 'string', jsonPath: '.spec.capacity.storage', value: (v) => String(v.spec?.capacity?.storage ?? '') },
        { name: 'Access Modes', type: 'string', jsonPath: '.spec.accessModes', value: (v) => accessModesText(v.spec?.accessModes) },
        { name: 'Reclaim Policy', type: 'string', jsonPath: '.spec.persistentVolumeReclaimPolicy' },
        { name: 'Status', type: 'string', jsonPath: '.status.phase', value: (v) => (v.metadata?.deletionTimestamp ? 'Terminating' : (v.status?.phase ?? 'Pending')) },
        { name: 'Claim', type: 'string', jsonPath: '.spec.claimRef', value: (v) => (v.spec?.claimRef ? `${v.spec.claimRef.namespace ?? ''}/${v.spec.claimRef.name ?? ''}` : '') },
        { name: 'StorageClass', type: 'string', jsonPath: '.spec.storageClassName', value: (v) => v.spec?.storageClassName ?? '' },
        { name: 'VolumeAttributesClass', type: 'string', jsonPath: '.spec.volumeAttributesClassName', value: (v) => v.spec?.volumeAttributesClassName ?? '<unset>' },
        { name: 'Reason', type: 'string', jsonPath: '.status.reason', value: (v) => v.status?.reason ?? '' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        { name: 'VolumeMode', type: 'string', jsonPath: '.spec.volumeMode', priority: 1, value: (v) => v.spec?.volumeMode ?? 'Filesystem' },
      ],
    },
  ],
};
