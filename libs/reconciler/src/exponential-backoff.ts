export interface BackoffOptions {
  /** Delay after the first failure; doubles on each further failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Ceiling for the delay, so a broken key is still retried now and then. Default 60 s. */
  maxDelayMs?: number;
}

export const DEFAULT_BASE_DELAY_MS = 5;
export const DEFAULT_MAX_DELAY_MS = 60_000;

/**
 * Per-key exponential backoff: each failure of a key doubles its next delay
 * (base, 2·base, 4·base … capped at max) until `forget(key)` resets it.
 * Keys are independent so one failing object does not slow the others.
 */
export class ExponentialBackoff<K = string> {
  private readonly failures = new Map<K, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(opts: BackoffOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
    this.maxDelayMs = opts.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  /** Records one more failure of `key` and returns how long to wait before retrying it. */
  next(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs);
  }

  /** How many failures of `key` are on record since the last `forget`. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
