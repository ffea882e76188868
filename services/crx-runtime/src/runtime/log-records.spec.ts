import { outputOfLogRecords } from './log-records';

const text = (r: ReturnType<typeof outputOfLogRecords>) => r.chunks.map((c) => ({ stream: c.stream, data: c.data.toString() }));

describe('the output of CRI log records', () => {
  it('gives whole lines their newline back and keeps the streams apart, in order', () => {
    const log = '2025-01-01T00:00:00.000000000Z stdout F one\n2025-01-01T00:00:00.100000000Z stdout F two\n2025-01-01T00:00:00.200000000Z stderr F oops\n2025-01-01T00:00:00.300000000Z stdout F \n';
    const r = outputOfLogRecords(Buffer.from(log));
    expect(text(r)).toEqual([{ stream: 'stdout', data: 'one\ntwo\n' }, { stream: 'stderr', data: 'oops\n' }, { stream: 'stdout', data: '\n' }]);
    expect(r.used).toBe(Buffer.byteLength(log));
  });

  it('joins the parts of a long line without newlines between them', () => {
    const r = outputOfLogRecords(Buffer.from('t stdout P abc\nt stdout F def\n'));
    expect(text(r)).toEqual([{ stream: 'stdout', data: 'abcdef\n' }]);
  });

  it('leaves a record still being written for the next read', () => {
    const whole = 't stderr F done\n';
    const r = outputOfLogRecords(Buffer.from(`${whole}t stdout F half`));
    expect(text(r)).toEqual([{ stream: 'stderr', data: 'done\n' }]);
    expect(r.used).toBe(whole.length);
  });

  it('counts bytes, not characters, and skips records of another shape', () => {
    const log = 't stdout F héllo\nnot a record\nt stdin F x\n';
    const r = outputOfLogRecords(Buffer.from(log));
    expect(text(r)).toEqual([{ stream: 'stdout', data: 'héllo\n' }]);
    expect(r.used).toBe(Buffer.byteLength(log));
  });
});
