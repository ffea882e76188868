import { rfc3339 } from '@openpacific/contracts';

/** The conditions kube-controller-manager's namespace deleter keeps on a Terminating namespace, in its order. */
const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining', 'NamespaceFinalizersRemaining',
] as const;

/** Each condition as it reads when nothing is wrong (status False): the deleter's words. */
const FINE: Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

/** What is left in a Terminating namespace: objects by resource and group, and how many of them each finalizer holds. */
export interface RemainingContent {
  /** `<resource>.<group>` (`configmaps.` for the core group) → objects left. */
  resources: Map<string, number>;
  finalizers: Map<string, number>;
}

/** Counts what a namespace still holds, object by object (`resource`, `group`, its finalizers). */
export function countRemaining(objects: Iterable<{ resource: string; group: string; finalizers?: string[] }>): RemainingContent {
  const resources = new Map<string, number>();
  const finalizers = new Map<string, number>();
  for (const o of objects) {
    const key = `${o.resource}.${o.group}`;
    resources.set(key, (resources.get(key) ?? 0) + 1);
    for (const f of o.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
  }
  return { resources, finalizers };
}

/**
 * The namespace's `status.conditions` while it is Terminating, as the namespace deleter words them: the three failure
 * conditions False, `NamespaceContentRemaining` True with what remains (`Some resources are remaining: configmaps. has
 * 1 resource instances`), `NamespaceFinalizersRemaining` True with the finalizers holding it; a condition keeps its
 * lastTransitionTime while its status stays.
 */
export function terminatingConditions(previous: any[] | undefined, remaining: RemainingContent, now = rfc3339()): any[] {
  const sorted = (m: Map<string, number>, words: (k: string, n: number) => string) => [...m].filter(([, n]) => n > 0).map(([k, n]) => words(k, n)).sort();
  const left = sorted(remaining.resources, (k, n) => `${k} has ${n} resource instances`);
  const held = sorted(remaining.finalizers, (k, n) => `${k} in ${n} resource instances`);
  const raised: Partial<Record<(typeof CONDITION_TYPES)[number], { reason: string; message: string }>> = {};
  if (left.length) raised.NamespaceContentRemaining = { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${left.join(', ')}` };
  if (held.length) raised.NamespaceFinalizersRemaining = { reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${held.join(', ')}` };
  return CONDITION_TYPES.map((type) => {
    const up = raised[type];
    const status = up ? 'True' : 'False';
    const before = previous?.find((c) => c.type === type);
    return { type, status, lastTransitionTime: before?.status === status ? before.lastTransitionTime : now, ...(up ?? FINE[type]) };
  });
}

/** Whether two condition lists say the same, their times aside (a pass writes only a change). */
export function sameConditions(a: any[] | undefined, b: any[]): boolean {
  const strip = (list: any[] | undefined) => JSON.stringify((list ?? []).map(({ lastTransitionTime: _t, ...rest }) => rest));
  return strip(a) === strip(b);
}
