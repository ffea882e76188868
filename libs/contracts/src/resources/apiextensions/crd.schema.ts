import { objectMetaSchema } from '../object-meta.schema';
import { JsonSchema } from '../resource-definition';

const str = { type: 'string' };
const strings = { type: 'array', items: str };

const names: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { plural: str, singular: str, kind: str, listKind: str, shortNames: strings, categories: strings },
};

const printerColumn: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { name: str, type: str, format: str, description: str, priority: { type: 'integer' }, jsonPath: str },
};

const version: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: str,
    served: { type: 'boolean' },
    storage: { type: 'boolean' },
    deprecated: { type: 'boolean' },
    deprecationWarning: str,
    // A JSON Schema of its own: kept as written, checked by the CRD's validation (crd.validation.ts).
    schema: { type: 'object', additionalProperties: false, properties: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
    subresources: {
      type: 'object',
      additionalProperties: false,
      properties: {
        status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        scale: { type: 'object', additionalProperties: false, properties: { specReplicasPath: str, statusReplicasPath: str, labelSelectorPath: str } },
      },
    },
    additionalPrinterColumns: { type: 'array', items: printerColumn },
    selectableFields: { type: 'array', items: { type: 'object', additionalProperties: false, properties: { jsonPath: str } } },
  },
};

const condition: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { type: str, status: str, lastTransitionTime: { type: ['string', 'null'] }, reason: str, message: str },
};

/** apiextensions.k8s.io/v1 CustomResourceDefinition as clients write it. */
export const crdSchema: JsonSchema = {
  type: 'object',
  required: ['spec'],
  properties: {
    apiVersion: str,
    kind: str,
    metadata: objectMetaSchema,
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        group: str,
        names,
        scope: str,
        versions: { type: 'array', items: version },
        conversion: {
          type: 'object',
          additionalProperties: false,
          properties: {
            strategy: str,
            webhook: {
              type: 'object',
              additionalProperties: false,
              properties: {
                clientConfig: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    url: str,
                    caBundle: str,
                    service: { type: 'object', additionalProperties: false, properties: { namespace: str, name: str, path: str, port: { type: 'integer' } } },
                  },
                },
                conversionReviewVersions: strings,
              },
            },
          },
        },
        preserveUnknownFields: { type: 'boolean' },
      },
    },
    status: {
      type: 'object',
      additionalProperties: false,
      properties: { conditions: { type: 'array', items: condition }, acceptedNames: names, storedVersions: strings },
    },
  },
};
