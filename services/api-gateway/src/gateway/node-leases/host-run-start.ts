import { HOSTS_RESOURCE, HostEventTypes, objectStreamId } from '@openpacific/contracts';
import type { EventStore } from '@openpacific/event-store';

/** When a host's current run (epoch) began: the time of its last registration in the log; undefined if it has none. */
export async function registeredAt(store: EventStore, host: string): Promise<number | undefined> {
  const events = await store.readStream(objectStreamId(HOSTS_RESOURCE, undefined, host));
  const last = events.filter((e) => e.type === HostEventTypes.registered).pop();
  return last?.createdAt.getTime();
}
