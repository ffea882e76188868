import { newEventId } from './event-id';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newEventId', () => {
  it('is a lower-case version 7 uuid whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 1, 13, 45, 6, 789);
    const id = newEventId(at);
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('orders ids of later milliseconds after earlier ones, so the index takes them at its end', () => {
    const ids = [0, 1, 255, 256, 0xffffff, 0x1000000, Date.now()].map((ms) => newEventId(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats, within one millisecond or across the blocks of random bytes', () => {
    const ids = Array.from({ length: 2000 }, () => newEventId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
