import { storeUnavailable } from './api-server';

describe('what counts as the event store being unavailable (503, not 500)', () => {
  it('is a refused, reset or timed-out connection, or Postgres shutting down or cutting us off', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) expect(storeUnavailable(err)).toBe(true);
  });
  it('is not a bug, a constraint violation or a cancelled query', () => {
    for (const err of [new TypeError('x is undefined'), Object.assign(new Error('duplicate key'), { code: '23505' }), Object.assign(new Error('canceling statement'), { code: '57014' }), undefined]) {
      expect(storeUnavailable(err)).toBe(false);
    }
  });
});
