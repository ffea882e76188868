import { describedUnder, descriptionKey, type FieldDescriptions } from './field-descriptions';

const IMAGE_REGISTRY = 'imageregistry.vmware.com';

/** A Cluster API style condition (the image registry's), by path from the condition. */
const conditionFields: FieldDescriptions = {
  type: 'The name of the condition (`Ready`), unique in the list.',
  status: '`True`, `False` or `Unknown`: whether the condition holds.',
  severity: 'How bad a False condition is: `Error`, `Warning` or `Info`; empty when the condition holds.',
  lastTransitionTime: 'When `status` last changed (RFC 3339, UTC).',
  reason: 'A one-word CamelCase cause for programs to match on; empty when the condition holds.',
  message: 'A human-readable explanation of the condition; may be empty.',
};

/** The fields both item kinds have; `library` names the kind of library the item belongs to. */
function itemFields(library: string, image: string): FieldDescriptions {
  return {
    spec: 'Which vCenter library item this is.',
    'spec.uuid': 'The item\'s id in vCenter; required. An item made for an image carries the image\'s `status.providerItemID`.',
    status: 'The item as vCenter describes it. The vm-operator writes it for the items it made, from their image.',
    'status.cached': 'Whether the item\'s files are on storage. True for every item made here: its image is usable at once.',
    'status.certificateVerificationInfo': 'Whether the item is signed and its signature verified. Not filled in here.',
    'status.certificateVerificationInfo.certChain': 'The signing certificate chain, base64 encoded.',
    'status.certificateVerificationInfo.status': 'The verification state (`NOT_AVAILABLE`, `VERIFIED`, `INTERNAL`, `VERIFICATION_FAILURE`, `VERIFICATION_IN_PROGRESS`, `UNTRUSTED`).',
    ...describedUnder('status.conditions', conditionFields),
    'status.conditions': `Observations of the item: \`Ready\` follows the ${image}'s own \`Ready\` (True when it has none).`,
    'status.contentLibraryRef': `The ${library} the item belongs to.`,
    'status.contentLibraryRef.kind': `The library's kind, \`${library}\`.`,
    'status.contentLibraryRef.name': 'The library\'s name.',
    'status.contentVersion': `The version of the item's content; the ${image}'s \`status.providerContentVersion\`.`,
    'status.creationTime': `When the item was made: the ${image}'s creation time.`,
    'status.description': 'A human-readable description; a published item\'s is the publish request\'s `spec.target.item.description`.',
    'status.fileInfo': 'The item\'s files: one disk file per disk of the image whose size is known.',
    'status.fileInfo.cached': 'Whether the file is on storage.',
    'status.fileInfo.name': 'The file\'s name.',
    'status.fileInfo.sizeInBytes': 'The file\'s size on storage, a quantity.',
    'status.fileInfo.version': 'The file\'s version, raised with each upload of a new copy.',
    'status.lastModifiedTime': 'When the item or its content last changed in vCenter. Not filled in here.',
    'status.lastSyncTime': 'When an item of a subscribed library was last synchronized. Not filled in here.',
    'status.metadataVersion': 'The version of the item\'s properties (name, description) in vCenter. Not filled in here.',
    'status.name': `The item's name in vCenter: the ${image}'s \`status.name\`, or the item's own name.`,
    'status.securityCompliance': 'Whether the item complies with its library\'s security policy. Not filled in here.',
    'status.sizeInBytes': 'The item\'s size on storage, the sum of its files\', when every file\'s size is known.',
    'status.type': 'The item\'s type, `OVF` or `ISO`.',
  };
}

const clusterLibraryFields: FieldDescriptions = {
  '':
    'A content library every namespace sees. Its items are ClusterContentLibraryItems, which appear as ClusterVirtualMachineImages. The vm-operator provides one, which holds an item for every ClusterVirtualMachineImage.',
  spec: 'Which vCenter library this is.',
  'spec.uuid': 'The library\'s id in vCenter; required.',
  status: 'The library as vCenter describes it.',
  ...describedUnder('status.conditions', conditionFields),
  'status.conditions': 'Observations of the library: `Ready`.',
  'status.creationTime': 'When the library was made.',
  'status.description': 'A human-readable description of the library.',
  'status.lastModifiedTime': 'When the library\'s properties last changed. Not filled in here.',
  'status.lastSyncTime': 'When a subscribed library was last synchronized. Not filled in here.',
  'status.name': 'The library\'s name in vCenter.',
  'status.publishInfo': 'How the library is published for others to subscribe to. Not filled in here.',
  'status.publishInfo.URL': 'Where the library\'s metadata is published.',
  'status.publishInfo.published': 'Whether the library is published.',
  'status.securityPolicyID': 'The security policy applied to the library. Not filled in here.',
  'status.storageBacking': 'Where the library stores its content. Not filled in here.',
  'status.storageBacking.datastoreID': 'The datastore of a `Datastore` backing.',
  'status.storageBacking.type': 'The kind of storage, `Datastore` or `Other`.',
  'status.subscriptionInfo': 'How a subscribed library follows its source. Not filled in here.',
  'status.subscriptionInfo.URL': 'Where the source library publishes its metadata.',
  'status.subscriptionInfo.automaticSync': 'Whether the library synchronizes automatically.',
  'status.subscriptionInfo.onDemand': 'Whether items\' content is fetched only when needed.',
  'status.type': 'The library\'s type, `Local` or `Subscribed`.',
  'status.version': 'The version of the library\'s properties. Not filled in here.',
};

/** Field descriptions by kind (descriptionKey). */
export const imageregistryDescriptions: Record<string, FieldDescriptions> = {
  [descriptionKey(IMAGE_REGISTRY, 'ContentLibraryItem')]: {
    '':
      'An item of a ContentLibrary of the namespace, named by a VirtualMachineImage\'s `spec.providerRef`. The vm-operator makes one for every such image (a published VM\'s among them) and deletes it with the image; an item it did not make is left alone.',
    ...itemFields('ContentLibrary', 'VirtualMachineImage'),
  },
  [descriptionKey(IMAGE_REGISTRY, 'ClusterContentLibraryItem')]: {
    '':
      'An item of a ClusterContentLibrary, named by a ClusterVirtualMachineImage\'s `spec.providerRef`. The vm-operator makes one in the library it provides for every ClusterVirtualMachineImage and deletes it with the image; an item it did not make is left alone.',
    ...itemFields('ClusterContentLibrary', 'ClusterVirtualMachineImage'),
  },
  [descriptionKey(IMAGE_REGISTRY, 'ClusterContentLibrary')]: clusterLibraryFields,
};
