import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, StatusCause, validateQualifiedName } from '@openpacific/kube-api';
import { validateLabelSelector } from './networkpolicy.strategy';

const ACTIONS = ['DoNotSchedule', 'ScheduleAnyway'];
const POLICIES = ['Honor', 'Ignore'];

/** kube-apiserver's validateTopologySpreadConstraints for a pod's `spec.topologySpreadConstraints`. */
export function validateTopologySpreadConstraints(constraints: any[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  constraints.forEach((c, i) => {
    const at = `spec.topologySpreadConstraints[${i}]`;
    if (!(Number.isInteger(c?.maxSkew) && c.maxSkew > 0)) causes.push(fieldInvalid(`${at}.maxSkew`, c?.maxSkew ?? 0, 'must be greater than zero'));
    if (!c?.topologyKey) causes.push(fieldRequired(`${at}.topologyKey`, 'can not be empty'));
    const action = c?.whenUnsatisfiable ?? '';
    if (!ACTIONS.includes(action)) causes.push(fieldNotSupported(`${at}.whenUnsatisfiable`, action, ACTIONS));
    if (c?.minDomains !== undefined && c.minDomains !== null) {
      if (!(Number.isInteger(c.minDomains) && c.minDomains > 0)) causes.push(fieldInvalid(`${at}.minDomains`, c.minDomains, 'must be greater than 0'));
      else if (action !== 'DoNotSchedule') causes.push(fieldInvalid(`${at}.minDomains`, c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`));
    }
    const pair = `{${c?.topologyKey ?? ''}, ${action}}`;
    if (seen.has(pair)) causes.push(fieldDuplicate(`${at}.{topologyKey, whenUnsatisfiable}`, pair));
    seen.add(pair);
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy'] as const) {
      if (c?.[policy] !== undefined && !POLICIES.includes(c[policy])) causes.push(fieldNotSupported(`${at}.${policy}`, c[policy], POLICIES));
    }
    if (c?.labelSelector) causes.push(...validateLabelSelector(c.labelSelector, `${at}.labelSelector`));
    const selectorKeys = new Set([...Object.keys(c?.labelSelector?.matchLabels ?? {}), ...(c?.labelSelector?.matchExpressions ?? []).map((e: any) => e?.key)]);
    ((c?.matchLabelKeys ?? []) as string[]).forEach((key, j) => {
      for (const m of validateQualifiedName(key)) causes.push(fieldInvalid(`${at}.matchLabelKeys[${j}]`, key, m));
      if (selectorKeys.has(key)) causes.push(fieldInvalid(`${at}.matchLabelKeys[${j}]`, key, 'exists in both matchLabelKeys and labelSelector'));
    });
  });
  return causes;
}
