import { markDeletion } from './graceful-deletion';

describe('markDeletion (a deletion under way, as kube-apiserver marks it)', () => {
  it('sets the deletionTimestamp to when the grace period ends, to the second, beside the grace period', () => {
    const meta = {};
    markDeletion(meta, 30, Date.parse('2026-12-05T13:40:07.600Z'));
    expect(meta).toEqual({ deletionTimestamp: '2026-12-05T13:40:37Z', deletionGracePeriodSeconds: 30 });
  });

  it('ends a deletion with no grace period (one held only by finalizers) when it is asked', () => {
    const meta = { deletionTimestamp: undefined, deletionGracePeriodSeconds: undefined };
    markDeletion(meta, 0, Date.parse('2026-12-05T13:40:07Z'));
    expect(meta).toEqual({ deletionTimestamp: '2026-12-05T13:40:07Z', deletionGracePeriodSeconds: 0 });
  });

  it('counts from now when no time is given', () => {
    const before = Math.floor(Date.now() / 1000) * 1000;
    const meta: { deletionTimestamp?: string } = {};
    markDeletion(meta, 45);
    const due = Date.parse(meta.deletionTimestamp!);
    expect(due).toBeGreaterThanOrEqual(before + 45_000);
    expect(due).toBeLessThanOrEqual(Date.now() + 45_000);
  });
});
