import { WatchLines } from './watch-lines';

describe('WatchLines', () => {
  it('yields whole events only, keeping a split event until its end arrives', () => {
    const w = new WatchLines();
    expect(w.push('{"type":"ADDED","object":{"n":1}}\n{"type":"MOD')).toEqual([{ type: 'ADDED', object: { n: 1 } }]);
    expect(w.push('IFIED","object":{"n":2}}\n\n')).toEqual([{ type: 'MODIFIED', object: { n: 2 } }]);
    expect(w.push('')).toEqual([]);
  });
});
