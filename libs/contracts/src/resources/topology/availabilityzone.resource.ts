import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { ageColumn } from '../vmoperator/common';
import { obj, str, strList } from '../vmoperator/schema-helpers';
import { TOPOLOGY_GROUP } from './common';

/** NamespaceInfo: the vSphere folder and resource pools of one namespace in one zone. */
const namespaceInfo = obj({ folderMoId: str, poolMoId: str, poolMoIDs: strList });

/**
 * AvailabilityZone (`topology.tanzu.vmware.com_availabilityzones.yaml` of VM Operator's external CRDs): a vSphere Zone
 * of the Supervisor, cluster-scoped, short name `az`. Its CRD declares no printer columns (kubectl prints NAME and
 * AGE) and an empty status.
 */
export const availabilityZoneResource: ResourceDefinition = {
  group: TOPOLOGY_GROUP,
  kind: 'AvailabilityZone',
  listKind: 'AvailabilityZoneList',
  plural: 'availabilityzones',
  singular: 'availabilityzone',
  shortNames: ['az'],
  categories: [],
  scope: 'Cluster',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: obj({
          clusterComputeResourceMoId: str,
          clusterComputeResourceMoIDs: strList,
          namespaces: { type: 'object', additionalProperties: namespaceInfo },
        }),
        status: obj({}),
      }),
      printerColumns: [ageColumn],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};
