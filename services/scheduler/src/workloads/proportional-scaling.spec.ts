import { proportionalSizes } from './proportional-scaling';

const rs = (name: string, replicas: number, created: string, maxReplicas?: number) => ({ name, replicas, created, maxReplicas });
const sizes = (m: Map<string, number>) => Object.fromEntries(m);

describe('proportional scaling of a Deployment in the middle of a rollout', () => {
  it('spreads a scale up over the ReplicaSets in proportion to their sizes', () => {
    // 4 replicas with maxSurge 25% (1): old 3, new 2; scaled to 8 (maxSurge 2): 10 to hold.
    const active = [rs('old', 3, '2026-12-03T08:00:00Z', 5), rs('new', 2, '2026-12-03T08:01:00Z', 5)];
    expect(sizes(proportionalSizes(8, 2, 5, active))).toEqual({ old: 6, new: 4 });
  });

  it('spreads a scale down the same way', () => {
    const active = [rs('old', 6, '2026-12-03T08:00:00Z', 10), rs('new', 4, '2026-12-03T08:01:00Z', 10)];
    expect(sizes(proportionalSizes(4, 1, 10, active))).toEqual({ old: 3, new: 2 });
  });

  it('gives the leftover of rounding to the largest ReplicaSet', () => {
    // 13 -> 25: 7/13 of 25 rounds to 13, each 3/13 to 6; of one size, the newer grows first.
    const active = [rs('a', 7, '2026-12-03T08:00:00Z', 13), rs('b', 3, '2026-12-03T08:01:00Z', 13), rs('c', 3, '2026-12-03T08:02:00Z', 13)];
    const out = proportionalSizes(20, 5, 13, active);
    expect([...out.values()].reduce((a, b) => a + b, 0)).toBe(25);
    expect(sizes(out)).toEqual({ a: 13, c: 6, b: 6 });
    // 3 -> 4: each share of 1/3 rounds to 1; the one left goes to the first (the newest of one size).
    const even = [rs('x', 1, '2026-12-03T08:00:00Z', 3), rs('y', 1, '2026-12-03T08:01:00Z', 3), rs('z', 1, '2026-12-03T08:02:00Z', 3)];
    expect(sizes(proportionalSizes(4, 0, 3, even))).toEqual({ z: 2, y: 1, x: 1 });
  });

  it('among ReplicaSets of one size, grows the newest first and shrinks the oldest first', () => {
    const active = [rs('older', 1, '2026-12-03T08:00:00Z', 3), rs('newer', 1, '2026-12-03T08:01:00Z', 3)];
    // 2 -> 3: each keeps its share (1 of 3), and the one left goes to the newest.
    expect(sizes(proportionalSizes(3, 0, 2, active))).toEqual({ newer: 2, older: 1 });
    // 4 -> 1: each share rounds to 1, and the one more to take goes from the oldest.
    expect(sizes(proportionalSizes(1, 0, 3, [rs('older', 2, '2026-12-03T08:00:00Z', 3), rs('newer', 2, '2026-12-03T08:01:00Z', 3)]))).toEqual({ older: 0, newer: 1 });
  });

  it('takes every ReplicaSet to zero when the Deployment is scaled to zero', () => {
    const active = [rs('old', 3, '2026-12-03T08:00:00Z', 5), rs('new', 2, '2026-12-03T08:01:00Z', 5)];
    expect(sizes(proportionalSizes(0, 1, 5, active))).toEqual({ old: 0, new: 0 });
  });

  it('falls back to status.replicas for a ReplicaSet without max-replicas', () => {
    const active = [rs('old', 3, '2026-12-03T08:00:00Z'), rs('new', 2, '2026-12-03T08:01:00Z')];
    expect(sizes(proportionalSizes(8, 2, 5, active))).toEqual({ old: 6, new: 4 });
  });
});
