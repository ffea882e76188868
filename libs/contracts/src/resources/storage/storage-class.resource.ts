import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';

export const STORAGE_CLASSES_RESOURCE = 'storageclasses.storage.k8s.io';
/** The provisioner the scheduler's VolumeBinder serves: volumes are directories of the local datastore. */
export const DATASTORE_PROVISIONER = 'openpacific.io/datastore';
export const DEFAULT_STORAGE_CLASS = 'vsan-default-storage-policy';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export function isDefaultStorageClass(sc: any): boolean {
  return sc?.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** The class every cluster starts with: what a Supervisor namespace gets from its vSAN default storage policy. */
export function defaultStorageClass(opts: { datastore?: string; storagePolicyID?: string } = {}): any {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: DATASTORE_PROVISIONER,
    parameters: { storagePolicyID: opts.storagePolicyID ?? 'aa6d5a82-1c88-45da-85d3-3d74b91a5bad', datastore: opts.datastore ?? 'local-datastore' },
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: true,
  };
}

export const storageClassResource: ResourceDefinition = {
  group: 'storage.k8s.io',
  kind: 'StorageClass',
  listKind: 'StorageClassList',
  plural: 'storageclasses',
  singular: 'storageclass',
  shortNames: ['sc'],
  categories: [],
  scope: 'Cluster',
  strategicMergePatch: true,
  returnsDeletedObject: true,
  nameFormat: 'dns1123-subdomain',
  subresources: {},
  versions: [
    {
      name: 'v1',
      served: true,
      storage: true,
      schema: objectSchema(
        {
          provisioner: { type: 'string' },
          parameters: { type: 'object', additionalProperties: { type: 'string' } },
          reclaimPolicy: { type: 'string', enum: ['Delete', 'Retain'] },
          volumeBindingMode: { type: 'string', enum: ['Immediate', 'WaitForFirstConsumer'] },
          allowVolumeExpansion: { type: 'boolean' },
          mountOptions: { type: 'array', items: { type: 'string' } },
          allowedTopologies: { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
        ['provisioner'],
      ),
      printerColumns: [
        // kubectl marks the default class after its name.
        { name: 'Name', type: 'string', format: 'name', jsonPath: '.metadata.name', value: (sc) => (isDefaultStorageClass(sc) ? `${sc.metadata.name} (default)` : sc.metadata?.name) },
        { name: 'Provisioner', type: 'string', jsonPath: '.provisioner' },
        { name: 'ReclaimPolicy', type: 'string', jsonPath: '.reclaimPolicy', value: (sc) => sc.reclaimPolicy ?? 'Delete' },
        { name: 'VolumeBindingMode', type: 'string', jsonPath: '.volumeBindingMode', value: (sc) => sc.volumeBindingMode ?? 'Immediate' },
        { name: 'AllowVolumeExpansion', type: 'boolean', jsonPath: '.allowVolumeExpansion', value: (sc) => sc.allowVolumeExpansion === true },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
};
