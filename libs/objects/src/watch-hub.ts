import { compareLogPositions, LogPosition } from '@openpacific/event-store';
import { ObjectChange } from './read-model';

export type WatchListener = (change: ObjectChange) => void;

/**
 * Fans applied changes out to open watches and keeps the most recent ones in a
 * ring buffer so a watch can resume from a resourceVersion. A watch asking for
 * a version older than the buffer covers gets 410 Expired and relists.
 */
export class WatchHub {
  private readonly buffer: ObjectChange[] = [];
  /** Position of the newest change evicted from the buffer: replay is possible only from here on. */
  private floor: LogPosition | undefined;
  private readonly listeners = new Set<WatchListener>();

  constructor(private readonly capacity: number) {}

  publish(change: ObjectChange): void {
    this.buffer.push(change);
    if (this.buffer.length > this.capacity) this.floor = this.buffer.shift()!.position;
    for (const l of this.listeners) l(change);
  }

  /** Can every change after `from` still be replayed? */
  canReplayFrom(from: LogPosition): boolean {
    return !this.floor || compareLogPositions(from, this.floor) >= 0;
  }

  /** Buffered changes strictly after `from`, oldest first. */
  since(from: LogPosition): ObjectChange[] {
    let lo = 0;
    let hi = this.buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareLogPositions(this.buffer[mid].position, from) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return this.buffer.slice(lo);
  }

  /** The oldest replayable resourceVersion, for the 410 message. */
  oldest(): ObjectChange | undefined {
    return this.buffer[0];
  }

  subscribe(listener: WatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
