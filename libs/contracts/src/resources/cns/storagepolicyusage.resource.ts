import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn } from '../vmoperator/common';
import { obj, str } from '../vmoperator/schema-helpers';
import { CNS_GROUP } from './common';
import { bounded, immutable, quotaUsageDetails } from './schema';

/**
 * StoragePolicyUsage (`cns.vmware.com_storagepolicyusages.yaml`): what one kind of storage object (VM Operator's
 * VirtualMachines, the CSI driver's claims, ...) of one StorageClass uses in a namespace, `status.quotaUsage`
 * `{reserved, used}`. Every spec field is immutable. Served at v1alpha1; the CRD declares no printer columns.
 */
export const storagePolicyUsageResource: ResourceDefinition = {
  group: CNS_GROUP,
  kind: 'StoragePolicyUsage',
  listKind: 'StoragePolicyUsageList',
  plural: 'storagepolicyusages',
  singular: 'storagepolicyusage',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: obj(
          {
            storagePolicyId: immutable(bounded(128), 'StoragePolicyId is immutable'),
            storageClassName: immutable(bounded(64), 'StorageClassName is immutable'),
            resourceApiGroup: immutable(str, 'ResourceAPIgroup is immutable'),
            resourceKind: immutable(bounded(64), 'ResourceKind is immutable'),
            resourceExtensionName: immutable(str, 'ResourceExtensionName is immutable'),
          },
          ['resourceExtensionName', 'resourceKind', 'storageClassName', 'storagePolicyId'],
        ),
        status: obj({ quotaUsage: quotaUsageDetails }),
      }),
      printerColumns: [ageColumn],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  structural: true,
};
