import { objectSchema } from '../object-meta.schema';
import { ResourceDefinition } from '../resource-definition';
import { bool, list, metaCondition, obj, str } from '../vmoperator/schema-helpers';

export const IMAGEREGISTRY_GROUP = 'imageregistry.vmware.com';

/**
 * A namespace's content library, as VM Operator's external `imageregistry.vmware.com/v1alpha1` ContentLibrary
 * (spec `uuid`, `writable`): the target a VirtualMachinePublishRequest publishes into. Its items are the
 * namespace's VirtualMachineImages whose providerRef names a ContentLibraryItem.
 */
export const contentLibraryResource: ResourceDefinition = {
  group: IMAGEREGISTRY_GROUP,
  kind: 'ContentLibrary',
  listKind: 'ContentLibraryList',
  plural: 'contentlibraries',
  singular: 'contentlibrary',
  shortNames: ['cl'],
  categories: ['imageregistry'],
  scope: 'Namespaced',
  versions: [
    {
      name: 'v1alpha1',
      served: true,
      storage: true,
      schema: objectSchema({ spec: obj({ uuid: str, writable: bool }, ['uuid']), status: obj({ conditions: list(metaCondition) }) }),
      printerColumns: [
        { name: 'Writable', type: 'boolean', jsonPath: '.spec.writable' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    },
  ],
  subresources: { status: true },
  strategicMergePatch: false,
  nameFormat: 'dns1123-subdomain',
};

/** Where ContentLibraries live in the log and the read models. */
export const CONTENT_LIBRARIES_RESOURCE = 'contentlibraries.imageregistry.vmware.com';
/** The label naming a namespace's default publication target. */
export const DEFAULT_LIBRARY_LABEL = 'imageregistry.vmware.com/default';
