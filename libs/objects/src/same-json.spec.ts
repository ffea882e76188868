import { sameJson } from './same-json';

describe('sameJson', () => {
  it('ignores key order and undefined members, and nothing else', () => {
    expect(sameJson({ b: 1, a: { y: [1, { q: 2, p: 1 }], x: 'z' } }, { a: { x: 'z', y: [1, { p: 1, q: 2 }] }, b: 1 })).toBe(true);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson({ a: '1' }, { a: 1 })).toBe(false);
    expect(sameJson(undefined, {})).toBe(false);
  });
});
