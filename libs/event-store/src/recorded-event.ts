import type { EventMetadata } from '@openpacific/contracts';
import { types } from 'pg';
import { LogPosition } from './log-position';

export interface NewEvent<T = unknown> {
  /** A uuid; generated when absent (time-ordered, see event-id.ts). Also the JetStream message id, so re-sends are dropped. */
  id?: string;
  type: string;
  data: T;
  metadata: EventMetadata;
}

export interface RecordedEvent<T = any> extends LogPosition {
  id: string;
  streamId: string;
  /** 1 for the first event of a stream. */
  streamVersion: number;
  type: string;
  data: T;
  metadata: EventMetadata;
  createdAt: Date;
}

/** A recorded event whose bodies are the JSON text the log holds (see `readAllText`). */
export interface RecordedEventText extends Omit<RecordedEvent, 'data' | 'metadata'> {
  data: string;
  metadata: string;
}

export const EVENT_COLUMNS = 'position, transaction_id, stream_id, stream_version, event_id, type, data, metadata, created_at';

export function toRecordedEvent(row: any): RecordedEvent {
  const event = eventWithoutTime(row) as RecordedEvent;
  event.createdAt = row.created_at;
  return event;
}

/** A row's fields but its time, which each reader adds its own way (parsed by pg, or parsed when first read). */
function eventWithoutTime(row: any): Omit<RecordedEvent, 'createdAt'> {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
  };
}

/** pg's own parser of a timestamptz's text (what `created_at` is parsed with when pg parses it). */
const parseTimestamp = types.getTypeParser(1184) as (text: string) => Date;

/**
 * Where a lazily timed event keeps its time: the text Postgres sent until first read, then the parsed `Date` (not
 * enumerable: a spread or JSON copies neither).
 */
const CREATED_AT_SLOT = Symbol('createdAt');
type LazyTimed = { [CREATED_AT_SLOT]: string | Date };

/** The one getter of every lazily timed event's `createdAt`. */
function lazyCreatedAt(this: LazyTimed): Date {
  const slot = this[CREATED_AT_SLOT];
  if (typeof slot !== 'string') return slot;
  return (this[CREATED_AT_SLOT] = parseTimestamp(slot));
}
const LAZY_CREATED_AT: PropertyDescriptor = { get: lazyCreatedAt, enumerable: true, configurable: true };

/**
 * toRecordedEvent for a row whose `created_at` is still the text Postgres sent (read with `timesAsText`): the time
 * is parsed when first read, as most readers of the log never read it. `createdAt` is an own, enumerable accessor (a
 * spread or JSON.stringify of the event gets the Date), added to an object made without it and the same getter for
 * every event, so these events share one shape and keep V8's fast properties (turning a data property into an
 * accessor, or a getter closure per event, left each event a dictionary: every read of its fields a hash lookup).
 * Two `Object.defineProperty` calls an event, the fewest that make a hidden slot and an accessor: each is a call into
 * V8's runtime, and three of them, each with a descriptor spread anew, were most of this function's cost (docs/benchmarks.md,
 * "Fiftieth round").
 */
export function toRecordedEventLazyTime(row: any): RecordedEvent {
  const event = eventWithoutTime(row);
  Object.defineProperty(event, CREATED_AT_SLOT, { value: row.created_at, writable: true, enumerable: false, configurable: true });
  return Object.defineProperty(event, 'createdAt', LAZY_CREATED_AT) as RecordedEvent;
}

/** An event as the writer sent it (bodies serialized as they were bound). */
export interface SentEvent {
  id: string;
  streamId: string;
  type: string;
  data: string;
  metadata: string;
}

/**
 * What Postgres decides for each appended event, returned as one text column `decided` rather than four:
 * the position, the transaction, the stream version and the time in Unix milliseconds, space-separated.
 * node-postgres describes every column of every result anew and runs a parser per column and row (the
 * timestamp's the dearest); one text column, split here, cost a single append about a fifth less of the
 * writer's CPU (docs/benchmarks.md, "Nineteenth round"). The time keeps the milliseconds a `Date` holds.
 */
