import { ServiceSelectors } from './service-selectors';

const selecting = (index: ServiceSelectors, namespace: string, labels?: Record<string, string>) => {
  const found = new Set<string>();
  index.selecting(namespace, labels, found);
  return [...found].sort();
};

describe('ServiceSelectors', () => {
  it('finds the Services of the pod\'s namespace whose whole selector its labels match', () => {
    const index = new ServiceSelectors();
    index.set('a/web', 'a', { app: 'web' });
    index.set('a/web-v2', 'a', { app: 'web', version: 'v2' });
    index.set('a/db', 'a', { app: 'db' });
    index.set('b/web', 'b', { app: 'web' });
    expect(selecting(index, 'a', { app: 'web', version: 'v2' })).toEqual(['a/web', 'a/web-v2']);
    expect(selecting(index, 'a', { app: 'web' })).toEqual(['a/web']);
    expect(selecting(index, 'a', { version: 'v2' })).toEqual([]);
    expect(selecting(index, 'c', { app: 'web' })).toEqual([]);
    expect(selecting(index, 'a', undefined)).toEqual([]);
  });

  it('files a Service again when its selector changes, and forgets it when it goes', () => {
    const index = new ServiceSelectors();
    index.set('a/web', 'a', { app: 'web' });
    index.set('a/web', 'a', { tier: 'front' });
    expect(selecting(index, 'a', { app: 'web' })).toEqual([]);
    expect(selecting(index, 'a', { app: 'x', tier: 'front' })).toEqual(['a/web']);
    index.delete('a/web');
    expect(selecting(index, 'a', { tier: 'front' })).toEqual([]);
  });

  it('never selects with an empty or missing selector (a selector-less Service has no endpoints)', () => {
    const index = new ServiceSelectors();
    index.set('a/manual', 'a', {});
    index.set('a/none', 'a', undefined);
    expect(selecting(index, 'a', { app: 'web' })).toEqual([]);
  });
});
