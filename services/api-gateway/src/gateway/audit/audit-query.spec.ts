import { listQuery } from './audit-api';

describe('the audit API\'s query', () => {
  it('refuses a parameter holding a NUL character with 400 (Postgres\'s text holds none, and the query answered 500)', () => {
    for (const q of ['fieldSelector=user%3D%00', 'user=a%00b', 'namespace=%00']) {
      expect(() => listQuery(new URLSearchParams(q))).toThrow(expect.objectContaining({ status: expect.objectContaining({ code: 400, message: expect.stringContaining('must not contain a NUL character') }) }));
    }
    expect(listQuery(new URLSearchParams('user=alice')).user).toBe('alice');
  });
});