export const DECIDED = `position::text || ' ' || transaction_id::text || ' ' || stream_version::text || ' ' || floor(extract(epoch FROM created_at) * 1000)::text AS decided`;

/** The `decided` column (see DECIDED) read back. */
export interface Decided {
  position: bigint;
  transactionId: bigint;
  streamVersion: number;
  createdAt: Date;
}

export function parseDecided(text: string): Decided {
  const a = text.indexOf(' ');
  const b = text.indexOf(' ', a + 1);
  const c = text.indexOf(' ', b + 1);
  return {
    position: BigInt(text.slice(0, a)),
    transactionId: BigInt(text.slice(a + 1, b)),
    streamVersion: Number(text.slice(b + 1, c)),
    createdAt: new Date(Number(text.slice(c + 1))),
  };
}

/**
 * A recorded event from what Postgres decided (`parseDecided`) and what the writer sent. The bodies are
 * parsed back from the JSON that was stored when first read, so callers get fresh objects without Postgres
 * shipping them back; most writers read only the position and version, and parsing every body anyway was
 * ~1 s of the sim fleet's CPU in a 10,000-pod burst. The bodies are accessor properties, own and
 * enumerable: spreading, JSON and deep equality see them as plain fields.
 */
export function recordedFromSent(decided: Decided, sent: SentEvent): RecordedEvent {
  const event = { id: sent.id, streamId: sent.streamId, streamVersion: decided.streamVersion, type: sent.type };
  // One hidden slot holding both bodies, and the accessors' shared descriptors: three calls into V8's runtime, where a
  // slot per body and per parsed body, each with a descriptor spread anew, made six and cost an event about 3.6 µs
  // against 0.5 (docs/benchmarks.md, "Fiftieth round").
  Object.defineProperty(event, BODIES, { value: new SentBodies(sent.data, sent.metadata), writable: false, enumerable: false, configurable: true });
  Object.defineProperty(event, 'data', SENT_DATA_ACCESSOR);
  Object.defineProperty(event, 'metadata', SENT_METADATA_ACCESSOR);
  const recorded = event as unknown as RecordedEvent;
  recorded.position = decided.position;
  recorded.transactionId = decided.transactionId;
  recorded.createdAt = decided.createdAt;
  return recorded;
}

/*
 * The bodies' slot and accessors: one getter and setter pair for every such event (a pair of closures per event, as
 * an object literal's `get`/`set` makes, left each event a dictionary to V8: every field read a hash lookup).
 */
const BODIES = Symbol('bodies');

/** An event's bodies as sent, and each parsed once read (or set). */
class SentBodies {
  data: unknown = undefined;
  metadata: EventMetadata | undefined = undefined;
  constructor(
    readonly sentData: string,
    readonly sentMetadata: string,
  ) {}
}

type WithBodies = { [BODIES]: SentBodies };
const SENT_DATA_ACCESSOR: PropertyDescriptor = {
  get(this: WithBodies) {
    const bodies = this[BODIES];
    if (bodies.data === undefined) bodies.data = JSON.parse(bodies.sentData);
    return bodies.data;
  },
  set(this: WithBodies, value: unknown) {
    this[BODIES].data = value;
  },
  enumerable: true,
  configurable: true,
};
const SENT_METADATA_ACCESSOR: PropertyDescriptor = {
  get(this: WithBodies) {
    const bodies = this[BODIES];
    if (bodies.metadata === undefined) bodies.metadata = JSON.parse(bodies.sentMetadata) as EventMetadata;
    return bodies.metadata;
  },
  set(this: WithBodies, value: EventMetadata) {
    this[BODIES].metadata = value;
  },
  enumerable: true,
  configurable: true,
};
