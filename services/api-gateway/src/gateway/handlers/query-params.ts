import { badRequest, goQuote } from '@openpacific/kube-api';

/**
 * Query parameters that kube-apiserver's parameter codec converts to integers, each a 400 in its words when the
 * conversion fails: `limit`, `timeoutSeconds` and `gracePeriodSeconds`.
 */

const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64), its error a 400 as the parameter codec's is. */
export function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return Number(n);
}

/** `limit` as kube-apiserver takes it: absent or 0 means the whole list. */
export function parseLimit(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return 0;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`limit: Invalid value: "${raw}": must be an integer`);
  const n = Number(raw);
  if (n < 0) throw badRequest(`limit: Invalid value: ${raw}: must be greater than or equal to 0`);
  return n;
}

/**
 * `timeoutSeconds` of a list or watch: 0 when absent or empty (a watch then runs until the client leaves), else an
 * int64, or a 400 as the parameter codec's (`strconv.ParseInt: parsing "abc": invalid syntax`).
 */
export function timeoutSecondsOf(query: URLSearchParams): number {
  const raw = query.get('timeoutSeconds');
  return raw === null || raw === '' ? 0 : parseInt64(raw);
}
