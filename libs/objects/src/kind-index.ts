import type { StoredObject } from './read-model';

const ALL = Symbol('all namespaces');

/**
 * A list order: keys sorted by namespace then name (their sort keys beside them), and the changes since it was
 * last read — keys come and go far more often than a list is read (a burst of 10,000 pods writes 20,000 core
 * Events, each its own key) — merged in at the next read.
 */
interface Order {
  keys: string[];
  sortKeys: string[];
  /** Keys added since the last read, with their sort keys. */
  added: Map<string, string>;
  /** Keys of `keys` deleted since the last read. */
  removed: Set<string>;
}

/**
 * One resource's objects: by key, by namespace, and their list order kept.
 *
 * Lists are what every LIST request and every controller pass reads, so a namespaced list reads only its
 * namespace, and the sorted order is built once and then kept: the keys that come and go between two reads are
 * merged into it at the second (a sort of the few that came, then one walk), instead of a re-sort of everything
 * (one sort of every pod per scheduler pass in a burst) or a splice into the middle of the order for each (a copy
 * of half the order per new Event: most of a gateway's memory copying in a burst). An update never moves an
 * object (its key is its namespace and name), so the order holds keys, not objects, and updates leave it alone.
 */
export class KindIndex {
  private readonly byKey = new Map<string, StoredObject>();
  private readonly byNamespace = new Map<string, Map<string, StoredObject>>();
  private readonly orders = new Map<string | typeof ALL, Order>();

  get(key: string): StoredObject | undefined {
    return this.byKey.get(key);
  }

  /** How many objects there are. */
  get size(): number {
    return this.byKey.size;
  }

  set(key: string, stored: StoredObject): void {
    const namespace = namespaceOf(stored);
    const isNew = !this.byKey.has(key);
    this.byKey.set(key, stored);
    let inNamespace = this.byNamespace.get(namespace);
    if (!inNamespace) this.byNamespace.set(namespace, (inNamespace = new Map()));
    inNamespace.set(key, stored);
    if (!isNew) return;
    for (const order of [this.orders.get(namespace), this.orders.get(ALL)]) {
      if (!order) continue;
      // Deleted and back since the last read: it is still in its place.
      if (!order.removed.delete(key)) order.added.set(key, sortKeyOf(stored));
    }
  }

  delete(key: string): void {
    const stored = this.byKey.get(key);
    if (!stored) return;
    const namespace = namespaceOf(stored);
    this.byKey.delete(key);
    const inNamespace = this.byNamespace.get(namespace);
    inNamespace?.delete(key);
    if (inNamespace?.size === 0) this.byNamespace.delete(namespace);
    for (const scope of [namespace, ALL] as const) {
      const order = this.orders.get(scope);
      if (!order) continue;
      if (scope === namespace && inNamespace?.size === 0) {
        this.orders.delete(scope);
        continue;
      }
      if (!order.added.delete(key)) order.removed.add(key);
    }
  }

  /** Sorted by namespace, then name, in plain code-unit order (names are ASCII: kube-apiserver's byte order). */
  list(namespace?: string): StoredObject[] {
    const scope = namespace ? this.byNamespace.get(namespace) : this.byKey;
    if (!scope) return [];
    const orderKey = namespace || ALL;
    let order = this.orders.get(orderKey);
    if (!order) {
      order = sortedOrder(scope);
      this.orders.set(orderKey, order);
    } else settle(order);
    return order.keys.map((key) => scope.get(key)!);
  }
}

function namespaceOf(stored: StoredObject): string {
  return stored.object.metadata.namespace ?? '';
}

/**
 * Ordering by namespace, then name, is ordering on `namespace NUL name` (NUL sorts below every character a name
 * may hold) with one string comparison per step; keys are unique, so no two sort keys are equal.
 */
function sortKeyOf(stored: StoredObject): string {
  return `${namespaceOf(stored)}\u0000${stored.object.metadata.name}`;
}

function sortedOrder(scope: Map<string, StoredObject>): Order {
  const rows: Array<{ sortKey: string; key: string }> = [];
  for (const [key, stored] of scope) rows.push({ sortKey: sortKeyOf(stored), key });
  rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
  return { keys: rows.map((r) => r.key), sortKeys: rows.map((r) => r.sortKey), added: new Map(), removed: new Set() };
}

/** Merges the keys added since the last read into the order (sorted among themselves first) and drops those deleted. */
function settle(order: Order): void {
  if (order.added.size === 0 && order.removed.size === 0) return;
  const added = [...order.added].sort((a, b) => (a[1] < b[1] ? -1 : 1));
  const keys: string[] = [];
  const sortKeys: string[] = [];
  let j = 0;
  for (let i = 0; i < order.keys.length; i++) {
    if (order.removed.has(order.keys[i])) continue;
    while (j < added.length && added[j][1] < order.sortKeys[i]) {
      keys.push(added[j][0]);
      sortKeys.push(added[j++][1]);
    }
    keys.push(order.keys[i]);
    sortKeys.push(order.sortKeys[i]);
  }
  for (; j < added.length; j++) {
    keys.push(added[j][0]);
    sortKeys.push(added[j][1]);
  }
  order.keys = keys;
  order.sortKeys = sortKeys;
  order.added.clear();
  order.removed.clear();
}
