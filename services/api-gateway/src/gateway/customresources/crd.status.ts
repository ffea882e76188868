import { crdNames, rfc3339 } from '@openpacific/contracts';

export interface CrdCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export function conditionOf(crd: any, type: string): CrdCondition | undefined {
  return (crd?.status?.conditions ?? []).find((c: CrdCondition) => c.type === type);
}

/** Sets a condition, keeping its lastTransitionTime unless its status changes (as apiextensions' SetCRDCondition). */
export function setCondition(crd: any, condition: CrdCondition): void {
  const status = (crd.status ??= {});
  const conditions: CrdCondition[] = (status.conditions ??= []);
  const i = conditions.findIndex((c) => c.type === condition.type);
  const old = conditions[i];
  const next = { ...condition, lastTransitionTime: old && old.status === condition.status ? old.lastTransitionTime : rfc3339() };
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
}

/** Is the CRD's kind served: its names accepted and the CRD established? */
export function isEstablished(crd: any): boolean {
  return conditionOf(crd, 'Established')?.status === 'True';
}

type Names = ReturnType<typeof crdNames>;

/**
 * The names a CRD may have and its NamesAccepted and Established conditions, as apiextensions' naming controller
 * decides them: a name another CRD of the group has accepted (plural, singular or short name among resources;
 * kind or list kind among kinds) is refused unless this CRD holds it already. Established never goes back.
 */
export function namesAndConditions(crd: any, others: any[]): { accepted: Partial<Names>; namesAccepted: CrdCondition; established: CrdCondition } {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const o of others) {
    if (o.spec?.group !== crd.spec.group || o.metadata.name === crd.metadata.name) continue;
    const n = o.status?.acceptedNames ?? {};
    for (const r of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (r) resources.add(r);
    for (const k of [n.kind, n.listKind]) if (k) kinds.add(k);
  }
  const requested = crdNames(crd);
  const held = crd.status?.acceptedNames ?? {};
  const accepted: Partial<Names> = { ...held };
  let namesAccepted: CrdCondition = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const refuse = (reason: string, name: string) => {
    namesAccepted = { type: 'NamesAccepted', status: 'False', reason, message: `"${name}" is already in use` };
  };
  const check = (key: 'plural' | 'singular' | 'kind' | 'listKind', used: Set<string>, reason: string) => {
    if (requested[key] !== held[key] && used.has(requested[key])) refuse(reason, requested[key]);
    else accepted[key] = requested[key];
  };
  check('plural', resources, 'PluralConflict');
  check('singular', resources, 'SingularConflict');
  const mine = new Set<string>(held.shortNames ?? []);
  const taken = requested.shortNames.filter((s) => !mine.has(s) && resources.has(s));
  if (taken.length > 0) refuse('ShortNamesConflict', taken[0]);
  else accepted.shortNames = requested.shortNames;
  check('kind', kinds, 'KindConflict');
  check('listKind', kinds, 'ListKindConflict');
  accepted.categories = requested.categories;
  // As the Go type writes them: empty lists left out.
  for (const key of ['shortNames', 'categories'] as const) if (accepted[key]?.length === 0) delete accepted[key];
  const old = conditionOf(crd, 'Established');
  let established: CrdCondition = old ?? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' };
  if (established.status !== 'True' && namesAccepted.status === 'True') {
    established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };
  }
  return { accepted, namesAccepted, established };
}

/** What a delete of a CRD sets: it is terminating until its custom resources are gone. */
export function markTerminating(crd: any): void {
  setCondition(crd, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' });
}
