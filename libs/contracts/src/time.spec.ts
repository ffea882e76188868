import { rfc3339 } from './time';

describe('rfc3339 (metav1.Time to the second)', () => {
  it('drops the milliseconds of a Date, of a number and of now', () => {
    expect(rfc3339(new Date('2026-12-05T13:40:07.999Z'))).toBe('2026-12-05T13:40:07Z');
    expect(rfc3339(Date.parse('2026-12-05T13:40:08.001Z'))).toBe('2026-12-05T13:40:08Z');
    expect(rfc3339()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it('gives the kept second only for a time inside it, going forward and back', () => {
    expect(rfc3339(Date.parse('2026-12-05T13:40:07.100Z'))).toBe('2026-12-05T13:40:07Z');
    expect(rfc3339(Date.parse('2026-12-05T13:40:07.900Z'))).toBe('2026-12-05T13:40:07Z');
    expect(rfc3339(Date.parse('2026-12-05T13:40:06.999Z'))).toBe('2026-12-05T13:40:06Z');
    expect(rfc3339(Date.parse('2026-12-05T13:40:07.000Z'))).toBe('2026-12-05T13:40:07Z');
  });

  it('rounds a time before 1970 down to its second, as Go truncates', () => {
    expect(rfc3339(-1)).toBe('1969-12-31T23:59:59Z');
    expect(rfc3339(0)).toBe('1970-01-01T00:00:00Z');
  });

  it('writes any time past year 9999 as its last second, which Go reads (and JavaScript\'s end of time without throwing)', () => {
    expect(rfc3339(Date.UTC(12345, 0, 1, 0, 0, 0, 500))).toBe('9999-12-31T23:59:59Z');
    expect(rfc3339(Date.now() + 9007199254740991 * 1000)).toBe('9999-12-31T23:59:59Z');
    expect(rfc3339(Date.UTC(9999, 11, 31, 23, 59, 58))).toBe('9999-12-31T23:59:58Z');
  });
});
