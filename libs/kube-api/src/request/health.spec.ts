import { healthPath, healthReply, runChecks, singleCheckReply } from './health';

const q = (s = '') => new URLSearchParams(s);

describe('health endpoints', () => {
  const passing = [{ name: 'ping' }, { name: 'etcd' }];
  const failing = [{ name: 'ping' }, { name: 'etcd', error: 'dial tcp: connection refused' }];

  it('answers ok, or every check with ?verbose', () => {
    expect(healthReply('readyz', passing, q())).toEqual({ status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }, body: 'ok' });
    expect(healthReply('readyz', passing, q('verbose')).body).toBe('[+]ping ok\n[+]etcd ok\nreadyz check passed\n');
  });

  it('lists every check with a 500 when one fails, withholding the reason', () => {
    for (const query of [q(), q('verbose')]) {
      expect(healthReply('livez', failing, query)).toMatchObject({ status: 500, body: '[+]ping ok\n[-]etcd failed: reason withheld\nlivez check failed\n' });
    }
  });

  it('leaves out excluded checks, and warns of exclusions that name none', () => {
    expect(healthReply('readyz', failing, q('exclude=etcd'))).toMatchObject({ status: 200, body: 'ok' });
    expect(healthReply('readyz', failing, q('verbose&exclude=etcd&exclude=nope&exclude=other')).body).toBe(
      '[+]ping ok\n[+]etcd excluded: ok\nwarn: some health checks cannot be excluded: no matches for "nope","other"\nreadyz check passed\n',
    );
  });

  it('answers one check: ok, or its error as a 500', () => {
    expect(singleCheckReply({ name: 'etcd' })).toMatchObject({ status: 200, body: 'ok' });
    expect(singleCheckReply(failing[1])).toMatchObject({ status: 500, body: 'internal server error: dial tcp: connection refused\n' });
  });

  it('runs checks side by side, failing those that throw, reject or take too long', async () => {
    const results = await runChecks([
      { name: 'sync', run: () => undefined },
      { name: 'throws', run: () => { throw new Error('no'); } },
      { name: 'rejects', run: () => Promise.reject(new Error('refused')) },
      { name: 'hangs', run: () => new Promise<void>(() => undefined) },
    ], 50);
    expect(results).toEqual([{ name: 'sync' }, { name: 'throws', error: 'no' }, { name: 'rejects', error: 'refused' }, { name: 'hangs', error: 'timed out after 50ms' }]);
  });

  it('tells the health paths from others', () => {
    expect(healthPath('/readyz')).toEqual({ endpoint: 'readyz' });
    expect(healthPath('/readyz/')).toEqual({ endpoint: 'readyz' });
    expect(healthPath('/livez/etcd')).toEqual({ endpoint: 'livez', check: 'etcd' });
    expect(healthPath('/healthzx')).toBeUndefined();
    expect(healthPath('/api/v1/readyz')).toBeUndefined();
  });
});
