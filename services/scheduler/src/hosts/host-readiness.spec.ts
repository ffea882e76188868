import { desiredReady } from './host-readiness';

describe('a host is Ready', () => {
  const now = 100_000;
  it('while it heartbeats in its current epoch within the grace period', () => {
    expect(desiredReady({ epoch: 2 }, { epoch: 2, at: now - 2_900 }, now, 3_000).status).toBe('True');
  });
  it('not once the grace period passes without a heartbeat', () => {
    expect(desiredReady({ epoch: 2 }, { epoch: 2, at: now - 3_100 }, now, 3_000)).toMatchObject({ status: 'False', reason: 'HeartbeatMissed' });
  });
  it('not on heartbeats from an older epoch', () => {
    expect(desiredReady({ epoch: 3 }, { epoch: 2, at: now }, now, 3_000, now).status).not.toBe('True');
  });
  it('unknown when not heard from yet, NotReady once its beats are overdue', () => {
    expect(desiredReady({ epoch: 1 }, undefined, now, 3_000, now - 1_000)).toMatchObject({ status: 'Unknown', reason: 'HostStatusUnknown' });
    expect(desiredReady({ epoch: 1 }, undefined, now, 3_000, now - 3_500)).toMatchObject({ status: 'False', reason: 'HeartbeatMissed' });
    expect(desiredReady({ epoch: 3 }, { epoch: 2, at: now }, now, 3_000, now - 3_500)).toMatchObject({ status: 'False', reason: 'HeartbeatMissed' });
  });
});
