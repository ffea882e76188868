import { JsonSchema } from '../resources/resource-definition';

/**
 * The event catalogue: every event type that may be appended to the log, with
 * the ajv schema its data must satisfy. The event store refuses anything else.
 */
const apiObject: JsonSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string', minLength: 1 },
    kind: { type: 'string', minLength: 1 },
    metadata: {
      type: 'object',
      required: ['name', 'uid', 'creationTimestamp'],
      properties: {
        name: { type: 'string', minLength: 1 },
        namespace: { type: 'string' },
        uid: { type: 'string', minLength: 1 },
        generation: { type: 'integer', minimum: 1 },
      },
    },
  },
};

/** An API object as stored: `resource` is the qualified resource (`namespaces`, `hosts.infrastructure.openpacific.io`). */
const objectEvent: JsonSchema = {
  type: 'object',
  required: ['resource', 'object'],
  additionalProperties: false,
  properties: { resource: { type: 'string', minLength: 1 }, object: apiObject },
};

export const ObjectEventTypes = {
  /** The object was created through the API. */
  created: 'ResourceCreated',
  /** Its spec or metadata changed (generation bumps only on spec). */
  updated: 'ResourceUpdated',
  /** Its status subresource changed. */
  statusUpdated: 'ResourceStatusUpdated',
  /** Deletion was requested; finalizers or dependents still hold the object. */
  deletionStarted: 'ResourceDeletionStarted',
  /** The object is gone; data carries its last state. */
  deleted: 'ResourceDeleted',
} as const;
export type ObjectEventType = (typeof ObjectEventTypes)[keyof typeof ObjectEventTypes];

/** Events of hosts beyond plain object changes. */
export const HostEventTypes = {
  /** A spherelet-agent registered its host: a new epoch begins (data: the Host after registration). */
  registered: 'HostRegistered',
} as const;

/** Events of pods beyond plain object changes. */
export const PodEventTypes = {
  /** The scheduler bound the pod to a host (data: the pod with spec.nodeName and PodScheduled=True). */
  bound: 'PodBound',
} as const;

export const eventCatalogue: Record<string, JsonSchema> = {
  [HostEventTypes.registered]: objectEvent,
  [PodEventTypes.bound]: objectEvent,
  [ObjectEventTypes.created]: objectEvent,
  [ObjectEventTypes.updated]: objectEvent,
  [ObjectEventTypes.statusUpdated]: objectEvent,
  [ObjectEventTypes.deletionStarted]: objectEvent,
  [ObjectEventTypes.deleted]: objectEvent,
};

/** Metadata every event carries: who caused it and through what. */
export interface EventMetadata {
  /** The authenticated user (`admin`) or the service (`system:serviceaccount:openpacific:scheduler`). */
  actor: string;
  /** The component that appended it (`api-gateway`). */
  source: string;
  requestId?: string;
  userAgent?: string;
  [key: string]: unknown;
}

/** One stream per API object name: `namespaces/team-a`, `events/default/vm1.17a`. */
export function objectStreamId(resource: string, namespace: string | undefined, name: string): string {
  return namespace ? `${resource}/${namespace}/${name}` : `${resource}/${name}`;
}
