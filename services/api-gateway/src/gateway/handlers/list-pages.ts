import { badRequest, KubeApiError, statusError } from '@openpacific/kube-api';

/**
 * List chunking as kube-apiserver does it: `limit` cuts a list into pages and
 * `metadata.continue` is an opaque token naming the list's resourceVersion and
 * the last object served. Later pages come from the same state of the list: a
 * snapshot kept for a while (the read model holds only the latest state), or
 * the read model itself when nothing has been applied since. Once neither
 * holds that state the token has expired (410 Expired, as after an etcd
 * compaction), and the Status carries a token that continues from the latest
 * state for a client that accepts an inconsistent list.
 */

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ContinueToken {
  /** The list's resourceVersion; empty for a token that continues from whatever state is current. */
  rv: string;
  /** Sort key (`namespace NUL name`) of the last object served. */
  start: string;
}

export interface ListState<T> {
  /** Every matching object of the list, sorted by `sortKey`. */
  items: T[];
  resourceVersion: string;
}

export interface Page<T> {
  items: T[];
  meta: ListMeta;
}

const TOKEN_VERSION = 'meta.k8s.io/v1';

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, rv: token.rv, start: token.start })).toString('base64url');
}

export function decodeContinue(raw: string): ContinueToken {
  const invalid = (why: string) => badRequest(`continue: Invalid value: "${raw}": ${why}`);
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a continue token');
  }
  if (!parsed || parsed.v !== TOKEN_VERSION || typeof parsed.rv !== 'string' || typeof parsed.start !== 'string') {
    throw invalid('not a continue token');
  }
  if (parsed.rv !== '' && !/^\d{1,30}$/.test(parsed.rv)) throw invalid('its resourceVersion is not valid');
  if (parsed.start === '') throw invalid('it names no position in the list');
  return { rv: parsed.rv, start: parsed.start };
}

/** The 410 a token gets once the state of its list is gone. */
export function continueExpired(token: ContinueToken): KubeApiError {
  const err = statusError(410, 'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
    'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
    'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  err.status.metadata = { continue: encodeContinue({ rv: '', start: token.start }) };
  return err;
}

/** Index of the first item whose sort key comes after `start` (items are sorted by it). */
function firstAfter<T>(items: T[], start: string, sortKey: (item: T) => string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sortKey(items[mid]) <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One page of a list: from after the token's position (or the start), at most `limit` items (0: all). */
export function pageOf<T>(state: ListState<T>, limit: number, token: ContinueToken | undefined, sortKey: (item: T) => string): Page<T> {
  const from = token ? firstAfter(state.items, token.start, sortKey) : 0;
  const to = limit > 0 ? Math.min(state.items.length, from + limit) : state.items.length;
  const items = state.items.slice(from, to);
  const meta: ListMeta = { resourceVersion: state.resourceVersion };
  if (to < state.items.length && items.length > 0) {
    meta.continue = encodeContinue({ rv: token?.rv === '' ? '' : state.resourceVersion, start: sortKey(items[items.length - 1]) });
    meta.remainingItemCount = state.items.length - to;
  }
  return { items, meta };
}

interface Snapshot {
  items: unknown[];
  expiresAt: number;
}

/**
 * States of lists whose first page was cut, kept so the following pages see
 * the same state. Bounded by count and age, as kube-apiserver's are by etcd's
 * compaction (every five minutes by default).
 */
export class ListSnapshots {
  private readonly entries = new Map<string, Snapshot>();

  constructor(private readonly maxEntries = 32, private readonly ttlMs = 5 * 60_000, private readonly now = () => Date.now()) {}

  keep(key: string, items: unknown[]): void {
    this.evict();
    this.entries.delete(key);
    this.entries.set(key, { items, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  find<T>(key: string): T[] | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) return undefined;
    return entry.items as T[];
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
