import { randomUUID } from 'node:crypto';
import type { BackoffOptions } from './exponential-backoff';
import type { ReconcileFn } from './level-triggered';
import { errorFields, jsonLineLogger, type ReconcilerLogger } from './reconciler-logger';
import { isTerminalError } from './terminal-error';
import { WorkQueue } from './work-queue';

export interface ControllerOptions {
  /** Appears in every log line as `controller`. */
  name: string;
  reconcile: ReconcileFn;
  /** Workers reconciling different keys in parallel; one key never runs twice at once. Default 1. */
  concurrency?: number;
  /** Every so often, enqueue every key from `listKeys` to repair anything a lost event missed. */
  resyncMs?: number;
  /** All keys this controller owns; enqueued at `start()` and on each resync. */
  listKeys?: () => Iterable<string> | Promise<Iterable<string>>;
  logger?: ReconcilerLogger;
  /** Retry backoff after errors (default 5 ms doubling to 60 s). */
  backoff?: BackoffOptions;
}

export interface ControllerStats {
  /** Reconciles finished, whatever their outcome. */
  reconciles: number;
  /** Reconciles that threw, terminal ones included. */
  errors: number;
  /** Of `errors`, those that were `TerminalError` and not retried. */
  terminalErrors: number;
  /** Keys put back: retries after errors plus `requeueAfterMs` results. */
  requeues: number;
  /** Keys ready and waiting for a worker. */
  queued: number;
  /** Reconciles running now. */
  inFlight: number;
}

/**
 * Runs a level-triggered reconcile over a work queue: events call `enqueue(key)`,
 * workers take keys one at a time per key, failures are retried with per-key
 * backoff, and a periodic resync re-enqueues every known key.
 * A controller runs once: after `stop()` it cannot be started again.
 */
export class Controller {
  readonly name: string;
  private readonly queue: WorkQueue<string>;
  private readonly logger: ReconcilerLogger;
  private readonly concurrency: number;
  private workers: Promise<void>[] = [];
  private resyncTimer?: NodeJS.Timeout;
  private started = false;
  private readonly counters = { reconciles: 0, errors: 0, terminalErrors: 0, requeues: 0 };

  constructor(private readonly opts: ControllerOptions) {
    this.name = opts.name;
    this.logger = opts.logger ?? jsonLineLogger;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.queue = new WorkQueue<string>(opts.backoff);
  }

  start(): void {
    if (this.started) return;
    if (this.queue.isShuttingDown()) throw new Error(`controller ${this.name} was stopped and cannot restart`);
    this.started = true;
    for (let i = 0; i < this.concurrency; i++) this.workers.push(this.runWorker());
    if (this.opts.listKeys) {
      void this.resync();
      if (this.opts.resyncMs && this.opts.resyncMs > 0) {
        this.resyncTimer = setInterval(() => void this.resync(), this.opts.resyncMs);
        this.resyncTimer.unref();
      }
    }
    this.logger.info('controller started', { controller: this.name, concurrency: this.concurrency });
  }

  /** Stops taking keys and resolves once every in-flight reconcile has finished. */
  async stop(): Promise<void> {
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    this.queue.shutDown();
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers);
    if (this.started) this.logger.info('controller stopped', { controller: this.name });
  }

  /** Asks for `key` to be reconciled; cheap and safe to call for every event. */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  stats(): ControllerStats {
    return { ...this.counters, queued: this.queue.len(), inFlight: this.queue.processingCount() };
  }

  private async runWorker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const reconcileID = randomUUID();
    const fields = { controller: this.name, key, reconcileID };
    try {
      const result = await this.opts.reconcile(key);
      this.counters.reconciles++;
      this.queue.forget(key);
      const after = result?.requeueAfterMs;
      if (after !== undefined && after >= 0) {
        this.counters.requeues++;
        this.queue.addAfter(key, after);
      }
      this.logger.debug('reconciled', { ...fields, requeueAfterMs: after });
    } catch (err) {
      this.counters.reconciles++;
      this.counters.errors++;
      if (isTerminalError(err)) {
        this.counters.terminalErrors++;
        this.queue.forget(key);
        this.logger.error('reconcile failed terminally, not retrying', { ...fields, ...errorFields(err) });
        return;
      }
      this.counters.requeues++;
      const retryInMs = this.queue.addRateLimited(key);
      this.logger.error('reconcile failed, retrying', { ...fields, retryInMs, ...errorFields(err) });
    }
  }

  private async resync(): Promise<void> {
    try {
      const keys = await this.opts.listKeys!();
      for (const key of keys) this.queue.add(key);
    } catch (err) {
      this.logger.error('resync failed to list keys', { controller: this.name, ...errorFields(err) });
    }
  }
}
