import type { EventMetadata } from '@openpacific/contracts';
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
  return {
    id: row.event_id,
    streamId: row.stream_id,
    streamVersion: Number(row.stream_version),
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
    createdAt: row.created_at,
  };
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
 * A recorded event from what Postgres decided (the RETURNING row: position, transaction, stream version,
 * time) and what the writer sent. The bodies are parsed back from the JSON that was stored when first read,
 * so callers get fresh objects without Postgres shipping them back; most writers read only the position and
 * version, and parsing every body anyway was ~1 s of the sim fleet's CPU in a 10,000-pod burst. The bodies
 * are accessor properties, own and enumerable: spreading, JSON and deep equality see them as plain fields.
 */
export function recordedFromSent(row: any, sent: SentEvent): RecordedEvent {
  let data: unknown;
  let metadata: EventMetadata | undefined;
  return {
    id: sent.id,
    streamId: sent.streamId,
    streamVersion: Number(row.stream_version),
    type: sent.type,
    get data() {
      if (data === undefined) data = JSON.parse(sent.data);
      return data;
    },
    set data(value: unknown) {
      data = value;
    },
    get metadata() {
      if (metadata === undefined) metadata = JSON.parse(sent.metadata) as EventMetadata;
      return metadata;
    },
    set metadata(value: EventMetadata) {
      metadata = value;
    },
    position: BigInt(row.position),
    transactionId: BigInt(row.transaction_id),
    createdAt: row.created_at,
  };
}
