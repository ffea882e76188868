import { formatCauses, matchesFormat } from './string-formats';

describe('string formats of custom resources', () => {
  it.each([
    ['date-time', ['2024-05-01T10:00:00Z', '2024-05-01t10:00:00.123+02:00'], ['2024-05-01', '2024-13-01T10:00:00Z', 'x', '2024-05-01T24:00:00Z']],
    ['date', ['2024-02-29'], ['2023-02-29', '2024-5-1', '2024-05-01T00:00:00Z']],
    ['duration', ['1h30m', '3 days', '500ms'], ['soon', '']],
    ['uuid', ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], ['123e4567']],
    ['email', ['a@example.com', 'Ann <a@example.com>'], ['a.example.com', 'a@']],
    ['hostname', ['example.com', 'localhost'], ['-bad.example.com', 'a_b.example.com']],
    ['ipv4', ['10.0.0.1', '010.0.0.1'], ['10.0.0.256', '::1', 'x']],
    ['ipv6', ['::1', 'fe80::1'], ['10.0.0.1', 'x']],
    ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0']],
    ['mac', ['00:00:5e:00:53:01', '00-00-5e-00-53-01', '0000.5e00.5301'], ['00:00:5e:00:53', '00:00-5e:00:53:01']],
    ['uri', ['https://example.com/a?b', '/path', 'mailto:a@b'], ['example.com', 'relative/path', '']],
    ['byte', ['aGVsbG8=', ''], ['hello!', 'aGVsbG8']],
    ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff']],
    ['isbn', ['0321751043', '978-0321751041'], ['0321751044']],
  ])('%s', (format, good, bad) => {
    for (const v of good) expect([v, matchesFormat(format, v)]).toEqual([v, true]);
    for (const v of bad) expect([v, matchesFormat(format, v)]).toEqual([v, false]);
  });

  it('ignores formats kube-apiserver does not check, numeric ones included', () => {
    expect(matchesFormat('int32', 'x')).toBe(true);
    expect(matchesFormat('my-own-format', 'x')).toBe(true);
  });

  it('reports each string of the wrong format at its path with kube-apiserver\'s message', () => {
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            when: { type: 'string', format: 'date-time' },
            hosts: { type: 'array', items: { type: 'string', format: 'hostname' } },
            size: { type: 'integer', format: 'int32' },
          },
        },
      },
    };
    expect(formatCauses(schema, { spec: { when: 'x', hosts: ['ok.example.com', 'not ok'], size: 1 } })).toEqual([
      { field: 'spec.when', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "x": spec.when in body must be of type date-time: "x"' },
      { field: 'spec.hosts[1]', reason: 'FieldValueTypeInvalid', message: 'Invalid value: "not ok": spec.hosts[1] in body must be of type hostname: "not ok"' },
    ]);
  });
});
