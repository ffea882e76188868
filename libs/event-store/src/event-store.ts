import type { Pool, PoolClient } from 'pg';
import { eventCatalogue, JsonSchema } from '@openpacific/contracts';
import { appendToStream } from './append';
import { appendStreams, StreamAppend } from './append-batch';
import { appendEach, SingleAppend, SingleAppendOutcome } from './append-each';
import { ExpectedVersion } from './errors';
import { EventValidator } from './event-validator';
import { LogPosition } from './log-position';
import { readAll } from './read-all';
import { listStreams, readStream, streamVersion } from './read-stream';
import { NewEvent, RecordedEvent } from './recorded-event';

export interface AppendResult {
  /** The stream's version after the append. */
  streamVersion: number;
  events: RecordedEvent[];
}

export interface EventStoreOptions {
  catalogue?: Record<string, JsonSchema>;
  /**
   * Send Postgres NOTIFY with every append (default true). NOTIFY takes a
   * global lock at commit and halves throughput under concurrency, so the
   * services turn it off and poke followers over NATS (`onAppended`) instead.
   */
  notify?: boolean;
  /** Called after every successful append, e.g. to publish a wake-up. Must not throw or block. */
  onAppended?: (events: RecordedEvent[]) => void;
}

/** The append-only event store: the source of truth of the whole system. */
export class EventStore {
  private readonly validator: EventValidator;
  private readonly notify: boolean;
  private readonly onAppended?: (events: RecordedEvent[]) => void;

  constructor(
    readonly pool: Pool,
    opts: EventStoreOptions = {},
  ) {
    this.validator = new EventValidator(opts.catalogue ?? eventCatalogue);
    this.notify = opts.notify ?? true;
    this.onAppended = opts.onAppended;
  }

  /** Appends atomically; pass `client` to append inside a transaction of your own. */
  async append(
    streamId: string,
    events: NewEvent[],
    opts: { expectedVersion?: ExpectedVersion; client?: PoolClient } = {},
  ): Promise<AppendResult> {
    for (const e of events) this.validator.check(e);
    const recorded = await appendToStream(opts.client ?? this.pool, streamId, events, opts.expectedVersion ?? 'any', this.notify);
    if (!opts.client) this.onAppended?.(recorded);
    return { streamVersion: recorded[recorded.length - 1]?.streamVersion ?? 0, events: recorded };
  }

  /**
   * Independent single-event appends in one round trip and one commit (append-each.ts): each item is
   * validated and version-checked on its own, and one item's failure (its outcome) leaves the others
   * written. Every item must name a different stream. A statement that fails as a whole throws.
   */
  async appendEach(items: SingleAppend[]): Promise<SingleAppendOutcome[]> {
    const outcomes: Array<SingleAppendOutcome | undefined> = items.map((item) => {
      try {
        this.validator.check(item.event);
        return undefined;
      } catch (err) {
        return err as Error;
      }
    });
    const valid = items.filter((_, i) => !outcomes[i]);
    const appended = await appendEach(this.pool, valid, this.notify);
    const recorded = appended.filter((o): o is RecordedEvent => !(o instanceof Error));
    if (recorded.length > 0) this.onAppended?.(recorded);
    let next = 0;
    return outcomes.map((o) => o ?? appended[next++]);
  }

  /**
   * Several streams, all or nothing, in one commit: one statement for the whole batch (append-batch.ts),
   * or appendToStream when only one item has events. A version conflict on any stream writes nothing and
   * throws the VersionConflictError the first failing item (in order) meets. A stream may appear in
   * several items; each item's expected version counts the events of the items before it.
   */
  async appendBatch(items: StreamAppend[], opts: { client?: PoolClient } = {}): Promise<AppendResult[]> {
    for (const item of items) for (const e of item.events) this.validator.check(e);
    const writing = items.filter((item) => item.events.length > 0);
    let recorded: RecordedEvent[][];
    if (writing.length <= 1) {
      const only = writing[0];
      const written = only ? await appendToStream(opts.client ?? this.pool, only.streamId, only.events, only.expectedVersion ?? 'any', this.notify) : [];
      recorded = items.map((item) => (item === only ? written : []));
    } else {
      recorded = await appendStreams(opts.client ?? this.pool, items, this.notify);
    }
    if (!opts.client) this.onAppended?.(recorded.flat());
    return recorded.map((events) => ({ streamVersion: events[events.length - 1]?.streamVersion ?? 0, events }));
  }

  readStream(streamId: string, opts: { fromVersion?: number; toVersion?: number; client?: PoolClient } = {}): Promise<RecordedEvent[]> {
    return readStream(opts.client ?? this.pool, streamId, opts);
  }

  readAll(opts: { after?: LogPosition | null; limit?: number; lazyTimes?: boolean; client?: PoolClient } = {}): Promise<RecordedEvent[]> {
    return readAll(opts.client ?? this.pool, opts);
  }

  listStreams(prefix: string): Promise<{ streamId: string; version: number }[]> {
    return listStreams(this.pool, prefix);
  }

  streamVersion(streamId: string): Promise<number> {
    return streamVersion(this.pool, streamId);
  }
}
