import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { bool, capiCondition, list, obj, oneOfStrings, str } from '../vmoperator/schema-helpers';
import { IMAGEREGISTRY_GROUP } from './contentlibrary.resource';

/**
 * A content library every namespace sees, as VM Operator's external `imageregistry.vmware.com/v1alpha1`
 * ClusterContentLibrary: its items are ClusterContentLibraryItems, which appear as ClusterVirtualMachineImages.
 * Short names: `cclib` (the CRD of vSphere 8) and `ccl` (its earlier CRD).
 */
export const clusterContentLibraryResource: ResourceDefinition = {
  group: IMAGEREGISTRY_GROUP,
  kind: 'ClusterContentLibrary',
  listKind: 'ClusterContentLibraryList',
  plural: 'clustercontentlibraries',
  singular: 'clustercontentlibrary',
  shortNames: ['cclib', 'ccl'],
  categories: [],
  scope: 'Cluster',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({
        spec: obj({ uuid: str }, ['uuid']),
        status: obj({
          conditions: list(capiCondition),
          creationTime: str,
          description: str,
          lastModifiedTime: str,
          lastSyncTime: str,
          name: str,
          publishInfo: obj({ URL: str, published: bool }, ['URL', 'published']),
          securityPolicyID: str,
          storageBacking: obj({ datastoreID: str, type: oneOfStrings('Datastore', 'Other') }, ['type']),
          subscriptionInfo: obj({ URL: str, automaticSync: bool, onDemand: bool }, ['URL', 'automaticSync', 'onDemand']),
          type: oneOfStrings('Local', 'Subscribed'),
          version: str,
        }),
      }),
      printerColumns: [
        { name: 'vSphereName', type: 'string', jsonPath: '.status.name' },
        { name: 'Type', type: 'string', jsonPath: '.status.type' },
        { name: 'StorageType', type: 'string', jsonPath: '.status.storageBacking.type' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};

/** Where ClusterContentLibraries live in the log and the read models. */
export const CLUSTER_CONTENT_LIBRARIES_RESOURCE = 'clustercontentlibraries.imageregistry.vmware.com';
