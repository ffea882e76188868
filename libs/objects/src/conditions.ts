/**
 * The order an object's conditions are kept in: by type, in code-unit order. Every writer of a VM's conditions
 * (vm-operator, the scheduler, the host) sorts with it, so they agree, without `localeCompare`'s cost per
 * comparison on every status they build. For the CamelCase condition types in use the two orders are the same.
 */
export function byConditionType(a: { type: string }, b: { type: string }): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}
