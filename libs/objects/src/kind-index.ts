import type { StoredObject } from './read-model';

const ALL = Symbol('all namespaces');

/**
 * One resource's objects: by key, by namespace, and their list order cached.
 *
 * Lists are what every LIST request and every controller pass reads, so a
 * namespaced list reads only its namespace, and the sorted order is kept until
 * an object comes or goes (an update never moves an object: its key is its
 * namespace and name). The order holds keys, not objects, so updates need not
 * invalidate it.
 */
export class KindIndex {
  private readonly byKey = new Map<string, StoredObject>();
  private readonly byNamespace = new Map<string, Map<string, StoredObject>>();
  private readonly orders = new Map<string | typeof ALL, string[]>();

  get(key: string): StoredObject | undefined {
    return this.byKey.get(key);
  }

  set(key: string, stored: StoredObject): void {
    const namespace = namespaceOf(stored);
    const isNew = !this.byKey.has(key);
    this.byKey.set(key, stored);
    let inNamespace = this.byNamespace.get(namespace);
    if (!inNamespace) this.byNamespace.set(namespace, (inNamespace = new Map()));
    inNamespace.set(key, stored);
    if (isNew) this.forgetOrder(namespace);
  }

  delete(key: string): void {
    const stored = this.byKey.get(key);
    if (!stored) return;
    const namespace = namespaceOf(stored);
    this.byKey.delete(key);
    const inNamespace = this.byNamespace.get(namespace);
    inNamespace?.delete(key);
    if (inNamespace?.size === 0) this.byNamespace.delete(namespace);
    this.forgetOrder(namespace);
  }

  /** Sorted by namespace, then name, in plain code-unit order (names are ASCII: kube-apiserver's byte order). */
  list(namespace?: string): StoredObject[] {
    const scope = namespace ? this.byNamespace.get(namespace) : this.byKey;
    if (!scope) return [];
    const orderKey = namespace || ALL;
    let order = this.orders.get(orderKey);
    if (!order) {
      order = sortedKeys(scope);
      this.orders.set(orderKey, order);
    }
    return order.map((key) => scope.get(key)!);
  }

  private forgetOrder(namespace: string): void {
    this.orders.delete(namespace);
    this.orders.delete(ALL);
  }
}

function namespaceOf(stored: StoredObject): string {
  return stored.object.metadata.namespace ?? '';
}

/**
 * Keys ordered by namespace, then name. Sorting on `namespace NUL name` is the
 * same order (NUL sorts below every character a name may hold) with one
 * string comparison per step; keys are unique, so no two sort keys are equal.
 */
function sortedKeys(scope: Map<string, StoredObject>): string[] {
  const rows: Array<{ sortKey: string; key: string }> = [];
  for (const [key, stored] of scope) rows.push({ sortKey: `${namespaceOf(stored)}\u0000${stored.object.metadata.name}`, key });
  rows.sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1));
  return rows.map((r) => r.key);
}
