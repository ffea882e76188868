import { randomUUID } from 'node:crypto';
import { HOST_API_VERSION, HOST_RUNTIME_HANDLERS, HostEventTypes, HostFenceRecord, HOSTS_RESOURCE, ObjectEventTypes, objectStreamId, POD_NETWORK_ANNOTATION, rfc3339 } from '@openpacific/contracts';
import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { objectEvent } from '@openpacific/objects';

export type HostDescription = ReturnType<typeof import('./host-spec').hostDescription>;

/**
 * kubelet's Warning `Rebooted`, about the Node (what `kubectl describe node` shows) and the Host it is a view of (what
 * `kubectl describe host` shows), both by the Host's uid.
 */
function rebootedEvents(host: any): StreamAppend[] {
  const { name, uid } = host.metadata;
  const message = `Node ${name} has been rebooted, boot id: ${host.status.nodeInfo.bootID}`;
  const actor = { actor: `system:node:${name}`, source: 'spherelet-agent' };
  return [
    { apiVersion: 'v1', kind: 'Node' },
    { apiVersion: HOST_API_VERSION, kind: 'Host' },
  ].map((ref) => objectEvent({ ...ref, name, uid }, { type: 'Warning', reason: 'Rebooted', message, component: 'spherelet', host: name, actor }));
}

/**
 * Registers the host: creates its Host object on first start, and on every
 * start begins a new epoch (a `HostRegistered` event). Work addressed to an
 * older epoch is no longer this agent's. Labels and taints from config are
 * merged over what admins set; capacity is reported as configured. A boot id
 * other than the one the Host recorded means the host was rebooted (its agent
 * restarted): the registration says so in a Rebooted Event, written with it.
 */
export async function registerHost(
  store: EventStore,
  name: string,
  description: HostDescription,
  fences: HostFenceRecord[] = [],
): Promise<{ epoch: number; object: any; fence?: HostFenceRecord; rebooted: boolean }> {
  const streamId = objectStreamId(HOSTS_RESOURCE, undefined, name);
  for (let attempt = 1; ; attempt++) {
    const events = await store.readStream(streamId);
    const last = events[events.length - 1];
    const previous = last && last.type !== ObjectEventTypes.deleted ? (last.data as any).object : undefined;
    const epoch = (previous?.status?.epoch ?? 0) + 1;
    // The runtime fenced the epoch before (its lease ran out): say so, once, with this registration.
    const fence = fences.find((f) => f.epoch === epoch - 1);
    const now = rfc3339();
    const own = [
      { type: 'Ready', status: 'Unknown', reason: 'HostRegistered', message: `epoch ${epoch} started; waiting for heartbeats`, lastTransitionTime: now },
      { ...description.isolation, lastTransitionTime: now },
      { ...description.network, lastTransitionTime: now },
    ];
    // As kubelet's node status setters: the agent writes its own conditions; those others reported through the Node
    // (a node-problem-detector's KernelDeadlock, say) stay as they were until their writer changes them.
    const reported = ((previous?.status?.conditions ?? []) as { type: string }[]).filter((c) => !own.some((o) => o.type === c.type));
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
        conditions: [...own, ...reported],
      },
    };
    delete (object.metadata as any).resourceVersion;
    // As kubelet: only a boot id recorded before and now another (a first registration, or a Host from before boot ids, has none).
    const recordedBoot: string | undefined = previous?.status?.nodeInfo?.bootID;
    const rebooted = !!recordedBoot && recordedBoot !== description.nodeInfo.bootID;
    try {
      await store.appendBatch([
        {
          streamId,
          events: [{ type: HostEventTypes.registered, data: { resource: HOSTS_RESOURCE, object, ...(fence ? { fence } : {}) }, metadata: { actor: `system:node:${name}`, source: 'spherelet-agent' } }],
          expectedVersion: last ? last.streamVersion : 'no_stream',
        },
        ...(rebooted ? rebootedEvents(object) : []),
      ]);
      return { epoch, object, fence, rebooted };
    } catch (err) {
      if (!(err instanceof VersionConflictError) || attempt >= 10) throw err;
    }
  }
}
