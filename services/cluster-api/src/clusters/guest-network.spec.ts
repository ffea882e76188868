import { LOOPBACK_NETWORK, parseCIDR } from '@openpacific/contracts';
import {
  clusterHeldRanges, clusterServiceRanges, freeGuestServiceRange, GUEST_SERVICE_RANGES, guestServiceRange, LOADBALANCER_CIDR_ANNOTATION, SERVICE_CIDR_ANNOTATION,
} from './guest-network';

const secondOctet = (cidr: string) => (parseCIDR(cidr, 'CIDR', 16).base >>> 16) & 255;
const annotated = (a: Record<string, string>) => ({ metadata: { annotations: a } });

describe('guest clusters\' Service ranges', () => {
  const all = Array.from({ length: GUEST_SERVICE_RANGES }, (_, i) => guestServiceRange(i));

  it('are fourteen loopback /16s filling 127.2–127.15, all distinct, none the Supervisor\'s', () => {
    expect(GUEST_SERVICE_RANGES).toBe(14);
    const octets = all.map(secondOctet);
    expect(new Set(octets).size).toBe(14);
    expect([...octets].sort((a, b) => a - b)).toEqual(Array.from({ length: 14 }, (_, i) => 2 + i));
    for (const r of all) {
      expect(r).toMatch(/^127\.\d+\.0\.0\/16$/);
      expect(r).not.toBe(LOOPBACK_NETWORK.serviceCIDR);
      expect(r).not.toBe(LOOPBACK_NETWORK.loadBalancerCIDR);
    }
  });

  it('gives slot i 127.(2+i).0.0/16, and no slot outside 0..13', () => {
    for (let i = 0; i < GUEST_SERVICE_RANGES; i++) expect(guestServiceRange(i)).toBe(`127.${2 + i}.0.0/16`);
    expect(guestServiceRange(0)).toBe('127.2.0.0/16');
    expect(guestServiceRange(13)).toBe('127.15.0.0/16');
    expect(() => guestServiceRange(14)).toThrow('guest service range slot must be 0..13, got 14');
    expect(() => guestServiceRange(-1)).toThrow('guest service range slot must be 0..13, got -1');
    expect(() => guestServiceRange(1.5)).toThrow('got 1.5');
  });

  it('gives a cluster a free /16, the same for the same uid, and another while it is held', () => {
    const first = freeGuestServiceRange(new Set(), 'uid-a')!;
    expect(all).toContain(first);
    expect(freeGuestServiceRange(new Set(), 'uid-a')).toBe(first);
    const second = freeGuestServiceRange(new Set([first]), 'uid-a')!;
    expect(all).toContain(second);
    expect(second).not.toBe(first);
    // Wrapping: the one after the uid's start, past the end back to 127.2.
    expect(secondOctet(second)).toBe(secondOctet(first) === 15 ? 2 : secondOctet(first) + 1);
  });

  it('hands out all fourteen, each once, then none', () => {
    const used = new Set<string>();
    for (let i = 0; i < GUEST_SERVICE_RANGES; i++) {
      const r = freeGuestServiceRange(used, `uid-${i}`)!;
      expect(r).toBeDefined();
      expect(used.has(r)).toBe(false);
      used.add(r);
    }
    expect(used).toEqual(new Set(all));
    expect(freeGuestServiceRange(used, 'uid-late')).toBeUndefined();
  });

  it('does not start every cluster at the same /16', () => {
    const starts = new Set(Array.from({ length: 40 }, (_, i) => freeGuestServiceRange(new Set(), `cluster-${i}`)));
    expect(starts.size).toBeGreaterThan(3);
  });

  it('reads a Cluster\'s ranges from its annotations: the Service /16 alone is complete, an older pair is kept', () => {
    expect(clusterServiceRanges(annotated({ [SERVICE_CIDR_ANNOTATION]: '127.9.0.0/16' }))).toEqual({ serviceCIDR: '127.9.0.0/16' });
    expect(clusterServiceRanges(annotated({ [SERVICE_CIDR_ANNOTATION]: '127.4.0.0/16', [LOADBALANCER_CIDR_ANNOTATION]: '127.5.0.0/16' })))
      .toEqual({ serviceCIDR: '127.4.0.0/16', loadBalancerCIDR: '127.5.0.0/16' });
    expect(clusterServiceRanges(annotated({ [LOADBALANCER_CIDR_ANNOTATION]: '127.5.0.0/16' }))).toBeUndefined();
    expect(clusterServiceRanges({ metadata: {} })).toBeUndefined();
  });

  it('counts both /16s of a Cluster made with a pair as held, so no new Cluster takes its old LoadBalancer /16', () => {
    const clusters = [
      annotated({ [SERVICE_CIDR_ANNOTATION]: '127.4.0.0/16', [LOADBALANCER_CIDR_ANNOTATION]: '127.5.0.0/16' }),
      annotated({ [SERVICE_CIDR_ANNOTATION]: '127.8.0.0/16' }),
      { metadata: {} },
    ];
    expect(clusterHeldRanges(clusters[0])).toEqual(['127.4.0.0/16', '127.5.0.0/16']);
    expect(clusterHeldRanges(clusters[1])).toEqual(['127.8.0.0/16']);
    expect(clusterHeldRanges(clusters[2])).toEqual([]);
    const used = new Set(clusters.flatMap(clusterHeldRanges));
    const given: string[] = [];
    for (let i = 0; ; i++) {
      const r = freeGuestServiceRange(used, `new-${i}`);
      if (!r) break;
      given.push(r);
      used.add(r);
    }
    // Fourteen less the three held: the old pair's two and the newer Cluster's one.
    expect(given).toHaveLength(11);
    expect(given).not.toContain('127.4.0.0/16');
    expect(given).not.toContain('127.5.0.0/16');
    expect(given).not.toContain('127.8.0.0/16');
  });
});
