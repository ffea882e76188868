import { JsonSchema } from '../resources/resource-definition';
import type { EventMetadata } from './catalogue';

/**
 * Events of the ranges Services take addresses and ports from. Each cluster IP and each node port has a stream of
 * its own, and every write that gives one to an object appends an event there, in the same transaction as the
 * object's event, at the version its writer saw when it judged the address free: of two gateway replicas that judged
 * one address free on the same state, one append wins and the other meets a version conflict. Nothing is released:
 * whether an address is free is still judged from the objects that hold it; the stream only orders its writers.
 */
export const AllocationEventTypes = {
  /** A Service or VirtualMachineService was given a cluster IP (data: `address` and its `holder`). */
  clusterIP: 'ClusterIPAllocated',
  /** A Service was given a node port (data: `port` and its `holder`). */
  nodePort: 'NodePortAllocated',
} as const;

/** Streams of allocations start with this; no resource's name has a colon, so none is an object's stream. */
export const ALLOCATION_STREAM_PREFIX = 'allocations:';

/** The stream of one cluster IP: `allocations:clusterip/10.96.0.5`. */
export function clusterIPStreamId(address: string): string {
  return `${ALLOCATION_STREAM_PREFIX}clusterip/${address}`;
}

/** The stream of one node port: `allocations:nodeport/30080`. */
export function nodePortStreamId(port: number): string {
  return `${ALLOCATION_STREAM_PREFIX}nodeport/${port}`;
}

export function isAllocationStream(streamId: string): boolean {
  return streamId.startsWith(ALLOCATION_STREAM_PREFIX);
}

/** An address or a port an object holds. */
export type Allocation = { address: string } | { port: number };

/** The stream of an address or a port. */
export function allocationStreamId(a: Allocation): string {
  return 'address' in a ? clusterIPStreamId(a.address) : nodePortStreamId(a.port);
}

/**
 * The append that gives `allocation` to `object` (of `resource`), made with the object's own in one transaction: one
 * event on the address's stream, at the version its writer judged the address free on (0: never given out).
 */
export function allocationAppend(allocation: Allocation, resource: string, object: any, judgedAt: number, metadata: EventMetadata) {
  const { namespace, name, uid } = object.metadata;
  const holder = { resource, ...(namespace ? { namespace } : {}), name, uid };
  const event = 'address' in allocation
    ? { type: AllocationEventTypes.clusterIP, data: { address: allocation.address, holder }, metadata }
    : { type: AllocationEventTypes.nodePort, data: { port: allocation.port, holder }, metadata };
  return { streamId: allocationStreamId(allocation), events: [event], expectedVersion: judgedAt === 0 ? ('no_stream' as const) : judgedAt };
}

/** The object an address or port went to. Not `resource` at the top of the data: no read model takes it for an object. */
const holder: JsonSchema = {
  type: 'object',
  required: ['resource', 'name', 'uid'],
  additionalProperties: false,
  properties: {
    resource: { type: 'string', minLength: 1 },
    namespace: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    uid: { type: 'string', minLength: 1 },
  },
};

export const allocationEventSchemas: Record<string, JsonSchema> = {
  [AllocationEventTypes.clusterIP]: {
    type: 'object',
    required: ['address', 'holder'],
    additionalProperties: false,
    properties: { address: { type: 'string', minLength: 1 }, holder },
  },
  [AllocationEventTypes.nodePort]: {
    type: 'object',
    required: ['port', 'holder'],
    additionalProperties: false,
    properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, holder },
  },
};
