import { amountOf } from './quota-usage';

/**
 * ResourceQuota scopes, as kube's pod quota evaluator applies them. A scoped quota (`spec.scopes`, or
 * `spec.scopeSelector.matchExpressions`) counts and limits only the pods all its scopes match; no other kind
 * ever matches one. What a scope looks at is kept as the pod's `ScopeFacts`, so that a reservation (which has
 * no object) can be matched against a quota created after it.
 */
export interface ScopeFacts {
  /** `spec.activeDeadlineSeconds` is set (>= 0): the pod ends by itself. */
  terminating: boolean;
  /** No container asks for or is limited in cpu or memory: the BestEffort QoS class. */
  bestEffort: boolean;
  priorityClassName?: string;
  /** Some pod (anti-)affinity term names `namespaces` or a `namespaceSelector`. */
  crossNamespacePodAffinity: boolean;
}

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

const QOS_RESOURCES = ['cpu', 'memory'];

function specifiesCompute(c: any): boolean {
  return ['requests', 'limits'].some((kind) => QOS_RESOURCES.some((r) => (amountOf(r, c?.resources?.[kind]?.[r]) ?? 0) > 0));
}

function crossNamespaceTerms(affinity: any): boolean {
  const terms = [...(affinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(affinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w: any) => w?.podAffinityTerm)];
  return terms.some((t: any) => (t?.namespaces?.length ?? 0) > 0 || (t?.namespaceSelector !== undefined && t?.namespaceSelector !== null));
}

/** What the scopes see of an object: a pod's facts; undefined for any other kind (which no scoped quota counts). */
export function scopeFactsOf(resource: string, obj: any): ScopeFacts | undefined {
  if (resource !== 'pods' || !obj) return undefined;
  const spec = obj.spec ?? {};
  const deadline = spec.activeDeadlineSeconds;
  return {
    terminating: typeof deadline === 'number' && deadline >= 0,
    bestEffort: ![...(spec.containers ?? []), ...(spec.initContainers ?? [])].some(specifiesCompute),
    ...(spec.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
    crossNamespacePodAffinity: crossNamespaceTerms(spec.affinity?.podAffinity) || crossNamespaceTerms(spec.affinity?.podAntiAffinity),
  };
}

/** A quota's scopes as one list of requirements: each of `spec.scopes` is an `Exists`, then the selector's. */
export function scopeRequirementsOf(quota: any): ScopeRequirement[] {
  const scopes: string[] = quota?.spec?.scopes ?? [];
  return [...scopes.map((scopeName) => ({ scopeName, operator: 'Exists' })), ...(quota?.spec?.scopeSelector?.matchExpressions ?? [])];
}

/** PriorityClass as a label selector over the one label `PriorityClass=<pod's class>` (absent when the pod has none). */
function priorityClassMatches(req: ScopeRequirement, name: string | undefined): boolean {
  switch (req.operator) {
    case 'In':
      return name !== undefined && (req.values ?? []).includes(name);
    case 'NotIn':
      return name === undefined || !(req.values ?? []).includes(name);
    case 'Exists':
      return name !== undefined;
    case 'DoesNotExist':
      return name === undefined;
    default:
      return false;
  }
}

function requirementMatches(req: ScopeRequirement, facts: ScopeFacts): boolean {
  switch (req.scopeName) {
    case 'Terminating':
      return facts.terminating;
    case 'NotTerminating':
      return !facts.terminating;
    case 'BestEffort':
      return facts.bestEffort;
    case 'NotBestEffort':
      return !facts.bestEffort;
    case 'PriorityClass':
      return priorityClassMatches(req, facts.priorityClassName);
    case 'CrossNamespacePodAffinity':
      return facts.crossNamespacePodAffinity;
    default:
      return false;
  }
}

/** Whether a quota applies to an object of these facts: an unscoped quota to everything, a scoped one to pods all its scopes match. */
export function quotaMatches(quota: any, facts: ScopeFacts | undefined): boolean {
  const requirements = scopeRequirementsOf(quota);
  if (requirements.length === 0) return true;
  return facts !== undefined && requirements.every((r) => requirementMatches(r, facts));
}

/** Quotas of equal scopes count the same objects: this key says which (`[]` for every unscoped quota). */
export function scopesKey(quota: any): string {
  return JSON.stringify(scopeRequirementsOf(quota));
}
