import { JOB_TRACKING_FINALIZER } from '@openpacific/contracts';
import { settleCounts, tallyPods, uncountedOf } from './job-tracking';

let n = 0;
const pod = (phase: string, metadata: Record<string, unknown> = {}) => ({
  metadata: { name: `p${++n}`, uid: `uid-${n}`, finalizers: [JOB_TRACKING_FINALIZER], ...metadata },
  status: { phase },
});
const uids = (pods: any[]) => pods.map((p) => p.metadata.uid);
const spec = { podReplacementPolicy: 'TerminatingOrFailed' };

describe('counting a Job\'s finished pods with the tracking finalizer', () => {
  it('records newly finished pods uncounted first and releases them, leaving running pods held', () => {
    const done = pod('Succeeded');
    const failed = pod('Failed');
    const running = pod('Running');
    const tally = tallyPods(uncountedOf({}), [done, failed, running], spec);
    expect(tally.uncounted).toEqual({ succeeded: [done.metadata.uid], failed: [failed.metadata.uid] });
    expect(uids(tally.release)).toEqual(uids([done, failed]));
  });

  it('records a pod once, even when a crash left it uncounted and still holding its finalizer', () => {
    const done = pod('Succeeded');
    const status = { succeeded: 1, uncountedTerminatedPods: { succeeded: [done.metadata.uid] } };
    const tally = tallyPods(uncountedOf(status), [done], spec);
    expect(tally.uncounted.succeeded).toEqual([done.metadata.uid]);
    expect(tally.release).toEqual([done]);
    // Its finalizer is still there: it stays uncounted rather than counted twice.
    expect(settleCounts({ ...status, uncountedTerminatedPods: tally.uncounted }, new Set([done.metadata.uid]))).toMatchObject({ succeeded: 1, uncountedTerminatedPods: { succeeded: [done.metadata.uid] } });
  });

  it('moves into the counters what no pod holds any more, gone or released', () => {
    const status = { succeeded: 2, failed: 1, uncountedTerminatedPods: { succeeded: ['a', 'b'], failed: ['c'] } };
    expect(settleCounts(status, new Set(['b']))).toEqual({ succeeded: 3, failed: 2, uncountedTerminatedPods: { succeeded: ['b'] } });
    expect(settleCounts(status, new Set())).toEqual({ succeeded: 4, failed: 2, uncountedTerminatedPods: {} });
  });

  it('never counts again a pod without the finalizer, or one released already, so deleting finished pods changes nothing', () => {
    const counted = pod('Succeeded', { finalizers: undefined });
    const released = pod('Failed');
    const tally = tallyPods(uncountedOf({}), [counted, released], spec, { released: new Set([released.metadata.uid]) });
    expect(tally).toEqual({ uncounted: { succeeded: [], failed: [] }, release: [] });
    expect(settleCounts({ succeeded: 1, failed: 1 }, new Set())).toEqual({ succeeded: 1, failed: 1, uncountedTerminatedPods: {} });
  });

  it('counts a pod deleted before it finished as failed, unless the Job replaces only Failed pods', () => {
    const deleted = pod('Running', { deletionTimestamp: '2026-12-03T08:00:00Z' });
    expect(tallyPods(uncountedOf({}), [deleted], spec).uncounted.failed).toEqual([deleted.metadata.uid]);
    const waiting = tallyPods(uncountedOf({}), [deleted], { podReplacementPolicy: 'Failed' });
    expect(waiting).toEqual({ uncounted: { succeeded: [], failed: [] }, release: [] });
    // A succeeded pod being deleted is a success.
    const doneDeleted = pod('Succeeded', { deletionTimestamp: '2026-12-03T08:00:00Z' });
    expect(tallyPods(uncountedOf({}), [doneDeleted], spec).uncounted.succeeded).toEqual([doneDeleted.metadata.uid]);
  });

  it('once the Job\'s end is decided, lets every pod go: counted failed if it fails, uncounted if it succeeds', () => {
    const running = pod('Running');
    expect(tallyPods(uncountedOf({}), [running], spec, { ending: 'failure' })).toEqual({ uncounted: { succeeded: [], failed: [running.metadata.uid] }, release: [running] });
    expect(tallyPods(uncountedOf({}), [running], spec, { ending: 'success' })).toEqual({ uncounted: { succeeded: [], failed: [] }, release: [running] });
  });

  it('releases a finished pod the Job does not count (an ignored failure, an index done already) without counting it', () => {
    const ignored = pod('Failed');
    const again = pod('Succeeded');
    const tally = tallyPods(uncountedOf({}), [ignored, again], spec, { countsFailure: () => false, countsSuccess: () => false });
    expect(tally).toEqual({ uncounted: { succeeded: [], failed: [] }, release: [ignored, again] });
  });
});
