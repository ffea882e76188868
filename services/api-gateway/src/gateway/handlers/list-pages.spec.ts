import { continueExpired, decodeContinue, encodeContinue, ListSnapshots, pageOf } from './list-pages';
import { parseLimit } from './query-params';
import { statusOf } from './thrown-status.spec-support';

const key = (name: string) => `ns\u0000${name}`;
const names = (n: number) => Array.from({ length: n }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
const state = (items: string[], resourceVersion = '100') => ({ items, resourceVersion });

describe('list chunking', () => {
  it('walks a list page by page, each object once, with the count of what is left', () => {
    const all = names(1200);
    const seen: string[] = [];
    const remaining: Array<number | undefined> = [];
    let token: string | undefined;
    do {
      const page = pageOf(state(all), 500, token ? decodeContinue(token) : undefined, key);
      seen.push(...page.items);
      remaining.push(page.meta.remainingItemCount);
      expect(page.meta.resourceVersion).toBe('100');
      token = page.meta.continue;
    } while (token);
    expect(seen).toEqual(all);
    expect(remaining).toEqual([700, 200, undefined]);
  });

  it('serves the whole list when there is no limit or it is 0', () => {
    expect(pageOf(state(names(3)), 0, undefined, key)).toEqual({ items: names(3), meta: { resourceVersion: '100' } });
    expect(pageOf(state(names(3)), 3, undefined, key).meta.continue).toBeUndefined();
  });

  it('continues after the last object served even when that object is gone from the list', () => {
    const token = decodeContinue(pageOf(state(['a', 'b', 'c', 'd']), 2, undefined, key).meta.continue!);
    expect(pageOf(state(['a', 'c', 'd']), 2, token, key).items).toEqual(['c', 'd']);
    expect(pageOf(state(['a', 'b', 'bb', 'c']), 2, token, key).items).toEqual(['bb', 'c']);
  });

  it('keeps a token that continues from the latest state inconsistent on every following page', () => {
    const expiredStatus = continueExpired({ rv: '100', start: key('b') }).status;
    expect(expiredStatus).toMatchObject({ code: 410, reason: 'Expired' });
    const latest = decodeContinue(expiredStatus.metadata.continue as string);
    expect(latest).toEqual({ rv: '', start: key('b') });
    const page = pageOf(state(['a', 'b', 'c', 'd', 'e'], '200'), 1, latest, key);
    expect(page.items).toEqual(['c']);
    expect(decodeContinue(page.meta.continue!).rv).toBe('');
  });

  it('takes limit as a non-negative integer and names the parameter otherwise', () => {
    expect(parseLimit(new URLSearchParams(''))).toBe(0);
    expect(parseLimit(new URLSearchParams('limit=500'))).toBe(500);
    expect(statusOf(() => parseLimit(new URLSearchParams('limit=-1')))).toMatchObject({ code: 400, message: expect.stringMatching(/^limit: Invalid value: -1/) });
    expect(statusOf(() => parseLimit(new URLSearchParams('limit=ten')))).toMatchObject({ code: 400, message: expect.stringMatching(/^limit: Invalid value: "ten"/) });
    expect(statusOf(() => parseLimit(new URLSearchParams('limit=1.5')))).toMatchObject({ code: 400 });
  });

  it('refuses continue tokens it did not write, naming the parameter', () => {
    const bad = [
      'garbage!',
      Buffer.from('{"v":"other","rv":"1","start":"a"}').toString('base64url'),
      Buffer.from('{"v":"meta.k8s.io/v1","rv":"x","start":"a"}').toString('base64url'),
      Buffer.from('{"v":"meta.k8s.io/v1","rv":"1","start":""}').toString('base64url'),
    ];
    for (const raw of bad) expect(statusOf(() => decodeContinue(raw))).toMatchObject({ code: 400, message: expect.stringMatching(/^continue: Invalid value/) });
    expect(decodeContinue(encodeContinue({ rv: '42', start: key('x') }))).toEqual({ rv: '42', start: key('x') });
  });
});

describe('list snapshots', () => {
  it('keeps a state until it is too old', () => {
    let now = 0;
    const kept = new ListSnapshots(4, 1000, () => now);
    kept.keep('a', [1, 2]);
    now = 999;
    expect(kept.find('a')).toEqual([1, 2]);
    now = 1000;
    expect(kept.find('a')).toBeUndefined();
  });

  it('drops the oldest state beyond its bound', () => {
    const kept = new ListSnapshots(2, 60_000, () => 0);
    kept.keep('a', [1]);
    kept.keep('b', [2]);
    kept.keep('c', [3]);
    expect([kept.find('a'), kept.find('b'), kept.find('c')]).toEqual([undefined, [2], [3]]);
  });
});
