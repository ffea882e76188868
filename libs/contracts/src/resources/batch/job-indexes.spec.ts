import { indexRanges, intervalsTotal, parseIndexRanges } from './job-indexes';

describe('completion indexes', () => {
  it('are written as Kubernetes writes them: ranges from three on, pairs as a list', () => {
    expect(indexRanges([4, 0, 1, 2, 6, 7, 9, 10, 11])).toBe('0-2,4,6,7,9-11');
    expect(indexRanges([])).toBe('');
  });

  it('are read back as intervals, or refused in kube-apiserver words', () => {
    expect(parseIndexRanges('0-2,4,6,7', 8)).toEqual({ intervals: [[0, 2], [4, 4], [6, 6], [7, 7]] });
    expect(intervalsTotal([[0, 2], [4, 4]])).toBe(4);
    expect(parseIndexRanges('', 3)).toEqual({ intervals: [] });
    expect(parseIndexRanges('1,x', 3)).toEqual({ error: 'cannot convert string to integer for index: "x"' });
    expect(parseIndexRanges('0-3', 3)).toEqual({ error: 'too large index: "3"' });
    expect(parseIndexRanges('2,1', 3)).toEqual({ error: 'non-increasing order, previous: 2, current: 1' });
    expect(parseIndexRanges('0-1-2', 3)).toEqual({ error: `the fragment "0-1-2" violates the requirement that an index interval can have at most two parts separated by '-'` });
  });
});
