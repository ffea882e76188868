import { recordedFromSent } from './recorded-event';

describe('an event recorded from what its writer sent', () => {
  const row = { position: '42', transaction_id: '7', stream_version: '3', created_at: new Date('2026-12-02T00:00:00Z') };
  const sent = { id: 'e-1', streamId: 's-1', type: 'PodCreated', data: '{"object":{"name":"p"}}', metadata: '{"actor":"a","source":"s"}' };

  it('reads as the plain event Postgres would have returned: spread, JSON and deep equality see the bodies', () => {
    const e = recordedFromSent(row, sent);
    const plain = { id: 'e-1', streamId: 's-1', streamVersion: 3, type: 'PodCreated', data: { object: { name: 'p' } }, metadata: { actor: 'a', source: 's' }, position: 42n, transactionId: 7n, createdAt: row.created_at };
    expect(e).toEqual(plain);
    expect({ ...e }).toEqual(plain);
    expect(Object.keys(e).sort()).toEqual(Object.keys(plain).sort());
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
