import type * as Cel from '@bufbuild/cel';
import { expectOpaque, opaque } from './opaque-values';

/** An exact quantity: num / den, den > 0, in lowest terms. */
interface Quantity {
  num: bigint;
  den: bigint;
}

const QUANTITY = /^([+-]?)(\d+\.?\d*|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
function reduce(num: bigint, den: bigint): Quantity {
  const g = gcd(num, den) || 1n;
  return { num: num / g, den: den / g };
}

/** resource.ParseQuantity's syntax, kept exact (`1.5Gi`, `250m`, `1e3`); undefined for anything else. */
export function parseExactQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [int, frac = ''] = m[2].split('.');
  let num = BigInt(`${int || '0'}${frac}`) * (m[1] === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  const suffix = m[3];
  if (suffix && BINARY_SUFFIX[suffix] !== undefined) num *= 2n ** BINARY_SUFFIX[suffix];
  else {
    const exp = m[4] !== undefined ? Number(m[4]) : DECIMAL_SUFFIX[suffix ?? ''];
    if (Math.abs(exp) > 1000) return undefined;
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  return reduce(num, den);
}

const cmp = (a: Quantity, b: Quantity): number => {
  const l = a.num * b.den;
  const r = b.num * a.den;
  return l < r ? -1 : l > r ? 1 : 0;
};
const isInt64 = (q: Quantity) => q.den === 1n && q.num >= INT64_MIN && q.num <= INT64_MAX;

/** Kubernetes' quantity library: `quantity()`, `isQuantity()`, comparisons, arithmetic and conversions. */
export function quantityLibrary(cel: typeof Cel): Cel.CelFunc[] {
  const { CelScalar, celFunc, celMethod, mapType } = cel;
  const { STRING, BOOL, INT, DOUBLE } = CelScalar;
  const QUANTITY_TYPE = mapType(CelScalar.DYN, CelScalar.DYN);
  const wrap = (q: Quantity) => opaque(cel, 'Quantity', `${q.num}/${q.den}`, q);
  const get = (v: unknown, fn: string) => expectOpaque<Quantity>('Quantity', v, fn);
  const method = <R extends Cel.CelType>(name: string, result: R, fn: (q: Quantity) => Cel.CelInput<R>) =>
    celMethod(name, QUANTITY_TYPE, [], result, function () { return fn(get(this, name)); });
  const binary = <R extends Cel.CelType>(name: string, result: R, fn: (a: Quantity, b: Quantity) => Cel.CelInput<R>) =>
    celMethod(name, QUANTITY_TYPE, [QUANTITY_TYPE], result, function (other) { return fn(get(this, name), get(other, name)); });
  // add and sub take an int too (`q.add(1)`).
  const arithmetic = (name: string, fn: (a: Quantity, b: Quantity) => Quantity) => [
    binary(name, QUANTITY_TYPE, (a, b) => wrap(fn(a, b))),
    celMethod(name, QUANTITY_TYPE, [INT], QUANTITY_TYPE, function (n) { return wrap(fn(get(this, name), { num: n, den: 1n })); }),
  ];
  return [
    celFunc('quantity', [STRING], QUANTITY_TYPE, (s) => {
      const q = parseExactQuantity(s);
      if (!q) throw new Error(FORMAT_WRONG);
      return wrap(q);
    }),
    celFunc('isQuantity', [STRING], BOOL, (s) => parseExactQuantity(s) !== undefined),
    method('sign', INT, (q) => (q.num < 0n ? -1n : q.num > 0n ? 1n : 0n)),
    method('isInteger', BOOL, isInt64),
    method('asInteger', INT, (q) => {
      if (!isInt64(q)) throw new Error('cannot convert value to integer');
      return q.num;
    }),
    method('asApproximateFloat', DOUBLE, (q) => Number(q.num) / Number(q.den)),
    binary('isLessThan', BOOL, (a, b) => cmp(a, b) < 0),
    binary('isGreaterThan', BOOL, (a, b) => cmp(a, b) > 0),
    binary('compareTo', INT, (a, b) => BigInt(cmp(a, b))),
    ...arithmetic('add', (a, b) => reduce(a.num * b.den + b.num * a.den, a.den * b.den)),
    ...arithmetic('sub', (a, b) => reduce(a.num * b.den - b.num * a.den, a.den * b.den)),
  ];
}
