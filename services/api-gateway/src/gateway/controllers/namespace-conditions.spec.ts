import { countRemaining, sameConditions, terminatingConditions } from './namespace-conditions';

describe('a Terminating namespace\'s conditions', () => {
  it('say what remains and which finalizers hold it, in the namespace deleter\'s words and order', () => {
    const remaining = countRemaining([
      { resource: 'configmaps', group: '', finalizers: ['example.com/hold'] },
      { resource: 'pods', group: '' },
      { resource: 'pods', group: '' },
      { resource: 'virtualmachines', group: 'vmoperator.vmware.com', finalizers: ['example.com/hold', 'vmoperator.vmware.com/virtualmachine'] },
    ]);
    const conditions = terminatingConditions(undefined, remaining, '2026-12-05T16:00:00Z');
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain'],
    ]);
    expect(conditions[3].message).toBe('Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances, virtualmachines.vmoperator.vmware.com has 1 resource instances');
    expect(conditions[4].message).toBe('Some content in the namespace has finalizers remaining: example.com/hold in 2 resource instances, vmoperator.vmware.com/virtualmachine in 1 resource instances');
    expect(conditions[0]).toEqual({ type: 'NamespaceDeletionDiscoveryFailure', status: 'False', lastTransitionTime: '2026-12-05T16:00:00Z', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' });
  });

  it('keep a condition\'s time while its status stays, and say nothing remains once it is all gone', () => {
    const first = terminatingConditions(undefined, countRemaining([{ resource: 'pods', group: '' }]), 'T1');
    const later = terminatingConditions(first, countRemaining([{ resource: 'pods', group: '', finalizers: ['f'] }]), 'T2');
    expect(later[3].lastTransitionTime).toBe('T1');
    expect(later[4]).toMatchObject({ status: 'True', lastTransitionTime: 'T2' });
    expect(sameConditions(first, later)).toBe(false);
    expect(sameConditions(later, terminatingConditions(later, countRemaining([{ resource: 'pods', group: '', finalizers: ['f'] }]), 'T3'))).toBe(true);
    const none = terminatingConditions(later, countRemaining([]), 'T4');
    expect(none[3]).toEqual({ type: 'NamespaceContentRemaining', status: 'False', lastTransitionTime: 'T4', reason: 'ContentRemoved', message: 'All content successfully removed' });
  });
});
