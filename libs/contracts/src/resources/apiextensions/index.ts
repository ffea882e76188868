import { customResourceDefinitionResource } from './customresourcedefinition.resource';

export * from './customresourcedefinition.resource';
export * from './crd-definition';

/** apiextensions.k8s.io/v1: CustomResourceDefinition (the kinds it adds are served by the gateway from the log). */
export const apiextensionsResources = [customResourceDefinitionResource];
