import { objectStreamId, ObjectEventTypes, qualifiedResource } from '@openpacific/contracts';
import { compareLogPositions, LogPosition, RecordedEvent, resourceVersionOf } from '@openpacific/event-store';
import { notFound } from '@openpacific/kube-api';
import { objectsAfter } from '@openpacific/objects';
import { compare } from 'fast-json-patch';
import { GatewayCore, ResourceRequest } from '../core';
import { sendJson } from '../http/respond';

/**
 * `GET <object path>/history`: every event of the object's stream, oldest
 * first, with who caused it and what changed (an RFC 6902 diff from the state
 * before). No Kubernetes API has this; the event log makes it free.
 */
export async function handleHistory(core: GatewayCore, r: ResourceRequest): Promise<void> {
  const { served, namespace, name } = r.target;
  const events = await core.store.readStream(objectStreamId(served.resource, namespace, name!));
  if (events.length === 0) throw notFound(qualifiedResource(served.def), name!);
  let previous: any = undefined;
  const objects = objectsAfter(events);
  const items = events.map((e, i) => {
    const object = withVersion(objects[i], e);
    const item = {
      type: e.type,
      resourceVersion: resourceVersionOf(e),
      streamVersion: e.streamVersion,
      time: e.createdAt.toISOString(),
      actor: e.metadata.actor,
      source: e.metadata.source,
      uid: object.metadata.uid,
      changes: previous && previous.metadata.uid === object.metadata.uid ? compare(strip(previous), strip(object)) : [],
      object,
      // What the event says beyond the object (why a pod was unbound, the fence a host reported).
      ...details(e),
    };
    previous = e.type === ObjectEventTypes.deleted ? undefined : object;
    return item;
  });
  sendJson(r.res, 200, {
    kind: 'ObjectHistory',
    apiVersion: 'openpacific.io/v1alpha1',
    metadata: { resourceVersion: items[items.length - 1].resourceVersion },
    involvedObject: { apiVersion: served.apiVersion, kind: served.def.kind, namespace, name },
    items,
  });
}

/** The object as it was at `at`: the last event at or before it, unless that event deleted it. */
export function foldHistory(events: RecordedEvent[], at: LogPosition): any | undefined {
  let state: any = undefined;
  const objects = objectsAfter(events);
  for (const [i, e] of events.entries()) {
    if (compareLogPositions(e, at) > 0) break;
    state = e.type === ObjectEventTypes.deleted ? undefined : withVersion(objects[i], e);
  }
  return state;
}

/** The object as an event left it (`objectsAfter`), at the event's resourceVersion. */
function withVersion(object: any, e: RecordedEvent): any {
  return { ...object, metadata: { ...object.metadata, resourceVersion: resourceVersionOf(e) } };
}

function strip(o: any): any {
  return { ...o, metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined } };
}

function details(e: RecordedEvent): { details?: Record<string, unknown> } {
  const { resource: _resource, object: _object, set: _set, ...rest } = e.data as Record<string, unknown>;
  return Object.keys(rest).length > 0 ? { details: rest } : {};
}
