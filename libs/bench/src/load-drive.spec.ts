import type { BenchResponse } from './https-client';
import { drive, pacedShares, scheduledRequests } from './load-drive';
import { MixTally } from './request-mix';

const OK: BenchResponse = { status: 200, body: '' };
const after = (ms: number) => new Promise<BenchResponse>((r) => setTimeout(() => r(OK), ms));

describe('drive', () => {
  it('closed loop: every client sends its share of the mix from its own offset until the cell ends', async () => {
    const cycle = ['a', 'b', 'c'];
    const sent: string[][] = [[], []];
    const tally = new MixTally<string>();
    const cell = await drive(2, 100, cycle, (kind, c) => (sent[c].push(kind), Promise.resolve(OK)), tally);
    const walk = (from: number, n: number) => Array.from({ length: n }, (_, i) => cycle[(from + i) % cycle.length]);
    expect(sent[0]).toEqual(walk(0, sent[0].length));
    expect(sent[1]).toEqual(walk(1, sent[1].length));
    expect(cell.sent).toBe(sent[0].length + sent[1].length);
    expect(cell.sent).toBeGreaterThan(0);
    expect(tally.total).toBe(cell.sent);
  });

  it('paced: sends exactly the requests due in the cell, k to client k mod clients, each counted once', async () => {
    const sentBy: number[][] = [[], [], []];
    const tally = new MixTally<string>();
    // 30/s for 1 s: requests 0…29 due every 33 ms, three clients taking every third.
    const cell = await drive(3, 1000, ['get'], (_kind, c, i) => (sentBy[c].push(i), Promise.resolve(i === 2 ? { status: 500, body: '' } : OK)), tally, 30);
    expect(cell).toMatchObject({ scheduled: 30, sent: 30 });
    expect(sentBy).toEqual([0, 1, 2].map(() => Array.from({ length: 10 }, (_, i) => i)));
    expect([tally.total, tally.failed]).toEqual([27, 3]);
  });

  it('paced: counts latency from the due time, so requests queued behind a slow answer count their wait', async () => {
    // 20/s for 1 s over 2 clients: client 0's requests are due at 0, 100, 200… ms. Its first answer takes 300 ms, so
    // its next two (due at 100 and 200 ms) leave late; timed from their sending they would look instant.
    const tally = new MixTally<string>();
    await drive(2, 1000, ['get'], (_kind, c, i) => (c === 0 && i === 0 ? after(300) : Promise.resolve(OK)), tally, 20);
    const [row] = tally.rows(1);
    expect(row.requests).toBe(20);
    // 3 of 20 waited ≥ 100 ms: the 90th percentile (the 18th) is one of them; a closed-loop timing would show ~0.
    expect(row['p90 ms']).toBeGreaterThanOrEqual(90);
  });
});

describe('scheduledRequests', () => {
  it('counts the due times k / rate that fall inside the cell', () => {
    expect(scheduledRequests(1000, 20)).toBe(20);
    expect(scheduledRequests(1000, 20.5)).toBe(21);
    expect(scheduledRequests(300, 1)).toBe(1);
  });
});

describe('pacedShares', () => {
  it('reads BENCH_API_PACED as percentages, 25, 50 and 75 when unset, none when empty', () => {
    expect(pacedShares({})).toEqual([25, 50, 75]);
    expect(pacedShares({ BENCH_API_PACED: '10, 90' })).toEqual([10, 90]);
    expect(pacedShares({ BENCH_API_PACED: '' })).toEqual([]);
    expect(() => pacedShares({ BENCH_API_PACED: '50,x' })).toThrow(/BENCH_API_PACED/);
    expect(() => pacedShares({ BENCH_API_PACED: '0' })).toThrow(/BENCH_API_PACED/);
    expect(() => pacedShares({ BENCH_API_PACED: '150' })).toThrow(/BENCH_API_PACED/);
  });
});
