import { CLAIM_MS, ClusterIPClaims } from './cluster-ip';

describe('cluster IP claims of creates in flight', () => {
  it('hold an address until the read model shows it', () => {
    const claims = new ClusterIPClaims(() => 0);
    claims.claim('10.97.0.5');
    claims.claim('10.97.0.6');
    expect(claims.standing(new Set())).toEqual(['10.97.0.5', '10.97.0.6']);
    // Written and read back: the read model holds it from now on, the claim goes.
    expect(claims.standing(new Set(['10.97.0.5']))).toEqual(['10.97.0.6']);
    expect(claims.standing(new Set())).toEqual(['10.97.0.6']);
  });

  it('do not count against the object they went to', () => {
    const claims = new ClusterIPClaims(() => 0);
    claims.claim('10.97.0.5', { namespace: 'ns', name: 'web' });
    expect(claims.standing(new Set(), { namespace: 'ns', name: 'web' })).toEqual([]);
    expect(claims.standing(new Set(), { namespace: 'ns', name: 'db' })).toEqual(['10.97.0.5']);
    expect(claims.standing(new Set())).toEqual(['10.97.0.5']);
  });

  it('go when given back, only with the last hold of their object, and never another object\'s', () => {
    const claims = new ClusterIPClaims(() => 0);
    const web = { namespace: 'ns', name: 'web' };
    const first = claims.claim('10.97.0.5', web);
    const again = claims.claim('10.97.0.5', web); // an update checked again after mutating admission
    first();
    first();
    expect(claims.standing(new Set())).toEqual(['10.97.0.5']);
    again();
    expect(claims.standing(new Set())).toEqual([]);
    const lost = claims.claim('10.97.0.6', { namespace: 'ns', name: 'db' });
    claims.claim('10.97.0.6', web); // lapsed or taken over: the old hold gives back nothing
    lost();
    expect(claims.standing(new Set())).toEqual(['10.97.0.6']);
  });

  it('tell a VirtualMachineService from its core Service of the same name', () => {
    const claims = new ClusterIPClaims(() => 0);
    claims.claim('10.97.0.5', { kind: 'VirtualMachineService', namespace: 'ns', name: 'web' });
    expect(claims.standing(new Set(), { namespace: 'ns', name: 'web' })).toEqual(['10.97.0.5']);
    expect(claims.standing(new Set(), { kind: 'VirtualMachineService', namespace: 'ns', name: 'web' })).toEqual([]);
  });

  it('lapse when the create never lands and nothing gives them back', () => {
    let now = 1_000;
    const claims = new ClusterIPClaims(() => now);
    claims.claim('10.97.0.5');
    now += CLAIM_MS;
    expect(claims.standing(new Set())).toEqual(['10.97.0.5']);
    now += 1;
    expect(claims.standing(new Set())).toEqual([]);
  });
});
