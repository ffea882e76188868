import { FieldSet, ObjectEventTypes, withFieldSet } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';

/**
 * Objects as the events of their streams leave them, for a reader that holds nothing else: fed events in log
 * (or stream) order from each stream's first, an event that carries its object gives it whole, and one that
 * sets some of its fields (`FieldSet`) changes the object the stream's events before it left (undefined if they
 * left none). A deletion carries the object's last state.
 */
export class ObjectFold {
  private readonly objects = new Map<string, any>();

  /** The object as `event` leaves it. */
  apply(event: RecordedEvent): any {
    const data = event.data as { object?: any; set?: FieldSet } | undefined;
    let object = this.objects.get(event.streamId);
    if (data?.object) object = data.object;
    else if (data?.set) object = object && withFieldSet(object, data.set);
    this.objects.set(event.streamId, object);
    return object;
  }
}

/** The object as each of one stream's events (from its first) leaves it. */
export function objectsAfter(events: readonly RecordedEvent[]): any[] {
  const fold = new ObjectFold();
  return events.map((e) => fold.apply(e));
}

/** The object a stream's events (from its first) leave; undefined when the last of them deleted it. */
export function objectOfStream(events: readonly RecordedEvent[]): any | undefined {
  const last = events[events.length - 1];
  if (!last || last.type === ObjectEventTypes.deleted) return undefined;
  return objectsAfter(events).pop();
}
