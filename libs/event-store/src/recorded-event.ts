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

/** Where a lazily timed event keeps the text Postgres sent and, once read, the parsed time (not enumerable: a spread or JSON copies neither). */
const CREATED_AT_TEXT = Symbol('createdAtText');
const CREATED_AT = Symbol('createdAt');
type LazyTimed = { [CREATED_AT_TEXT]: string; [CREATED_AT]?: Date };

/** The one getter of every lazily timed event's `createdAt`. */
function lazyCreatedAt(this: LazyTimed): Date {
  return (this[CREATED_AT] ??= parseTimestamp(this[CREATED_AT_TEXT]));
}
const LAZY_CREATED_AT: PropertyDescriptor = { get: lazyCreatedAt, enumerable: true, configurable: true };
const HIDDEN = { writable: true, enumerable: false, configurable: true };

/**
 * toRecordedEvent for a row whose `created_at` is still the text Postgres sent (read with `timesAsText`): the time
 * is parsed when first read, as most readers of the log never read it. `createdAt` is an own, enumerable accessor (a
 * spread or JSON.stringify of the event gets the Date), added to an object made without it and the same getter for
 * every event, so these events share one shape and keep V8's fast properties (turning a data property into an
 * accessor, or a getter closure per event, left each event a dictionary: every read of its fields a hash lookup).
 */
export function toRecordedEventLazyTime(row: any): RecordedEvent {
  const event = eventWithoutTime(row);
  Object.defineProperty(event, CREATED_AT_TEXT, { ...HIDDEN, value: row.created_at });
  Object.defineProperty(event, CREATED_AT, { ...HIDDEN, value: undefined });
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
  Object.defineProperty(event, SENT_DATA, { ...HIDDEN, value: sent.data });
  Object.defineProperty(event, DATA, { ...HIDDEN, value: undefined });
  Object.defineProperty(event, SENT_METADATA, { ...HIDDEN, value: sent.metadata });
  Object.defineProperty(event, METADATA, { ...HIDDEN, value: undefined });
  Object.defineProperty(event, 'data', SENT_DATA_ACCESSOR);
  Object.defineProperty(event, 'metadata', SENT_METADATA_ACCESSOR);
  return Object.assign(event, { position: decided.position, transactionId: decided.transactionId, createdAt: decided.createdAt }) as unknown as RecordedEvent;
}

/*
 * The bodies' slots and accessors: one getter and setter pair for every such event (a pair of closures per event, as
 * an object literal's `get`/`set` makes, left each event a dictionary to V8: every field read a hash lookup).
 */
const SENT_DATA = Symbol('sentData');
const DATA = Symbol('data');
const SENT_METADATA = Symbol('sentMetadata');
const METADATA = Symbol('metadata');
type SentBodies = { [SENT_DATA]: string; [DATA]?: unknown; [SENT_METADATA]: string; [METADATA]?: EventMetadata };
const SENT_DATA_ACCESSOR: PropertyDescriptor = {
  get(this: SentBodies) {
    if (this[DATA] === undefined) this[DATA] = JSON.parse(this[SENT_DATA]);
    return this[DATA];
  },
  set(this: SentBodies, value: unknown) {
    this[DATA] = value;
  },
  enumerable: true,
  configurable: true,
};
const SENT_METADATA_ACCESSOR: PropertyDescriptor = {
  get(this: SentBodies) {
    if (this[METADATA] === undefined) this[METADATA] = JSON.parse(this[SENT_METADATA]) as EventMetadata;
    return this[METADATA];
  },
  set(this: SentBodies, value: EventMetadata) {
    this[METADATA] = value;
  },
  enumerable: true,
  configurable: true,
};
