import { DatabaseError } from 'pg';
import { ExpectedVersion } from './errors';
import type { EventStore } from './event-store';
import { NewEvent, RecordedEvent } from './recorded-event';
import type { SingleAppend } from './append-each';

interface Pending {
  item: SingleAppend;
  resolve: (event: RecordedEvent) => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Statements in flight at once (each holds a pooled connection); more waiting appends join the next batch. */
  maxInFlight?: number;
  /** Most appends in one statement. */
  maxBatch?: number;
}

/**
 * Single-event appends of many concurrent callers, committed together: while `maxInFlight` statements
 * are out, further appends wait and then go as one `EventStore.appendEach` (one round trip, one commit,
 * one wake-up for the followers). A caller sees exactly what `EventStore.append` would give it: its
 * recorded event, or its own VersionConflictError. Under light load nothing waits: an append finds a
 * free slot and goes at once, alone, as a plain `append`.
 */
export class GroupCommit {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;

  constructor(
    private readonly store: EventStore,
    opts: GroupCommitOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 4;
    this.maxBatch = opts.maxBatch ?? 200;
  }

  append(streamId: string, event: NewEvent, expectedVersion: ExpectedVersion): Promise<RecordedEvent> {
    return new Promise((resolve, reject) => {
      // The first append of a microtask turn schedules the pump; the appends that follow in the same turn (the
      // callers one answer or one admission batch released together) join it in one batch, instead of the first
      // ones each taking a free slot alone and the rest waiting behind them for a whole statement.
      if (this.queue.push({ item: { streamId, event, expectedVersion }, resolve, reject }) === 1) queueMicrotask(() => this.pump());
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The oldest waiting appends, one per stream: a second write to a stream waits for the next batch, in order. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const streams = new Set<string>();
    for (let i = 0; i < this.queue.length && batch.length < this.maxBatch; ) {
      const p = this.queue[i];
      if (streams.has(p.item.streamId)) {
        i++;
        continue;
      }
      streams.add(p.item.streamId);
      batch.push(p);
      this.queue.splice(i, 1);
    }
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.alone(batch[0]);
    let outcomes;
    try {
      outcomes = await this.store.appendEach(batch.map((p) => p.item));
    } catch (err) {
      // Postgres refused the statement as a whole (a deadlock with another batch, say): nothing of it was
      // written, so each append goes again on its own and fails, if at all, for its own reason.
      if (!rolledBack(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      await Promise.all(batch.map((p) => this.alone(p)));
      return;
    }
    outcomes.forEach((o, i) => (o instanceof Error ? batch[i].reject(o) : batch[i].resolve(o)));
  }

  private async alone(p: Pending): Promise<void> {
    try {
      const { events } = await this.store.append(p.item.streamId, [p.item.event], { expectedVersion: p.item.expectedVersion });
      p.resolve(events[0]);
    } catch (err) {
      p.reject(err);
    }
  }
}

/**
 * An error Postgres answered for the statement (e.g. 40P01 deadlock), which then changed nothing. A lost
 * connection or a server going down (class 08, 57P) is not one: the commit may have happened, so those
 * appends are not sent again.
 */
function rolledBack(err: unknown): boolean {
  return err instanceof DatabaseError && typeof err.code === 'string' && !/^(08|57P)/.test(err.code);
}
