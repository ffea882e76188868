import type { AdmissionRequest } from '@openpacific/contracts';
import { readAtOf, reviewBatch } from './admission-batch';
import type { AdmissionContext } from './admitter';

const request = (uid: string) => ({ uid, operation: 'CREATE', user: { username: 'u', groups: [] }, resource: { group: '', version: 'v1', resource: 'pods' }, kind: 'Pod', dryRun: false }) as AdmissionRequest;

describe('admission batches', () => {
  it('reads the gateway\'s position as big integers', () => {
    expect(readAtOf({ batch: [], readAt: { transactionId: '18446744073709551615', position: '42' } })).toEqual({ transactionId: 18446744073709551615n, position: 42n });
  });

  it('ignores a missing or malformed position (the admitters then read the log to its end)', () => {
    for (const readAt of [undefined, { transactionId: '1', position: '-2' }, { transactionId: '1e3', position: '2' }, { transactionId: 7, position: '2' }, { transactionId: '1'.repeat(21), position: '2' }]) {
      expect(readAtOf({ batch: [], readAt: readAt as any })).toBeUndefined();
    }
  });

  it('hands every review of the batch the same position', async () => {
    const seen: AdmissionContext[] = [];
    const answer = await reviewBatch({ batch: [request('a'), request('b')], readAt: { transactionId: '5', position: '9' } }, async (r, context) => {
      seen.push(context);
      return { uid: r.uid, allowed: true };
    });
    expect(answer.batch).toEqual([{ uid: 'a', allowed: true }, { uid: 'b', allowed: true }]);
    expect(seen).toEqual([{ readAt: { transactionId: 5n, position: 9n } }, { readAt: { transactionId: 5n, position: 9n } }]);
  });

  it('answers each item with its warnings', async () => {
    const answer = await reviewBatch({ batch: [request('a'), request('b')] }, async (r) => (r.uid === 'a' ? { uid: 'a', allowed: true, warnings: ['careful'] } : { uid: r.uid, allowed: true }));
    expect(answer.batch).toEqual([{ uid: 'a', allowed: true, warnings: ['careful'] }, { uid: 'b', allowed: true }]);
  });
});
