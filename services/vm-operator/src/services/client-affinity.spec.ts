import { ClientAffinity } from './client-affinity';

describe('ClientIP session affinity', () => {
  it('keeps a client on its backend for the timeout after its latest connection, and nothing when off', () => {
    const affinity = new ClientAffinity();
    affinity.reached('10.0.0.5', 'a', 0);
    expect(affinity.backendOf('10.0.0.5', 1)).toBeUndefined();
    affinity.set(10);
    affinity.reached('10.0.0.5', 'a', 0);
    expect(affinity.backendOf('10.0.0.5', 9_999)).toBe('a');
    // Each connection starts the time again.
    affinity.reached('10.0.0.5', 'a', 9_000);
    expect(affinity.backendOf('10.0.0.5', 18_999)).toBe('a');
    expect(affinity.backendOf('10.0.0.5', 19_000)).toBeUndefined();
    expect(affinity.backendOf('10.0.0.6', 0)).toBeUndefined();
  });

  it('forgets clients of backends that left, and every client when turned off', () => {
    const affinity = new ClientAffinity();
    affinity.set(100);
    affinity.reached('c1', 'a', 0);
    affinity.reached('c2', 'b', 0);
    affinity.keepOnly(new Set(['b']));
    expect(affinity.backendOf('c1', 1)).toBeUndefined();
    expect(affinity.backendOf('c2', 1)).toBe('b');
    affinity.set(undefined);
    affinity.set(100);
    expect(affinity.backendOf('c2', 1)).toBeUndefined();
  });
});
