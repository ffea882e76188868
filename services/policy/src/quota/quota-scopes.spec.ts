import { quotaMatches, scopeFactsOf, ScopeFacts, scopeRequirementsOf } from './quota-scopes';

const pod = (spec: any = {}) => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec } });
const withRequests = (resources: any) => pod({ containers: [{ name: 'c', image: 'busybox', resources }] });
const quota = (spec: any) => ({ metadata: { name: 'q' }, spec: { hard: { pods: '1' }, ...spec } });
const facts = (p: any) => scopeFactsOf('pods', p) as ScopeFacts;
const selector = (scopeName: string, operator: string, values?: string[]) => ({ scopeSelector: { matchExpressions: [{ scopeName, operator, ...(values ? { values } : {}) }] } });

describe('quota scopes', () => {
  it('a pod is best effort when no container, init containers included, asks for or is limited in cpu or memory', () => {
    expect(facts(pod()).bestEffort).toBe(true);
    expect(facts(withRequests({ requests: { cpu: '100m' } })).bestEffort).toBe(false);
    expect(facts(withRequests({ limits: { memory: '64Mi' } })).bestEffort).toBe(false);
    expect(facts(pod({ initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { memory: '1Mi' } } }] })).bestEffort).toBe(false);
    // Zero amounts and other resources do not change the QoS class.
    expect(facts(withRequests({ requests: { cpu: '0', 'ephemeral-storage': '1Gi' } })).bestEffort).toBe(true);
  });

  it('a pod is terminating when it has an active deadline', () => {
    expect(facts(pod({ activeDeadlineSeconds: 30 })).terminating).toBe(true);
    expect(facts(pod({ activeDeadlineSeconds: 0 })).terminating).toBe(true);
    expect(facts(pod()).terminating).toBe(false);
  });

  it('cross-namespace pod affinity is a term naming namespaces or a namespace selector, required or preferred, affinity or anti-affinity', () => {
    const term = (extra: any) => ({ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname', ...extra });
    expect(facts(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({})] } } })).crossNamespacePodAffinity).toBe(false);
    expect(facts(pod({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ namespaces: ['other'] })] } } })).crossNamespacePodAffinity).toBe(true);
    expect(facts(pod({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: term({ namespaceSelector: {} }) }] } } })).crossNamespacePodAffinity).toBe(true);
  });

  it('only pods have scope facts: no other kind matches a scoped quota', () => {
    expect(scopeFactsOf('configmaps', { metadata: { name: 'c' } })).toBeUndefined();
    expect(quotaMatches(quota({ scopes: ['NotTerminating'] }), undefined)).toBe(false);
    expect(quotaMatches(quota({}), undefined)).toBe(true);
  });

  it('spec.scopes and the scope selector are one list, every entry of which must match', () => {
    const q = quota({ scopes: ['BestEffort'], ...selector('NotTerminating', 'Exists') });
    expect(scopeRequirementsOf(q)).toEqual([{ scopeName: 'BestEffort', operator: 'Exists' }, { scopeName: 'NotTerminating', operator: 'Exists' }]);
    expect(quotaMatches(q, facts(pod()))).toBe(true);
    expect(quotaMatches(q, facts(pod({ activeDeadlineSeconds: 10 })))).toBe(false);
    expect(quotaMatches(q, facts(withRequests({ requests: { cpu: '1' } })))).toBe(false);
    expect(quotaMatches(quota({ scopes: ['NotBestEffort'] }), facts(withRequests({ requests: { cpu: '1' } })))).toBe(true);
    expect(quotaMatches(quota({ scopes: ['CrossNamespacePodAffinity'] }), facts(pod()))).toBe(false);
  });

  it('PriorityClass is a label selector over the pod\'s priority class name', () => {
    const high = facts(pod({ priorityClassName: 'high' }));
    const low = facts(pod({ priorityClassName: 'low' }));
    const none = facts(pod());
    const matches = (op: string, values?: string[]) => [high, low, none].map((f) => quotaMatches(quota(selector('PriorityClass', op, values)), f));
    expect(matches('In', ['high'])).toEqual([true, false, false]);
    expect(matches('NotIn', ['high'])).toEqual([false, true, true]);
    expect(matches('Exists')).toEqual([true, true, false]);
    expect(matches('DoesNotExist')).toEqual([false, false, true]);
    expect(quotaMatches(quota({ scopes: ['PriorityClass'] }), high)).toBe(true);
  });
});
