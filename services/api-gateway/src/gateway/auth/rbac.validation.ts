import { RBAC_GROUP } from '@openpacific/contracts';
import {
  fieldInvalid, fieldNotSupported, fieldRequired, goQuote, goRendered, StatusCause, validateDns1123Subdomain, validatePathSegmentName,
} from '@openpacific/kube-api';
import { validateLabelSelector } from '../handlers/networkpolicy.strategy';

/**
 * rbac.authorization.k8s.io/v1 as kube-apiserver admits it: the defaults of its rbac/v1 scheme (SetDefaults_RoleBinding,
 * SetDefaults_ClusterRoleBinding, SetDefaults_Subject) and pkg/apis/rbac/validation's ValidateRole, ValidateClusterRole,
 * ValidateRoleBinding and ValidateClusterRoleBinding beyond ObjectMeta (whose names, path segments, the generic rules
 * check), with their field paths and messages.
 */

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

const present = (list: unknown): list is unknown[] => Array.isArray(list) && list.length > 0;

/** A Go []string as field.Invalid prints it (`[]string{"/healthz"}`). */
const goStrings = (list: string[]) => goRendered(`[]string{${list.map(goQuote).join(', ')}}`);

/**
 * A binding's roleRef without an apiGroup is rbac.authorization.k8s.io's, and so is a User's or Group's subject without
 * one (a ServiceAccount's stays the core group ''), as kube-apiserver defaults them: a manifest leaving them out is taken.
 */
export function defaultBinding(binding: any): any {
  if (!binding || typeof binding !== 'object') return binding;
  binding.roleRef ??= {};
  if (typeof binding.roleRef === 'object' && !binding.roleRef.apiGroup) binding.roleRef.apiGroup = RBAC_GROUP;
  for (const s of Array.isArray(binding.subjects) ? binding.subjects : []) {
    if (s && typeof s === 'object' && !s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = RBAC_GROUP;
  }
  return binding;
}

/**
 * ValidatePolicyRule: a rule names at least one verb; a rule of non-resource URLs only those (and never in a namespaced
 * Role, which cannot grant them); a resource rule at least one API group and one resource.
 */
export function validatePolicyRule(rule: any, namespaced: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!present(rule?.verbs)) causes.push(fieldRequired(`${at}.verbs`, 'verbs must contain at least one value'));
  if (present(rule?.nonResourceURLs)) {
    const urls = goStrings(rule.nonResourceURLs);
    if (namespaced) causes.push(fieldInvalid(`${at}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    if (present(rule.apiGroups) || present(rule.resources) || present(rule.resourceNames)) {
      causes.push(fieldInvalid(`${at}.nonResourceURLs`, urls, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return causes;
  }
  if (!present(rule?.apiGroups)) causes.push(fieldRequired(`${at}.apiGroups`, 'resource rules must supply at least one api group'));
  if (!present(rule?.resources)) causes.push(fieldRequired(`${at}.resources`, 'resource rules must supply at least one resource'));
  return causes;
}

const rulesOf = (role: any, namespaced: boolean): StatusCause[] =>
  (Array.isArray(role?.rules) ? role.rules : []).flatMap((rule: any, i: number) => validatePolicyRule(rule, namespaced, `rules[${i}]`));

/** ValidateRole: each rule, as a namespaced one. */
export function validateRole(role: any): StatusCause[] {
  return rulesOf(role, true);
}

/**
 * ValidateClusterRole: each rule (an aggregated role's too: the aggregation controller replaces them with others'
 * rules, which were valid), and an aggregationRule's selectors: at least one, each a valid label selector. kube-apiserver
 * adds `invalid label selector.` for a selector it cannot turn into one, which is any selector with a cause.
 */
export function validateClusterRole(role: any): StatusCause[] {
  const causes = rulesOf(role, false);
  const rule = role?.aggregationRule;
  if (rule == null) return causes;
  const selectors: any[] = Array.isArray(rule.clusterRoleSelectors) ? rule.clusterRoleSelectors : [];
  if (selectors.length === 0) causes.push(fieldRequired('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
  selectors.forEach((selector, i) => {
    const at = `aggregationRule.clusterRoleSelectors[${i}]`;
    const problems = validateLabelSelector(selector ?? {}, at);
    causes.push(...problems);
    if (problems.length > 0) causes.push(fieldInvalid(at, null, 'invalid label selector.'));
  });
  return causes;
}

/**
 * ValidateRoleBindingSubject: a name; a ServiceAccount's a valid ServiceAccount name in the core group (and, in a
 * ClusterRoleBinding, with its namespace); a User's or Group's in rbac.authorization.k8s.io; no other kind.
 */
export function validateSubject(subject: any, namespaced: boolean, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = typeof subject?.name === 'string' ? subject.name : '';
  const apiGroup = subject?.apiGroup ?? '';
  if (!name) causes.push(fieldRequired(`${at}.name`));
  switch (subject?.kind) {
    case 'ServiceAccount':
      if (name) for (const p of validateDns1123Subdomain(name)) causes.push(fieldInvalid(`${at}.name`, name, p));
      if (apiGroup) causes.push(fieldNotSupported(`${at}.apiGroup`, apiGroup, ['']));
      if (!namespaced && !subject.namespace) causes.push(fieldRequired(`${at}.namespace`));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) causes.push(fieldNotSupported(`${at}.apiGroup`, apiGroup, [RBAC_GROUP]));
      break;
    default:
      causes.push(fieldNotSupported(`${at}.kind`, subject?.kind ?? '', SUBJECT_KINDS));
  }
  return causes;
}

/** What a RoleBinding and a ClusterRoleBinding share: the roleRef (of `kinds`) and the subjects. */
function validateBinding(binding: any, kinds: string[], namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = binding?.roleRef ?? {};
  const apiGroup = ref.apiGroup ?? '';
  if (apiGroup !== RBAC_GROUP) causes.push(fieldNotSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) causes.push(fieldNotSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) causes.push(fieldRequired('roleRef.name'));
  else for (const p of validatePathSegmentName(ref.name)) causes.push(fieldInvalid('roleRef.name', ref.name, p));
  (Array.isArray(binding?.subjects) ? binding.subjects : []).forEach((s: any, i: number) => causes.push(...validateSubject(s, namespaced, `subjects[${i}]`)));
  return causes;
}

/** ValidateRoleBinding: a Role (of the binding's namespace) or a ClusterRole. */
export const validateRoleBinding = (binding: any): StatusCause[] => validateBinding(binding, ['Role', 'ClusterRole'], true);

/** ValidateClusterRoleBinding: a ClusterRole only, and ServiceAccount subjects with their namespace. */
export const validateClusterRoleBinding = (binding: any): StatusCause[] => validateBinding(binding, ['ClusterRole'], false);
