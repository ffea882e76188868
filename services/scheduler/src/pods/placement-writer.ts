import { EventStore, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import type { StoredObject } from '@openpacific/objects';

/** One pod's or VM's verdict: the writes that record it (all or nothing) and the object as they leave it. */
export interface PlacementDecision {
  stored: StoredObject;
  object: any;
  writes: StreamAppend[];
}

export interface PlacementWriterOptions {
  /** Pods per transaction: a few hundred keeps each commit short, so the first pods of a burst start early. */
  chunkPods: number;
  /** Transactions in flight at once: the next chunk is written while the one before commits. */
  maxInFlight: number;
  /** A pod changed under a decision (or a write failed): decide again. */
  retry: () => void;
  onError: (err: unknown) => void;
  /** A decision was given up on: the object is again as the log has it. */
  forgotten?: (stored: StoredObject) => void;
}

/**
 * Writes the scheduler's decisions in chunks, pipelined, and remembers each decided pod as decided ("assumed",
 * as kube-scheduler says) until the log brings its write back to the read model. The next pass can then start
 * at once, while earlier chunks are still committing: it skips the assumed pods and counts their requests on
 * the hosts they went to. Without this a pass either waits for its whole batch to commit and come back through
 * the follower, or decides the same pods again and loses every one of them to a version conflict.
 */
export class PlacementWriter {
  private readonly assumed = new Map<string, { object: any; version: number }>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: EventStore,
    private readonly opts: PlacementWriterOptions,
  ) {}

  /** The object as the scheduler must see it: as decided, if the log has not brought that decision back yet. */
  current(stored: StoredObject): any {
    return this.assumed.get(stored.streamId)?.object ?? stored.object;
  }

  isAssumed(streamId: string): boolean {
    return this.assumed.has(streamId);
  }

  /** The read model applied an event of a stream: a decision taken at an earlier version is now in the model (or lost to another writer). */
  observed(streamId: string, streamVersion: number): void {
    const a = this.assumed.get(streamId);
    if (a && streamVersion > a.version) this.assumed.delete(streamId);
  }

  /** Queues the decisions; resolves once the last chunk is in flight (not committed). */
  async submit(decisions: PlacementDecision[]): Promise<void> {
    for (let i = 0; i < decisions.length; i += this.opts.chunkPods) {
      while (this.inFlight.size >= this.opts.maxInFlight) await Promise.race(this.inFlight);
      const chunk = decisions.slice(i, i + this.opts.chunkPods);
      for (const d of chunk) this.assumed.set(d.stored.streamId, { object: d.object, version: d.stored.streamVersion });
      const write = this.writeChunk(chunk).finally(() => this.inFlight.delete(write));
      this.inFlight.add(write);
    }
  }

  /** Waits for every write in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
  }

  /** One transaction for the chunk; when a pod changed meanwhile, each pod's writes go alone. */
  private async writeChunk(chunk: PlacementDecision[]): Promise<void> {
    try {
      await this.store.appendBatch(chunk.flatMap((d) => d.writes));
      return;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) return this.failed(chunk, err);
    }
    for (const d of chunk) {
      try {
        await this.store.appendBatch(d.writes);
      } catch (err) {
        if (err instanceof VersionConflictError) {
          this.forget(d);
          this.opts.retry();
        } else this.failed([d], err);
      }
    }
  }

  private failed(decisions: PlacementDecision[], err: unknown): void {
    for (const d of decisions) this.forget(d);
    this.opts.onError(err);
    this.opts.retry();
  }

  private forget(d: PlacementDecision): void {
    if (this.assumed.get(d.stored.streamId)?.object !== d.object) return;
    this.assumed.delete(d.stored.streamId);
    this.opts.forgotten?.(d.stored);
  }
}
