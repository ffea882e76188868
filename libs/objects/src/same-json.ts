/**
 * Whether two JSON values are the same, whatever the order of their keys. Objects read back from the log
 * come out of a Postgres jsonb column, which orders keys its own way (shorter first), so comparing with
 * JSON.stringify would call every stored object changed and rewrite it on every pass.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as any)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as any)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as any)[k], (b as any)[k]));
  }
  return false;
}
