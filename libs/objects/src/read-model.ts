import { FieldSet, ObjectEventTypes, objectStreamId, withFieldSet } from '@openpacific/contracts';
import { LogPosition, RecordedEvent, resourceVersionOf } from '@openpacific/event-store';
import { KindIndex } from './kind-index';

export interface StoredObject {
  /** The object at its storage version, `metadata.resourceVersion` filled from its last event's log position. */
  object: any;
  streamId: string;
  streamVersion: number;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One applied change, as watches and controllers see it. */
export interface ObjectChange {
  type: ChangeType;
  resource: string;
  position: LogPosition;
  resourceVersion: string;
  object: any;
  /** The state before this change (undefined for ADDED). */
  previous?: any;
}

/** What controllers' read models leave out: core Events, which they only ever create (under new names). */
export const CONTROLLER_IGNORED: readonly string[] = ['events'];

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of the object a stream holds (`<resource>/<namespace>/<name>` or `<resource>/<name>`). */
function streamObjectKey(streamId: string): string {
  const first = streamId.indexOf('/');
  const second = streamId.indexOf('/', first + 1);
  return second < 0 ? objectKey(undefined, streamId.slice(first + 1)) : objectKey(streamId.slice(first + 1, second), streamId.slice(second + 1));
}

/**
 * Every API object, in memory, rebuilt from the event log on start and kept
 * current by following the log. Reads are served from here; writes go to the
 * log and come back through `apply`.
 */
export class ReadModel {
  private readonly objects = new Map<string, KindIndex>();
  private readonly ignored: Set<string>;

  /**
   * `ignore`: resources this model never holds (their events are passed over). Controllers pass
   * CONTROLLER_IGNORED: they write core Events under new names but never read them, and a burst of
   * 10,000 pods leaves 20,000 of them in every controller's model.
   */
  constructor(opts: { ignore?: readonly string[] } = {}) {
    this.ignored = new Set(opts.ignore ?? []);
  }
  /** Versions of every stream seen, including deleted objects', so a re-create appends at the right version. */
  private readonly streamVersions = new Map<string, number>();
  /** uid -> where the object lives, for owner lookups by the garbage collector. */
  private readonly byUid = new Map<string, { resource: string; key: string }>();
  /** owner uid -> dependents' uids. */
  private readonly dependents = new Map<string, Set<string>>();

  apply(event: RecordedEvent): ObjectChange | undefined {
    const { resource, object, set } = event.data as { resource: string; object?: any; set?: FieldSet };
    if (!resource || (!object && !set) || this.ignored.has(resource)) return undefined;
    this.streamVersions.set(event.streamId, event.streamVersion);
    const resourceVersion = resourceVersionOf(event);
    const position = { transactionId: event.transactionId, position: event.position };
    const bucket = this.bucket(resource);
    const key = object ? objectKey(object.metadata.namespace, object.metadata.name) : streamObjectKey(event.streamId);
    const previous = bucket.get(key)?.object;
    // Some fields only: applied to the object as this model holds it. A model that never held the object (a
    // follower that passed over its creation) has nothing to apply them to.
    const changed = object ?? (previous && withFieldSet(previous, set!));
    if (!changed) return undefined;
    const current = { ...changed, metadata: { ...changed.metadata, resourceVersion } };
    if (previous) this.unindex(previous);
    if (event.type === ObjectEventTypes.deleted) {
      bucket.delete(key);
      return { type: 'DELETED', resource, position, resourceVersion, object: current, previous };
    }
    bucket.set(key, { object: current, streamId: event.streamId, streamVersion: event.streamVersion });
    this.index(resource, key, current);
    return { type: previous ? 'MODIFIED' : 'ADDED', resource, position, resourceVersion, object: current, previous };
  }

  get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.objects.get(resource)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource, optionally in one namespace, sorted by namespace then name as kube-apiserver lists them. */
  list(resource: string, namespace?: string): StoredObject[] {
    return this.objects.get(resource)?.list(namespace) ?? [];
  }

  /** Every object of any resource whose owner references name this uid. */
  dependentsOf(uid: string): Array<{ resource: string; stored: StoredObject }> {
    const out: Array<{ resource: string; stored: StoredObject }> = [];
    for (const dep of this.dependents.get(uid) ?? []) {
      const found = this.findByUid(dep);
      if (found) out.push(found);
    }
    return out;
  }

  findByUid(uid: string): { resource: string; stored: StoredObject } | undefined {
    const at = this.byUid.get(uid);
    const stored = at && this.objects.get(at.resource)?.get(at.key);
    return stored ? { resource: at!.resource, stored } : undefined;
  }

  resources(): string[] {
    return [...this.objects.keys()];
  }

  /** How many objects of a resource there are (what kube-apiserver's `apiserver_storage_objects` counts). */
  count(resource: string): number {
    return this.objects.get(resource)?.size ?? 0;
  }

  streamVersion(resource: string, namespace: string | undefined, name: string): number {
    return this.streamVersions.get(objectStreamId(resource, namespace, name)) ?? 0;
  }

  private index(resource: string, key: string, obj: any): void {
    this.byUid.set(obj.metadata.uid, { resource, key });
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(obj.metadata.uid);
    }
  }

  private unindex(obj: any): void {
    this.byUid.delete(obj.metadata.uid);
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(obj.metadata.uid);
      if (set?.size === 0) this.dependents.delete(ref.uid);
    }
  }

  private bucket(resource: string): KindIndex {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new KindIndex()));
    return b;
  }
}
