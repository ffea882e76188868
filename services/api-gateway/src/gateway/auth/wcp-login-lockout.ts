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
 * Names the in-memory lockout tracks at most; the least recently tried is forgotten first. Pushing one name out takes
 * this many logins of other names, each an scrypt of the gateway's (0.1-0.2 s): far longer than the lockout it would dodge.
 */
export const TRACKED_NAMES = 10_000;

/** What became of one login: its value when `verify` gave one, or why not, with the end of a lock (ms) if any. */
export type LoginOutcome<T> =
  | { result: 'ok'; value: T }
  | { result: 'failed'; lockedUntil?: number }
  | { result: 'locked'; lockedUntil: number };

/**
 * vCenter's lockout policy for `POST /wcp/login`: unknown names are counted and locked like users' (a lock tells nothing
 * about who exists), a locked name's logins are refused without checking the password, and one name's logins are
 * judged one after another, so that guesses sent together still see each other's failures.
 */
export interface LoginLockout {
  /**
   * Runs `verify` for a login of `name` unless the name is locked: a value is a success, which clears the name's
   * failures; undefined is a failure, and the one that makes `maxFailures` within the window locks the name.
   */
  attempt<T>(name: string, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>>;
}

/** What the lockout remembers of one name: its failures within the window (ms, oldest first) and the end of its lock. */
export interface NameRecord {
  failures: number[];
  lockedUntil?: number;
}

/** The key of a name: a digest, since a typed name is now and then a password, and may be long. Exact, as typed. */
export const nameKey = (name: string) => createHash('sha256').update(name).digest('base64');

export const isLocked = (record: NameRecord, now: number): record is NameRecord & { lockedUntil: number } =>
  record.lockedUntil !== undefined && now < record.lockedUntil;

/** The record after a failure at `now`: the one that makes `maxFailures` within the window locks the name. */
export function afterFailure(record: NameRecord, now: number, policy: LockoutPolicy): NameRecord {
  const failures = [...record.failures.filter((at) => at > now - policy.failureWindowSeconds * 1000), now];
  if (failures.length < policy.maxFailures) return { failures };
  // The count starts again once the lock ends, as vCenter's does.
  return { failures: [], lockedUntil: now + policy.lockoutSeconds * 1000 };
}

/** When forgetting the record changes nothing: its last failure left the window and its lock ended. */
export function forgettableAfter(record: NameRecord, policy: LockoutPolicy): number {
  const last = record.failures[record.failures.length - 1];
  return Math.max(last === undefined ? -Infinity : last + policy.failureWindowSeconds * 1000, record.lockedUntil ?? -Infinity);
}

interface NameState extends NameRecord {
  /** The name's logins run one after another. */
  tail: Promise<unknown>;
  pending: number;
}

/**
 * The lockout in this process's memory, for tests and for a gateway without Postgres at hand: the gateway itself keeps
 * it in Postgres (PostgresLoginLockout), shared by its replicas.
 */
export class MemoryLoginLockout implements LoginLockout {
  /** Keyed by nameKey. Oldest touched first. */
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

  attempt<T>(name: string, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    const state = this.touch(nameKey(name));
    state.pending++;
    const run = state.tail.then(() => this.judge(state, verify));
    state.tail = run.catch(() => undefined);
    return run.finally(() => state.pending--);
  }

  private async judge<T>(state: NameState, verify: () => Promise<T | undefined>): Promise<LoginOutcome<T>> {
    if (isLocked(state, this.clock())) return { result: 'locked', lockedUntil: state.lockedUntil };
    state.lockedUntil = undefined;
    const value = await verify();
    if (value !== undefined) {
      state.failures = [];
      return { result: 'ok', value };
    }
    Object.assign(state, { lockedUntil: undefined }, afterFailure(state, this.clock(), this.policy));
    return state.lockedUntil === undefined ? { result: 'failed' } : { result: 'failed', lockedUntil: state.lockedUntil };
  }

  /** The name's state, now the most recently touched; the oldest are dropped over the cap, the idle ones anyway. */
  private touch(key: string): NameState {
    const state = this.names.get(key) ?? { failures: [], tail: Promise.resolve(), pending: 0 };
    this.names.delete(key);
    const now = this.clock();
    for (const [oldest, s] of this.names) {
      if (this.names.size < this.maxNames && !(s.pending === 0 && forgettableAfter(s, this.policy) <= now)) break;
      // A dropped name's logins in flight finish on their own; its next login starts afresh.
      this.names.delete(oldest);
    }
    this.names.set(key, state);
    return state;
  }
}
