import { parseDecided, recordedFromSent, toRecordedEvent, toRecordedEventLazyTime } from './recorded-event';

describe('what Postgres decided for an append, as one text column', () => {
  it('reads position and transaction as bigints past 2^53, the version as a number, the time to the millisecond', () => {
    expect(parseDecided('9007199254740993 18446744073709551 12 1796169600123')).toEqual({
      position: 9007199254740993n,
      transactionId: 18446744073709551n,
      streamVersion: 12,
      createdAt: new Date('2026-12-02T00:00:00.123Z'),
    });
  });
});

describe('an event recorded from what its writer sent', () => {
  const row = parseDecided(`42 7 3 ${Date.parse('2026-12-02T00:00:00.123Z')}`);
  const sent = { id: 'e-1', streamId: 's-1', type: 'PodCreated', data: '{"object":{"name":"p"}}', metadata: '{"actor":"a","source":"s"}' };

  it('reads as the plain event Postgres would have returned: spread, JSON and deep equality see the bodies', () => {
    const e = recordedFromSent(row, sent);
    const plain = { id: 'e-1', streamId: 's-1', streamVersion: 3, type: 'PodCreated', data: { object: { name: 'p' } }, metadata: { actor: 'a', source: 's' }, position: 42n, transactionId: 7n, createdAt: new Date('2026-12-02T00:00:00.123Z') };
    expect(e).toEqual(plain);
    expect({ ...e }).toEqual(plain);
    expect(Object.keys(e).sort()).toEqual(Object.keys(plain).sort());
    expect(Object.getOwnPropertySymbols({ ...e })).toEqual([]);
    expect(JSON.parse(JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).data).toEqual({ object: { name: 'p' } });
  });

  it('parses each body once, into an object of its own, and takes a new one when given', () => {
    const a = recordedFromSent(row, sent);
    const b = recordedFromSent(row, sent);
    expect(a.data).toBe(a.data);
    expect(a.data).not.toBe(b.data);
    a.data.object.name = 'changed';
    expect(a.data.object.name).toBe('changed');
    expect(b.data.object.name).toBe('p');
    a.data = { other: true };
    expect(a.data).toEqual({ other: true });
  });
});

describe('an event read with its time left as text (toRecordedEventLazyTime)', () => {
  const row = (id: string) => ({
    event_id: id, stream_id: 'pods/default/p', stream_version: '2', type: 'ResourceUpdated', data: { resource: 'pods' }, metadata: { actor: 'a', source: 's' },
    position: '42', transaction_id: '7', created_at: '2026-12-07 01:00:00.123+00',
  });

  it('reads as the event with its time parsed: fields, spread and JSON alike, the time parsed once', () => {
    const lazy = toRecordedEventLazyTime(row('e-1'));
    const plain = toRecordedEvent({ ...row('e-1'), created_at: new Date('2026-12-07T01:00:00.123Z') });
    expect(lazy.createdAt).toEqual(new Date('2026-12-07T01:00:00.123Z'));
    expect(lazy.createdAt).toBe(lazy.createdAt);
    expect({ ...lazy }).toEqual(plain);
    expect(Object.keys(lazy)).toEqual(Object.keys(plain));
    expect(Object.getOwnPropertySymbols({ ...lazy })).toEqual([]);
    expect(JSON.parse(JSON.stringify(lazy, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).createdAt).toBe('2026-12-07T01:00:00.123Z');
  });

  it('keeps each event its own time', () => {
    const a = toRecordedEventLazyTime(row('a'));
    const b = toRecordedEventLazyTime({ ...row('b'), created_at: '2026-12-07 02:00:00+00' });
    expect([a.createdAt.toISOString(), b.createdAt.toISOString()]).toEqual(['2026-12-07T01:00:00.123Z', '2026-12-07T02:00:00.000Z']);
  });
});
