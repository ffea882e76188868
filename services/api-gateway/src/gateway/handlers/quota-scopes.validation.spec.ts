import { scopeAppliesTo, validateQuotaScopes, validateQuotaScopesUpdate } from './quota-scopes.validation';

const quota = (spec: any) => ({ metadata: { name: 'q' }, spec });
const expr = (scopeName: string, operator: string, values?: string[]) => ({ scopeName, operator, ...(values ? { values } : {}) });
const selector = (...matchExpressions: any[]) => ({ matchExpressions });

describe('ResourceQuota scopes validation', () => {
  it('accepts every scope kube knows, on the pod resources it can narrow', () => {
    for (const scope of ['Terminating', 'NotTerminating', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity']) {
      expect(validateQuotaScopes(quota({ hard: { pods: '5', 'requests.cpu': '2', 'limits.memory': '1Gi' }, scopes: [scope] }))).toEqual([]);
    }
    expect(validateQuotaScopes(quota({ hard: { pods: '1', 'count/pods': '1' }, scopes: ['BestEffort'] }))).toEqual([]);
    expect(validateQuotaScopes(quota({ hard: { 'requests.cpu': '1' }, scopeSelector: selector(expr('PriorityClass', 'In', ['high']), expr('NotTerminating', 'Exists')) }))).toEqual([]);
  });

  it('refuses an unknown scope, naming spec.scopes with the list as kube prints it', () => {
    expect(validateQuotaScopes(quota({ hard: { pods: '1' }, scopes: ['Forever'] }))).toEqual([
      { field: 'spec.scopes', reason: 'FieldValueInvalid', message: 'Invalid value: []core.ResourceQuotaScope{"Forever"}: unsupported scope' },
    ]);
    expect(validateQuotaScopes(quota({ hard: { pods: '1' }, scopeSelector: selector(expr('Forever', 'Exists')) }))).toEqual([
      { field: 'spec.scopeSelector.matchExpressions.scopeName', reason: 'FieldValueInvalid', message: 'Invalid value: "Forever": unsupported scope' },
    ]);
  });

  it('refuses BestEffort with NotBestEffort and Terminating with NotTerminating', () => {
    expect(validateQuotaScopes(quota({ hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }))).toEqual([
      { field: 'spec.scopes', reason: 'FieldValueInvalid', message: 'Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes' },
    ]);
    expect(validateQuotaScopes(quota({ hard: { pods: '1' }, scopeSelector: selector(expr('Terminating', 'Exists'), expr('NotTerminating', 'Exists')) }))).toEqual([
      { field: 'spec.scopeSelector.matchExpressions', reason: 'FieldValueInvalid', message: 'Invalid value: []core.ResourceQuotaScope(nil): conflicting scopes' },
    ]);
  });

  it('refuses a scope on a resource it cannot narrow, once however many resources it concerns', () => {
    expect(validateQuotaScopes(quota({ hard: { pods: '1', 'requests.cpu': '1', 'requests.memory': '1Gi' }, scopes: ['BestEffort'] }))).toEqual([
      { field: 'spec.scopes', reason: 'FieldValueInvalid', message: 'Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource' },
    ]);
    const causes = validateQuotaScopes(quota({ hard: { 'requests.storage': '10Gi' }, scopeSelector: selector(expr('PriorityClass', 'In', ['high'])) }));
    expect(causes).toEqual([{
      field: 'spec.scopeSelector.matchExpressions',
      reason: 'FieldValueInvalid',
      message: 'Invalid value: core.ScopedResourceSelector{MatchExpressions:[]core.ScopedResourceSelectorRequirement{core.ScopedResourceSelectorRequirement{ScopeName:"PriorityClass", Operator:"In", Values:[]string{"high"}}}}: unsupported scope applied to resource',
    }]);
    expect(scopeAppliesTo('BestEffort', 'requests.cpu')).toBe(false);
    expect(scopeAppliesTo('NotBestEffort', 'limits.memory')).toBe(true);
    expect(scopeAppliesTo('Terminating', 'services')).toBe(false);
  });

  it('holds a selector to the operator and values rules', () => {
    const causesOf = (...e: any[]) => validateQuotaScopes(quota({ hard: { pods: '1' }, scopeSelector: selector(...e) }));
    expect(causesOf(expr('PriorityClass', 'In'))).toEqual([
      { field: 'spec.scopeSelector.matchExpressions.values', reason: 'FieldValueRequired', message: "Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector" },
    ]);
    expect(causesOf(expr('PriorityClass', 'Exists', ['high']))).toEqual([
      { field: 'spec.scopeSelector.matchExpressions.values', reason: 'FieldValueInvalid', message: "Invalid value: []string{\"high\"}: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector" },
    ]);
    expect(causesOf(expr('PriorityClass', 'Equals', ['high']))).toEqual([
      { field: 'spec.scopeSelector.matchExpressions.operator', reason: 'FieldValueInvalid', message: 'Invalid value: "Equals": not a valid selector operator' },
    ]);
    expect(causesOf(expr('BestEffort', 'In', ['x']))).toEqual([
      expect.objectContaining({ field: 'spec.scopeSelector.matchExpressions.operator', message: expect.stringContaining("Invalid value: \"In\": must be 'Exist' when scope is any of ResourceQuotaScopeTerminating") }),
    ]);
    expect(causesOf(expr('PriorityClass', 'DoesNotExist'), expr('CrossNamespacePodAffinity', 'Exists'))).toEqual([]);
  });

  it('keeps the set of scopes once the quota exists', () => {
    const old = quota({ hard: { pods: '1' }, scopes: ['BestEffort', 'NotTerminating'] });
    expect(validateQuotaScopesUpdate(old, quota({ hard: { pods: '2' }, scopes: ['NotTerminating', 'BestEffort'] }))).toEqual([]);
    expect(validateQuotaScopesUpdate(old, quota({ hard: { pods: '1' }, scopes: ['BestEffort'] }))).toEqual([
      { field: 'spec.scopes', reason: 'FieldValueInvalid', message: 'Invalid value: []core.ResourceQuotaScope{"BestEffort"}: field is immutable' },
    ]);
  });
});

describe('a ResourceQuota without a spec (a null spec is pruned to none)', () => {
  it('has no scopes to refuse, on create or update', () => {
    const bare = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' } };
    expect(validateQuotaScopes(bare)).toEqual([]);
    expect(validateQuotaScopesUpdate(bare, bare)).toEqual([]);
    expect(validateQuotaScopes({ ...bare, spec: {} })).toEqual([]);
  });
});
