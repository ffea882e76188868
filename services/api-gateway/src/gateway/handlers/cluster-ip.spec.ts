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

  it('lapse when the create never lands (refused, failed, a dry run)', () => {
    let now = 1_000;
    const claims = new ClusterIPClaims(() => now);
    claims.claim('10.97.0.5');
    now += CLAIM_MS;
    expect(claims.standing(new Set())).toEqual(['10.97.0.5']);
    now += 1;
    expect(claims.standing(new Set())).toEqual([]);
  });
});
