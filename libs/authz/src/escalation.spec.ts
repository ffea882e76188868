import { compactRules, uncoveredRules } from './escalation';

describe('uncoveredRules (the escalation check)', () => {
  const admin = [{ verbs: ['*'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'pods/log'] }, { verbs: ['get', 'list'], apiGroups: [''], resources: ['resourcequotas'] }];

  it('finds each permission of the rules that the writer\'s own rules do not grant', () => {
    expect(uncoveredRules(admin, [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['pods', 'pods/log'] }])).toEqual([]);
    expect(uncoveredRules(admin, [{ verbs: ['get', 'update'], apiGroups: [''], resources: ['resourcequotas'] }])).toEqual([{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }]);
  });

  it('covers a wildcard only with a wildcard, and every name only with a rule on every name', () => {
    expect(uncoveredRules(admin, [{ verbs: ['get'], apiGroups: ['*'], resources: ['pods'] }])).toHaveLength(1);
    expect(uncoveredRules(admin, [{ verbs: ['get'], apiGroups: [''], resources: ['*'] }])).toHaveLength(1);
    const named = [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }];
    expect(uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['a'] }])).toEqual([]);
    expect(uncoveredRules(named, [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }])).toHaveLength(1);
    expect(uncoveredRules([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])).toEqual([]);
  });

  it('checks non-resource URLs by path and prefix', () => {
    const owned = [{ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }];
    expect(uncoveredRules(owned, [{ verbs: ['get'], nonResourceURLs: ['/healthz/ping'] }])).toEqual([]);
    expect(uncoveredRules(owned, [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }])).toHaveLength(1);
  });

  it('lists what is missing as kube-apiserver does', () => {
    expect(compactRules([{ verbs: ['update'], apiGroups: [''], resources: ['resourcequotas'] }, { verbs: ['get'], nonResourceURLs: ['/metrics'] }])).toBe(
      '{APIGroups:[""], Resources:["resourcequotas"], Verbs:["update"]}\n{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    );
  });
});
