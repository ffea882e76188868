import { leaseExpiresAtMs, leaseLive } from './lease-liveness';
import { microTime, normalizeMicroTime } from './micro-time';

describe('MicroTime', () => {
  it('is RFC 3339 in UTC with six fractional digits', () => {
    expect(microTime(new Date('2026-12-04T03:30:00.123Z'))).toBe('2026-12-04T03:30:00.123000Z');
    expect(normalizeMicroTime('2026-12-04T03:30:00Z')).toBe('2026-12-04T03:30:00.000000Z');
    expect(normalizeMicroTime('2026-12-04t04:30:00.5+01:00')).toBe('2026-12-04T03:30:00.500000Z');
    expect(normalizeMicroTime('2026-12-04T03:30:00.123456789Z')).toBe('2026-12-04T03:30:00.123456Z');
    for (const bad of ['2026-12-04', '2026-12-04 03:30:00Z', '2026-13-04T03:30:00Z', 'now']) expect(normalizeMicroTime(bad)).toBeUndefined();
  });
});

describe('a Lease\'s liveness', () => {
  const now = Date.parse('2026-12-04T03:30:00Z');
  const lease = (spec: any) => ({ spec: { holderIdentity: 'a', leaseDurationSeconds: 10, ...spec } });

  it('lasts from renewTime (else acquireTime) for leaseDurationSeconds', () => {
    expect(leaseExpiresAtMs(lease({ renewTime: '2026-12-04T03:29:55.000000Z' }))).toBe(now + 5000);
    expect(leaseLive(lease({ renewTime: '2026-12-04T03:29:55.000000Z' }), now)).toBe(true);
    expect(leaseLive(lease({ acquireTime: '2026-12-04T03:29:50.000000Z' }), now)).toBe(false);
    expect(leaseLive(lease({ acquireTime: '2026-12-04T03:29:59.000000Z', renewTime: '2026-12-04T03:29:40.000000Z' }), now)).toBe(false);
  });

  it('is never live without a holder, a time or a positive duration', () => {
    const renewed = { renewTime: '2026-12-04T03:29:59.000000Z' };
    expect(leaseLive(lease({ ...renewed, holderIdentity: '' }), now)).toBe(false);
    expect(leaseLive(lease({}), now)).toBe(false);
    expect(leaseLive(lease({ ...renewed, leaseDurationSeconds: 0 }), now)).toBe(false);
    expect(leaseExpiresAtMs(lease({ renewTime: 'x' }))).toBeUndefined();
  });
});
