import { KindIndex } from './kind-index';
import { objectKey, StoredObject } from './read-model';

const stored = (namespace: string, name: string, n = 0): StoredObject => ({ object: { metadata: { namespace, name }, n }, streamId: `pods/${namespace}/${name}`, streamVersion: 1 });

/** What a list must be: every object present, by namespace then name. */
function expected(present: Map<string, StoredObject>, namespace?: string): StoredObject[] {
  const all = [...present.values()].filter((s) => !namespace || s.object.metadata.namespace === namespace);
  const sortKey = (s: StoredObject) => `${s.object.metadata.namespace}\u0000${s.object.metadata.name}`;
  return all.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
}

describe('a resource index', () => {
  it('lists in namespace and name order whatever came, went and came back between two lists', () => {
    // A fixed pseudo-random walk: adds, updates, deletes and re-adds, with lists (all and by namespace) in between.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const index = new KindIndex();
    const present = new Map<string, StoredObject>();
    for (let step = 0; step < 5000; step++) {
      const namespace = ['a', 'b', 'c-d', 'c'][next(4)];
      const name = `p-${next(300)}`;
      const key = objectKey(namespace, name);
      const op = next(10);
      if (op < 5) {
        const s = stored(namespace, name, step);
        index.set(key, s);
        present.set(key, s);
      } else if (op < 8) {
        index.delete(key);
        present.delete(key);
      } else if (op === 8) {
        expect(index.list()).toEqual(expected(present));
      } else {
        expect(index.list(namespace)).toEqual(expected(present, namespace));
      }
    }
    expect(index.list()).toEqual(expected(present));
    for (const ns of ['a', 'b', 'c', 'c-d']) expect(index.list(ns)).toEqual(expected(present, ns));
  });

  it('lists the objects as they are now, not as they were when listed before', () => {
    const index = new KindIndex();
    index.set('a/x', stored('a', 'x', 1));
    expect(index.list().map((s) => s.object.n)).toEqual([1]);
    index.set('a/x', stored('a', 'x', 2));
    index.delete('a/x');
    index.set('a/x', stored('a', 'x', 3));
    index.set('a/w', stored('a', 'w', 4));
    expect(index.list().map((s) => s.object.n)).toEqual([4, 3]);
    index.delete('a/w');
    index.delete('a/x');
    expect(index.list('a')).toEqual([]);
    expect(index.list()).toEqual([]);
  });
});
