import { LOOPBACK_NETWORK, parseCIDR } from '@openpacific/contracts';
import { clusterServiceRanges, freeGuestServiceRanges, GUEST_RANGE_PAIRS, guestServiceRanges, LOADBALANCER_CIDR_ANNOTATION, SERVICE_CIDR_ANNOTATION } from './guest-network';

const secondOctet = (cidr: string) => (parseCIDR(cidr, 'CIDR', 16).base >>> 16) & 255;

describe('guest clusters\' Service and LoadBalancer ranges', () => {
  const all = Array.from({ length: GUEST_RANGE_PAIRS }, (_, i) => guestServiceRanges(i));

  it('are loopback /16s of 127.2–127.15, all distinct, none the Supervisor\'s, a guest pod range, a VM pool or a host\'s', () => {
    const octets = all.flatMap((r) => [secondOctet(r.serviceCIDR), secondOctet(r.loadBalancerCIDR)]);
    expect(new Set(octets).size).toBe(GUEST_RANGE_PAIRS * 2);
    for (const o of octets) expect(o >= 2 && o <= 15).toBe(true);
    for (const r of all) {
      expect([r.serviceCIDR, r.loadBalancerCIDR]).not.toContain(LOOPBACK_NETWORK.serviceCIDR);
      expect([r.serviceCIDR, r.loadBalancerCIDR]).not.toContain(LOOPBACK_NETWORK.loadBalancerCIDR);
    }
    expect(guestServiceRanges(0)).toEqual({ serviceCIDR: '127.2.0.0/16', loadBalancerCIDR: '127.3.0.0/16' });
    expect(guestServiceRanges(6)).toEqual({ serviceCIDR: '127.14.0.0/16', loadBalancerCIDR: '127.15.0.0/16' });
    expect(() => guestServiceRanges(7)).toThrow('guest range pair must be 0..6, got 7');
  });

  it('gives a cluster a free pair, the same for the same uid, and another while its pair is held', () => {
    const first = freeGuestServiceRanges(new Set(), 'uid-a')!;
    expect(all).toContainEqual(first);
    expect(freeGuestServiceRanges(new Set(), 'uid-a')).toEqual(first);
    const second = freeGuestServiceRanges(new Set([first.serviceCIDR, first.loadBalancerCIDR]), 'uid-a')!;
    expect(second).not.toEqual(first);
    // A pair half held (one /16 of it) is not given either.
    expect(freeGuestServiceRanges(new Set([first.loadBalancerCIDR]), 'uid-a')).not.toEqual(first);
  });

  it('hands out every pair, then none', () => {
    const used = new Set<string>();
    for (let i = 0; i < GUEST_RANGE_PAIRS; i++) {
      const r = freeGuestServiceRanges(used, `uid-${i}`)!;
      expect(used.has(r.serviceCIDR) || used.has(r.loadBalancerCIDR)).toBe(false);
      used.add(r.serviceCIDR).add(r.loadBalancerCIDR);
    }
    expect(freeGuestServiceRanges(used, 'uid-late')).toBeUndefined();
  });

  it('does not start every cluster at the same pair', () => {
    const starts = new Set(Array.from({ length: 40 }, (_, i) => freeGuestServiceRanges(new Set(), `cluster-${i}`)!.serviceCIDR));
    expect(starts.size).toBeGreaterThan(3);
  });

  it('reads a Cluster\'s ranges from its annotations, none until both are there', () => {
    const annotated = (a: Record<string, string>) => ({ metadata: { annotations: a } });
    expect(clusterServiceRanges(annotated({ [SERVICE_CIDR_ANNOTATION]: '127.4.0.0/16', [LOADBALANCER_CIDR_ANNOTATION]: '127.5.0.0/16' })))
      .toEqual({ serviceCIDR: '127.4.0.0/16', loadBalancerCIDR: '127.5.0.0/16' });
    expect(clusterServiceRanges(annotated({ [SERVICE_CIDR_ANNOTATION]: '127.4.0.0/16' }))).toBeUndefined();
    expect(clusterServiceRanges({ metadata: {} })).toBeUndefined();
  });
});
