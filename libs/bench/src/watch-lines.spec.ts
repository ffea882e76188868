import { WatchLines } from './watch-lines';

describe('WatchLines', () => {
  it('yields whole events only, keeping a split event until its end arrives', () => {
    const w = new WatchLines();
    expect(w.push('{"type":"ADDED","object":{"n":1}}\n{"type":"MOD')).toEqual([{ type: 'ADDED', object: { n: 1 } }]);
    expect(w.push('IFIED","object":{"n":2}}\n\n')).toEqual([{ type: 'MODIFIED', object: { n: 2 } }]);
    expect(w.push('')).toEqual([]);
  });

  it('parses only the lines that contain `only`, even when it arrives split across chunks', () => {
    const w = new WatchLines('"phase":"Running"');
    const pending = '{"type":"ADDED","object":{"status":{"phase":"Pending"}}}\n';
    const running = '{"type":"MODIFIED","object":{"status":{"phase":"Running"}}}\n';
    expect(w.push(pending + running.slice(0, 40))).toEqual([]);
    expect(w.push(running.slice(40) + 'not json at all, and never parsed\n')).toEqual([{ type: 'MODIFIED', object: { status: { phase: 'Running' } } }]);
  });
});
