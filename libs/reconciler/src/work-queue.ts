import { ExponentialBackoff, type BackoffOptions } from './exponential-backoff';

export type WorkQueueOptions = BackoffOptions;

/**
 * A work queue with the guarantees of client-go's workqueue:
 * - a key waiting in the queue is held once, however often it is added (dedupe);
 * - a key is handed to at most one worker at a time (exclusivity);
 * - a key added while a worker holds it is marked dirty and handed out again
 *   after `done(key)`, so no change is lost.
 * Keys are compared with `Map` semantics, so use strings or other primitives.
 */
export class WorkQueue<K = string> {
  private readonly queue: K[] = [];
  /** Keys that need processing: queued ones plus held ones added again. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  /** Earliest pending delayed add per key, so repeated `addAfter` keeps one timer. */
  private readonly delayed = new Map<K, { at: number; timer: NodeJS.Timeout }>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  private readonly backoff: ExponentialBackoff<K>;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions = {}) {
    this.backoff = new ExponentialBackoff<K>(opts);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // re-queued by done()
    this.enqueueReady(key);
  }

  /** Adds `key` once `ms` have passed; an earlier pending add of the same key wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    // A pending retry must not keep a process alive on its own.
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Adds `key` after its next backoff delay and returns that delay (ms). */
  addRateLimited(key: K): number {
    const delay = this.backoff.next(key);
    this.addAfter(key, delay);
    return delay;
  }

  /** Resets the backoff of `key`; call it when the key was processed successfully. */
  forget(key: K): void {
    this.backoff.forget(key);
  }

  /** Failures on record for `key` since the last `forget`. */
  numRequeues(key: K): number {
    return this.backoff.retries(key);
  }

  /**
   * Waits for the next ready key and marks it held; the caller must call `done(key)`.
   * Resolves `undefined` once the queue is shut down.
   */
  get(): Promise<K | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Releases a key taken with `get()`; if it was added meanwhile it is queued again. */
  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueueReady(key);
  }

  /** Stops handing out keys, drops pending delayed adds and wakes every waiting `get()`. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const wake of this.waiters.splice(0)) wake(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys ready to be handed out (not counting held or delayed ones). */
  len(): number {
    return this.queue.length;
  }

  /** Keys currently held by workers. */
  processingCount(): number {
    return this.processing.size;
  }

  private enqueueReady(key: K): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take(key));
    else this.queue.push(key);
  }

  private take(key: K): K {
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
