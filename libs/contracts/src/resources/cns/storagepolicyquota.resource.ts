import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn } from '../vmoperator/common';
import { list, obj } from '../vmoperator/schema-helpers';
import { CNS_GROUP } from './common';
import { bounded, immutable, quantity, storageClassQuotaStatus } from './schema';

/**
 * StoragePolicyQuota (`cns.vmware.com_storagepolicyquotas.yaml` of VM Operator's external CRDs): the limit of one
 * storage policy in a namespace across every kind of storage object, and, in its status, what each StorageClass of
 * the policy uses (`total`) and what each kind's extension reports of it (`extensions`). Its CRD declares no short
 * names and no printer columns (kubectl prints NAME and AGE).
 */
export const storagePolicyQuotaResource: ResourceDefinition = {
  group: CNS_GROUP,
  kind: 'StoragePolicyQuota',
  listKind: 'StoragePolicyQuotaList',
  plural: 'storagepolicyquotas',
  singular: 'storagepolicyquota',
  shortNames: [],
  categories: [],
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: obj({ storagePolicyId: immutable(bounded(128), 'StoragePolicyId is immutable'), limit: quantity }, ['storagePolicyId']),
        status: obj({
          total: list(storageClassQuotaStatus),
          extensions: list(obj({ extensionName: bounded(64), extensionQuotaUsage: list(storageClassQuotaStatus) }, ['extensionName'])),
        }),
      }),
      printerColumns: [ageColumn],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
  // A custom resource on the Supervisor: pruned as one, and its CRD's CEL rules hold.
  structural: true,
};
