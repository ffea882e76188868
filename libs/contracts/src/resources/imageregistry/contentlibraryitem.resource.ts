import { objectSchema } from '../object-meta.schema';
import { JsonSchema, PrinterColumn, ResourceDefinition } from '../resource-definition';
import { bool, capiCondition, list, obj, oneOfStrings, quantity, str, strList } from '../vmoperator/schema-helpers';
import { IMAGEREGISTRY_GROUP } from './contentlibrary.resource';

/** An item's files as vCenter lists them (`storageURI` only on namespaced items, as the CRDs have it). */
function fileInfo(withStorageUri: boolean): JsonSchema {
  return list(obj({ cached: bool, name: str, sizeInBytes: quantity, ...(withStorageUri ? { storageURI: str } : {}), version: str }, ['cached', 'name', 'sizeInBytes', 'version']));
}

/** The shape both item kinds share (VM Operator's external CRDs, `imageregistry.vmware.com/v1alpha1`). */
function itemSchema(withStorageUri: boolean): JsonSchema {
  return objectSchema({
    spec: obj({ uuid: str }, ['uuid']),
    status: obj({
      cached: bool,
      certificateVerificationInfo: obj({ certChain: strList, status: oneOfStrings('NOT_AVAILABLE', 'VERIFIED', 'INTERNAL', 'VERIFICATION_FAILURE', 'VERIFICATION_IN_PROGRESS', 'UNTRUSTED') }),
      conditions: list(capiCondition),
      contentLibraryRef: obj({ kind: str, name: str }, ['name']),
      contentVersion: str,
      creationTime: str,
      description: str,
      fileInfo: fileInfo(withStorageUri),
      lastModifiedTime: str,
      lastSyncTime: str,
      metadataVersion: str,
      name: str,
      securityCompliance: bool,
      sizeInBytes: quantity,
      type: oneOfStrings('OVF', 'ISO'),
    }),
  });
}

function itemColumns(libraryHeader: string): PrinterColumn[] {
  return [
    { name: 'vSphereName', type: 'string', jsonPath: '.status.name' },
    { name: libraryHeader, type: 'string', jsonPath: '.status.contentLibraryRef.name' },
    { name: 'Type', type: 'string', jsonPath: '.status.type' },
    { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Cached', type: 'boolean', jsonPath: '.status.cached' },
    { name: 'SizeInBytes', type: 'string', jsonPath: '.status.sizeInBytes' },
    { name: 'SecurityCompliant', type: 'boolean', jsonPath: '.status.securityCompliance' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
}

/** An item of a namespace's ContentLibrary: what a namespaced VirtualMachineImage's `spec.providerRef` names. */
export const contentLibraryItemResource: ResourceDefinition = {
  group: IMAGEREGISTRY_GROUP,
  kind: 'ContentLibraryItem',
  listKind: 'ContentLibraryItemList',
  plural: 'contentlibraryitems',
  singular: 'contentlibraryitem',
  shortNames: ['clitem'],
  categories: [],
  scope: 'Namespaced',
  versions: [{ name: 'v1alpha1', served: true, storage: true, schema: itemSchema(true), printerColumns: itemColumns('ContentLibraryRef') }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};

/** An item of a ClusterContentLibrary: what a ClusterVirtualMachineImage's `spec.providerRef` names. */
export const clusterContentLibraryItemResource: ResourceDefinition = {
  group: IMAGEREGISTRY_GROUP,
  kind: 'ClusterContentLibraryItem',
  listKind: 'ClusterContentLibraryItemList',
  plural: 'clustercontentlibraryitems',
  singular: 'clustercontentlibraryitem',
  shortNames: ['cclitem'],
  categories: [],
  scope: 'Cluster',
  versions: [{ name: 'v1alpha1', served: true, storage: true, schema: itemSchema(false), printerColumns: itemColumns('ClusterContentLibraryRef') }],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};

/** Where the items live in the log and the read models. */
export const CONTENT_LIBRARY_ITEMS_RESOURCE = 'contentlibraryitems.imageregistry.vmware.com';
export const CLUSTER_CONTENT_LIBRARY_ITEMS_RESOURCE = 'clustercontentlibraryitems.imageregistry.vmware.com';
