import { createHash } from 'node:crypto';

/**
 * How many failed logins of one name lock it, within how long, and for how long. vCenter Single Sign-On's defaults:
 * 5 failures within 180 s lock the name for 300 s.
 */
export interface LockoutPolicy {
  maxFailures: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

export const VCENTER_LOCKOUT_POLICY: LockoutPolicy = { maxFailures: 5, failureWindowSeconds: 180, lockoutSeconds: 300 };
/**
 * Names tracked at most; the least recently tried is forgotten first. Pushing one name out takes this many logins of
 * other names, each an scrypt of the gateway's (0.1-0.2 s): far longer than the lockout it would dodge.
 */
export const TRACKED_NAMES = 10_000;

/** What became of one login: its value when `verify` gave one, or why not, with the end of a lock (ms) if any. */
export type LoginOutcome<T> =
  | { result: 'ok'; value: T }
  | { result: 'failed'; lockedUntil?: number }
  | { result: 'locked'; lockedUntil: number };

interface NameState {
  /** When the failures within the window happened (ms), oldest first. */
  failures: number[];
  lockedUntil?: number;
  /** The name's logins run one after another, so that guesses sent together still see each other's failures. */
  tail: Promise<unknown>;
  pending: number;
}

/**
 * vCenter's lockout policy for `POST /wcp/login`, in this process's memory: unknown names are counted and locked like
 * users' (a lock tells nothing about who exists), and a locked name's logins are refused without checking the password.
 */
export class LoginLockout {
  /** Keyed by a digest of the name: a typed name is now and then a password, and may be long. Oldest touched first. */
  private readonly names = new Map<string, NameState>();

  constructor(
    private readonly policy: LockoutPolicy = VCENTER_LOCKOUT_POLICY,
    private readonly clock: () => number = Date.now,
    private readonly maxNames = TRACKED_NAMES,
  ) {}

  /** How many names are tracked now. */
  get size(): number {
    return this.names.size;
  }

  /**
   * Runs `verify` for a login of `name` unless the name is locked: a value is a success, which clears the name's
   * failures; undefined is a failure, and the one that makes `maxFailures` within the window locks the name.
   */
  attempt<T>(name: string, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    const state = this.touch(createHash('sha256').update(name).digest('base64'));
    state.pending++;
    const run = state.tail.then(() => this.judge(state, verify));
    state.tail = run.catch(() => undefined);
    return run.finally(() => state.pending--);
  }

  private async judge<T>(state: NameState, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    if (state.lockedUntil !== undefined && this.clock() < state.lockedUntil) return { result: 'locked', lockedUntil: state.lockedUntil };
    state.lockedUntil = undefined;
    const value = await verify();
    if (value !== undefined) {
      state.failures = [];
      return { result: 'ok', value };
    }
    const now = this.clock();
    state.failures = [...state.failures.filter((at) => at > now - this.policy.failureWindowSeconds * 1000), now];
    if (state.failures.length < this.policy.maxFailures) return { result: 'failed' };
    // The count starts again once the lock ends, as vCenter's does.
    state.failures = [];
    state.lockedUntil = now + this.policy.lockoutSeconds * 1000;
    return { result: 'failed', lockedUntil: state.lockedUntil };
  }

  /** The name's state, now the most recently touched; the oldest are dropped over the cap, the idle ones anyway. */
  private touch(key: string): NameState {
    const state = this.names.get(key) ?? { failures: [], tail: Promise.resolve(), pending: 0 };
    this.names.delete(key);
    const now = this.clock();
    for (const [oldest, s] of this.names) {
      if (this.names.size < this.maxNames && !this.forgettable(s, now)) break;
      // A dropped name's logins in flight finish on their own; its next login starts afresh.
      this.names.delete(oldest);
    }
    this.names.set(key, state);
    return state;
  }

  /** Nothing in flight, not locked, no failure within the window: forgetting the name changes nothing. */
  private forgettable(s: NameState, now: number): boolean {
    const last = s.failures[s.failures.length - 1];
    return s.pending === 0 && (s.lockedUntil === undefined || s.lockedUntil <= now) && (last === undefined || last <= now - this.policy.failureWindowSeconds * 1000);
  }
}
