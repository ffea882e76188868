import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ObjectEventTypes, objectStreamId, rfc3339 } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';

/** What a core v1 Event is about (its involvedObject). A cluster-scoped object has no namespace. */
export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  uid: string;
  /** The object's resourceVersion as the reporter read it (client-go's recorder sets it; the log's own writers do not). */
  resourceVersion?: string;
  /**
   * The part of the object the Event is about, when it is about one part (`spec.containers{web}`, one container of a
   * pod): `kubectl get events -o wide` shows it as SUBOBJECT, and Events about two parts must be told apart.
   */
  fieldPath?: string;
}

/** What an Event says, and who says it. */
export interface EventContent {
  type: 'Normal' | 'Warning';
  /** One CamelCase word, as Kubernetes' (`NodeReady`, `PoweredOn`). */
  reason: string;
  message: string;
  /** source.component and reportingComponent (`node-controller`, `vmware-system-vmop`). */
  component: string;
  /** source.host, for what a host's agent reports. */
  host?: string;
  /**
   * A key that makes the Event's name deterministic (`<object>.<hash of kind, uid and key>`): writing it a second
   * time (a resync, a restarted or second controller) is refused by the store (`no_stream`) instead of
   * repeating the Event. The involved object's fieldPath counts too, so that the same key said of two containers
   * makes two Events. Without one, the name is the time it was made, as a recorder's.
   */
  onceKey?: string;
}

export interface ObjectEventOptions extends EventContent {
  /** Who writes it, as every event of the log names its actor. */
  actor: { actor: string; source: string };
}

/** Random bytes drawn a page at a time: one draw per Event name was a call into the system's random source each. */
let randomPage = Buffer.alloc(0);
let randomAt = 0;
/** The last name suffix this process gave, so that its Events' names keep the order it made them in. */
let lastSuffix = 0n;

/**
 * A name suffix as client-go's recorder makes one, the time in nanoseconds in hex, so that an object's Events list
 * (by name) in the order they happened: `kubectl describe` sorts them by `lastTimestamp`, a whole second, and keeps
 * the list's order within one. The clock gives milliseconds; the nanoseconds below are random, which keeps two
 * processes from drawing the same name, and a later Event of this process never gets a smaller suffix.
 */
export function eventNameSuffix(now = new Date()): string {
  if (randomAt + 4 > randomPage.length) {
    randomPage = randomBytes(4096);
    randomAt = 0;
  }
  const below = randomPage.readUInt32LE(randomAt) % 1_000_000;
  randomAt += 4;
  let suffix = BigInt(now.getTime()) * 1_000_000n + BigInt(below);
  if (suffix <= lastSuffix) suffix = lastSuffix + 1n;
  lastSuffix = suffix;
  return suffix.toString(16);
}

/**
 * A core v1 Event about any object, as `kubectl describe` finds them: in the object's namespace, or in
 * `default` for a cluster-scoped object (as client-go's recorder puts a Node's events), with
 * involvedObject kind, name, namespace and uid set so kubectl's field selector matches.
 */
export function objectEvent(involved: InvolvedObject, opts: ObjectEventOptions, now = new Date()): StreamAppend {
  const object = eventObject(involved, opts, now, { uid: randomUUID(), creationTimestamp: rfc3339(now) });
  const { name, namespace } = object.metadata;
  return {
    streamId: objectStreamId('events', namespace, name),
    events: [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: opts.actor }],
    expectedVersion: 'no_stream',
  };
}

/**
 * The Event itself, named as `objectEvent` names it: what the log holds given the server's `uid` and
 * `creationTimestamp` (`serverSet`), or without them what a client posts to an API (the cloud provider to a guest's).
 */
export function eventObject(involved: InvolvedObject, opts: EventContent, now = new Date(), serverSet: { uid: string; creationTimestamp: string } | Record<string, never> = {}): any {
  const at = rfc3339(now);
  const namespace = involved.namespace || 'default';
  // The fieldPath joins the hashed key only when given, so that the Events already written about whole objects keep
  // their names (and a resync still finds them written).
  const onceKey = opts.onceKey && (involved.fieldPath ? `${opts.onceKey}\n${involved.fieldPath}` : opts.onceKey);
  const suffix = onceKey
    ? createHash('sha256').update(`${involved.kind}\n${involved.uid}\n${onceKey}`).digest('hex').slice(0, 16)
    : eventNameSuffix(now);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.name}.${suffix}`, namespace, ...serverSet },
    involvedObject: {
      apiVersion: involved.apiVersion, kind: involved.kind, name: involved.name, ...(involved.namespace ? { namespace: involved.namespace } : {}), uid: involved.uid,
      ...(involved.resourceVersion ? { resourceVersion: involved.resourceVersion } : {}),
      ...(involved.fieldPath ? { fieldPath: involved.fieldPath } : {}),
    },
    reason: opts.reason,
    message: opts.message,
    type: opts.type,
    source: { component: opts.component, ...(opts.host ? { host: opts.host } : {}) },
    reportingComponent: opts.component,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}
