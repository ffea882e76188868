/**
 * A Map that keeps its `size` most recently used entries, as the groupcache LRU client-go's recorder keeps its
 * caches in: a get or a set makes an entry the newest, and a set past the size drops the oldest. Not `lru-cache`:
 * it allocates its arrays for `max` entries up front, and a sim fleet holds three of these caches per host (100
 * hosts: 300 caches of 4,096, nearly all far from full).
 */
export class LruMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly size: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // A Map iterates in insertion order: inserted anew, the entry is the last to go.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
