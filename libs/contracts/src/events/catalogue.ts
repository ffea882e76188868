import { JsonSchema } from '../resources/resource-definition';
import { allocationEventSchemas } from './allocations';

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

/** Some fields of an object (`FieldSet`): the object is the one its stream holds, at the version before. */
const fieldSetEvent: JsonSchema = {
  type: 'object',
  required: ['resource', 'set'],
  additionalProperties: false,
  properties: {
    resource: { type: 'string', minLength: 1 },
    set: { type: 'object', minProperties: 1, propertyNames: { pattern: '^[A-Za-z]+(\\.[A-Za-z]+)?$' } },
  },
};

/** A change that carries the object whole, or only the fields it set. */
const objectOrFieldSetEvent: JsonSchema = { anyOf: [objectEvent, fieldSetEvent] };

/** What an agent's host did when its lease ran out: the isolation response, reported with its next registration. */
export interface HostFenceRecord {
  /** The epoch whose lease ran out. */
  epoch: number;
  /** Last lease renewal + grace period (ISO time): from here on the host's pods may be started elsewhere. */
  leaseExpiredAt: string;
  /** When the host's runtime stopped every container of that epoch (ISO). */
  stoppedAt?: string;
  /** When the agent last ran before a gap in its own clock ticks (paused, frozen), if there was one (ISO). */
  unresponsiveFrom?: string;
  /** When the agent ran again after that gap (ISO). */
  unresponsiveUntil?: string;
  /** uids of the pods whose containers were stopped. */
  pods: string[];
}

const fenceRecord: JsonSchema = {
  type: 'object',
  required: ['epoch', 'leaseExpiredAt', 'pods'],
  additionalProperties: false,
  properties: {
    epoch: { type: 'integer', minimum: 1 },
    leaseExpiredAt: { type: 'string' },
    stoppedAt: { type: 'string' },
    unresponsiveFrom: { type: 'string' },
    unresponsiveUntil: { type: 'string' },
    pods: { type: 'array', items: { type: 'string' } },
  },
};

/** HostRegistered: the Host after registration, and the fence of the epoch before when its lease had run out. */
const hostRegisteredEvent: JsonSchema = {
  type: 'object',
  required: ['resource', 'object'],
  additionalProperties: false,
  properties: { resource: { type: 'string', minLength: 1 }, object: apiObject, fence: fenceRecord },
};

/** PodUnbound: the pod left its host, which failed or fenced itself; it is Pending again, to be placed anew. */
const podUnboundEvent: JsonSchema = {
  type: 'object',
  required: ['resource', 'object', 'reason', 'host', 'epoch'],
  additionalProperties: false,
  properties: {
    resource: { type: 'string', minLength: 1 },
    object: apiObject,
    reason: { enum: ['HostNotReady', 'HostEpochEnded'] },
    host: { type: 'string', minLength: 1 },
    epoch: { type: 'integer', minimum: 0 },
  },
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
  /**
   * The pod was taken off its host (data: the pod Pending again without spec.nodeName, `reason`, the `host`
   * and the binding's `epoch`): its host went NotReady (`HostNotReady`), or came back in a new epoch without
   * the pod's sandbox (`HostEpochEnded`). The scheduler places it again; name and uid stay.
   */
  unbound: 'PodUnbound',
} as const;

/** Events of VirtualMachines beyond plain object changes. */
export const VirtualMachineEventTypes = {
  /** The scheduler placed the VM on a host (data: the VM with status.nodeName and the host-epoch annotation). */
  placed: 'VirtualMachinePlaced',
  /** The VM left its host, which failed (data as PodUnbound: the VM unplaced, `reason`, `host`, `epoch`); it is placed again. */
  unplaced: 'VirtualMachineUnplaced',
} as const;

export const eventCatalogue: Record<string, JsonSchema> = {
  [VirtualMachineEventTypes.placed]: objectEvent,
  [VirtualMachineEventTypes.unplaced]: podUnboundEvent,
  [HostEventTypes.registered]: hostRegisteredEvent,
  [PodEventTypes.bound]: objectOrFieldSetEvent,
  [PodEventTypes.unbound]: podUnboundEvent,
  [ObjectEventTypes.created]: objectEvent,
  [ObjectEventTypes.updated]: objectEvent,
  [ObjectEventTypes.statusUpdated]: objectOrFieldSetEvent,
  [ObjectEventTypes.deletionStarted]: objectEvent,
  [ObjectEventTypes.deleted]: objectEvent,
  ...allocationEventSchemas,
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
