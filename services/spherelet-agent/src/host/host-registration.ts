import { randomUUID } from 'node:crypto';
import { HOST_API_VERSION, HOST_RUNTIME_HANDLERS, HostEventTypes, HostFenceRecord, HOSTS_RESOURCE, ObjectEventTypes, objectStreamId, POD_NETWORK_ANNOTATION, rfc3339 } from '@openpacific/contracts';
import { EventStore, VersionConflictError } from '@openpacific/event-store';

export type HostDescription = ReturnType<typeof import('./host-spec').hostDescription>;

/**
 * Registers the host: creates its Host object on first start, and on every
 * start begins a new epoch (a `HostRegistered` event). Work addressed to an
 * older epoch is no longer this agent's. Labels and taints from config are
 * merged over what admins set; capacity is reported as configured.
 */
export async function registerHost(
  store: EventStore,
  name: string,
  description: HostDescription,
  fences: HostFenceRecord[] = [],
): Promise<{ epoch: number; object: any; fence?: HostFenceRecord }> {
  const streamId = objectStreamId(HOSTS_RESOURCE, undefined, name);
  for (let attempt = 1; ; attempt++) {
    const events = await store.readStream(streamId);
    const last = events[events.length - 1];
    const previous = last && last.type !== ObjectEventTypes.deleted ? (last.data as any).object : undefined;
    const epoch = (previous?.status?.epoch ?? 0) + 1;
    // The runtime fenced the epoch before (its lease ran out): say so, once, with this registration.
    const fence = fences.find((f) => f.epoch === epoch - 1);
    const now = rfc3339();
    const object = {
      apiVersion: HOST_API_VERSION,
      kind: 'Host',
      metadata: {
        ...(previous?.metadata ?? { uid: randomUUID(), creationTimestamp: now, generation: 1 }),
        name,
        labels: { ...(previous?.metadata?.labels ?? {}), ...description.labels },
        // Which pod network the host runs this epoch: the scheduler gives pods an address only on `netns` hosts.
        annotations: { ...(previous?.metadata?.annotations ?? {}), [POD_NETWORK_ANNOTATION]: description.podNetwork },
      },
      spec: {
        ...(previous?.spec ?? {}),
        ...(description.taints.length ? { taints: description.taints } : {}),
      },
      status: {
        epoch,
        capacity: description.capacity,
        allocatable: description.allocatable,
        addresses: description.addresses,
        nodeInfo: description.nodeInfo,
        runtimeHandlers: HOST_RUNTIME_HANDLERS,
        conditions: [
          { type: 'Ready', status: 'Unknown', reason: 'HostRegistered', message: `epoch ${epoch} started; waiting for heartbeats`, lastTransitionTime: now },
          { ...description.isolation, lastTransitionTime: now },
          { ...description.network, lastTransitionTime: now },
        ],
      },
    };
    delete (object.metadata as any).resourceVersion;
    try {
      await store.append(
        streamId,
        [{ type: HostEventTypes.registered, data: { resource: HOSTS_RESOURCE, object, ...(fence ? { fence } : {}) }, metadata: { actor: `system:node:${name}`, source: 'spherelet-agent' } }],
        { expectedVersion: last ? last.streamVersion : 'no_stream' },
      );
      return { epoch, object, fence };
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 10) throw err;
    }
  }
}
