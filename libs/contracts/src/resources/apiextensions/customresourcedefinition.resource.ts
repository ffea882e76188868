import { ResourceDefinition } from '../resource-definition';
import { crdSchema } from './crd.schema';

export const APIEXTENSIONS_GROUP = 'apiextensions.k8s.io';
export const CRDS_RESOURCE = 'customresourcedefinitions.apiextensions.k8s.io';
/** Held by every CustomResourceDefinition until its custom resources are gone. */
export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

/**
 * apiextensions.k8s.io/v1 CustomResourceDefinition: a kind users add to the API. The gateway serves the
 * kinds of established ones (crd-definition.ts turns one into a ResourceDefinition).
 */
export const customResourceDefinitionResource: ResourceDefinition = {
  group: APIEXTENSIONS_GROUP,
  kind: 'CustomResourceDefinition',
  listKind: 'CustomResourceDefinitionList',
  plural: 'customresourcedefinitions',
  singular: 'customresourcedefinition',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  scope: 'Cluster',
  strategicMergePatch: true,
  nameFormat: 'dns1123-subdomain',
  subresources: { status: true },
  versions: [{
    name: 'v1',
    served: true,
    storage: true,
    schema: crdSchema,
    // kube-apiserver's default table: the name and the creation time as written (not an age).
    printerColumns: [{ name: 'Created At', type: 'date', timestamp: true, jsonPath: '.metadata.creationTimestamp', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  }],
};
