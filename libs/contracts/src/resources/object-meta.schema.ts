import { JsonSchema } from './resource-definition';

const stringMap: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };

/**
 * No field is required here: kube-apiserver takes a missing one as empty, and ObjectMeta validation refuses an empty
 * apiVersion, kind, name or uid in its own words (api-gateway's object-meta.validation.ts).
 */
export const ownerReferenceSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    name: { type: 'string' },
    uid: { type: 'string' },
    controller: { type: 'boolean' },
    blockOwnerDeletion: { type: 'boolean' },
  },
};

/** metav1.ObjectMeta as clients send and receive it. */
export const objectMetaSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string' },
    generateName: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: ['string', 'null'] },
    deletionTimestamp: { type: ['string', 'null'] },
    deletionGracePeriodSeconds: { type: 'integer' },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: { type: 'array', items: ownerReferenceSchema },
    finalizers: { type: 'array', items: { type: 'string' } },
    managedFields: { type: 'array', items: { type: 'object', additionalProperties: true } },
    selfLink: { type: 'string' },
  },
};

export const conditionSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'status'],
  additionalProperties: false,
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string' },
    lastHeartbeatTime: { type: 'string' },
    observedGeneration: { type: 'integer' },
    severity: { type: 'string' },
  },
};

/** The envelope every kind shares; `spec`/`status` and friends are added per kind. */
export function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required,
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: objectMetaSchema,
      ...properties,
    },
  };
}

/** core/v1 Taint, shared by Host and its Node view. */
export const taintSchema: JsonSchema = {
  type: 'object',
  required: ['key', 'effect'],
  additionalProperties: false,
  properties: {
    key: { type: 'string' },
    value: { type: 'string' },
    effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
    timeAdded: { type: 'string' },
  },
};
