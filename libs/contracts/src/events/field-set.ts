/**
 * What an event of an object carries when its writer changed only a few of the object's fields: the stream
 * names the object, and `set` the fields' new values, each by its path of one or two names (`status`,
 * `spec.nodeName`, `metadata.annotations`). A value replaces what was at its path whole; everything else of the
 * object stays as the stream's previous event left it. The writer wrote it at the version it read (the
 * event's stream version minus one), so the object it changed is exactly the one the stream held.
 */
export type FieldSet = Record<string, unknown>;

/** The object with `set` applied: a new object, sharing every part of `object` that `set` leaves alone. */
export function withFieldSet<T extends Record<string, any>>(object: T, set: FieldSet): T {
  const next: Record<string, any> = { ...object };
  for (const path in set) {
    const dot = path.indexOf('.');
    if (dot < 0) next[path] = set[path];
    else {
      const top = path.slice(0, dot);
      next[top] = { ...next[top], [path.slice(dot + 1)]: set[path] };
    }
  }
  return next as T;
}
