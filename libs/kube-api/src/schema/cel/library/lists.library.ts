import type * as Cel from '@bufbuild/cel';

/** Orders two CEL values of one comparable kind (numbers, strings, booleans), as `<` does. */
function compare(a: unknown, b: unknown): number {
  const numeric = (x: unknown) => typeof x === 'bigint' || typeof x === 'number';
  if (numeric(a) && numeric(b)) return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  if ((typeof a === 'string' && typeof b === 'string') || (typeof a === 'boolean' && typeof b === 'boolean')) return a < b ? -1 : a > b ? 1 : 0;
  throw new Error('no such overload');
}

const items = (list: Cel.CelList): unknown[] => [...list];

function extreme(list: Cel.CelList, name: 'min' | 'max'): unknown {
  const all = items(list);
  if (all.length === 0) throw new Error(`${name} called on empty list`);
  return all.reduce((best, x) => ((name === 'min' ? compare(x, best) < 0 : compare(x, best) > 0) ? x : best));
}

function sum(list: Cel.CelList): bigint | number {
  const all = items(list);
  if (all.every((x) => typeof x === 'bigint')) return (all as bigint[]).reduce((n, x) => n + x, 0n);
  if (all.every((x) => typeof x === 'number')) return (all as number[]).reduce((n, x) => n + x, 0);
  throw new Error('no such overload');
}

/**
 * Kubernetes' list library (`isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists) and CEL's sets
 * extension (`sets.contains`, `sets.equivalent`, `sets.intersects`), which kube-apiserver enables too.
 */
export function listLibrary(cel: typeof Cel): Cel.CelFunc[] {
  const { CelScalar, celMethod, celFunc, listType } = cel;
  const LIST = listType(CelScalar.DYN);
  const { DYN, INT, BOOL } = CelScalar;
  // CEL's own equality (ints equal doubles of the same value, lists and maps by content), planned once.
  const equals = cel.plan(cel.celEnv({ variables: { a: DYN, b: DYN } }), cel.parse('a == b'));
  const equal = (a: unknown, b: unknown) => equals({ a, b } as any) === true;
  const contains = (list: Cel.CelList, x: unknown) => items(list).some((y) => equal(x, y));
  return [
    celMethod('isSorted', LIST, [], BOOL, function () {
      const all = items(this);
      return all.every((x, i) => i === 0 || compare(all[i - 1], x) <= 0);
    }),
    celMethod('sum', LIST, [], DYN, function () { return sum(this) as any; }),
    celMethod('min', LIST, [], DYN, function () { return extreme(this, 'min') as any; }),
    celMethod('max', LIST, [], DYN, function () { return extreme(this, 'max') as any; }),
    celMethod('indexOf', LIST, [DYN], INT, function (x) { return BigInt(items(this).findIndex((y) => equal(x, y))); }),
    celMethod('lastIndexOf', LIST, [DYN], INT, function (x) {
      const all = items(this);
      for (let i = all.length - 1; i >= 0; i--) if (equal(x, all[i])) return BigInt(i);
      return -1n;
    }),
    celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => items(b).every((x) => contains(a, x))),
    celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => items(b).every((x) => contains(a, x)) && items(a).every((x) => contains(b, x))),
    celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => items(b).some((x) => contains(a, x))),
  ];
}
