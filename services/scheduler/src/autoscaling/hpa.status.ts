/** The HPA's conditions as kube-controller-manager's setCondition keeps them: in the order first set, a time only on a change of status. */
export interface HpaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export function setCondition(conditions: HpaCondition[], next: Omit<HpaCondition, 'lastTransitionTime'>, now: string): HpaCondition[] {
  const index = conditions.findIndex((c) => c.type === next.type);
  if (index < 0) return [...conditions, { ...next, lastTransitionTime: now }];
  const old = conditions[index];
  const updated = { ...next, lastTransitionTime: old.status === next.status && old.lastTransitionTime ? old.lastTransitionTime : now };
  return conditions.map((c, i) => (i === index ? updated : c));
}

