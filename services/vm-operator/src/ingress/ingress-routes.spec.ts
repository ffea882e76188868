import { hostRank, ingressRoutes, pathMatches, routeRequest } from './ingress-routes';

const ing = (paths: Array<[string, string, string]>, extra: any = {}) => ({
  metadata: { namespace: 'default', name: 'i', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { rules: [{ host: extra.host, http: { paths: paths.map(([pathType, path, service]) => ({ path, pathType, backend: { service: { name: service, port: { number: 80 } } } })) } }], ...extra.spec },
});
const route = (paths: Array<[string, string, string]>, request: string) => routeRequest(ingressRoutes([ing(paths)]), 'any', request)?.service;

describe('Ingress path matching (the Kubernetes docs’ examples)', () => {
  it.each([
    ['Prefix', '/', '/aaa/bbb', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
    ['Prefix', '/aaa', '/ccc', false],
  ])('%s %s on %s → %s', (pathType, path, request, matches) => {
    expect(pathMatches({ pathType: pathType as any, path }, request)).toBe(matches);
  });

  it('the longest matching path wins, Exact before Prefix at equal length', () => {
    expect(route([['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa']], '/aaa/ccc')).toBe('aaa');
    expect(route([['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa'], ['Prefix', '/aaa/bbb', 'bbb']], '/aaa/bbb')).toBe('bbb');
    expect(route([['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa'], ['Prefix', '/aaa/bbb', 'bbb']], '/ccc')).toBe('root');
    expect(route([['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']], '/foo')).toBe('exact');
    expect(route([['Prefix', '/aaa', 'aaa']], '/aaa?x=1')).toBe('aaa');
    expect(route([['Prefix', '/aaa', 'aaa']], '/ccc')).toBeUndefined();
  });

  it('hosts: exact, then a one-label wildcard, then rules without host; else the defaultBackend', () => {
    expect(hostRank('foo.bar.com', 'foo.bar.com')).toBe(2);
    expect(hostRank('*.foo.com', 'bar.foo.com')).toBe(1);
    expect(hostRank('*.foo.com', 'baz.bar.foo.com')).toBe(-1);
    expect(hostRank('*.foo.com', 'foo.com')).toBe(-1);
    expect(hostRank(undefined, 'x')).toBe(0);
    const table = ingressRoutes([
      ing([['Prefix', '/', 'exact']], { host: 'a.example.com' }),
      ing([['Prefix', '/', 'wild']], { host: '*.example.com' }),
      ing([['Prefix', '/api', 'any']], { spec: { defaultBackend: { service: { name: 'fallback', port: { number: 8080 } } } } }),
    ]);
    expect(routeRequest(table, 'A.example.com:80', '/api')?.service).toBe('exact');
    expect(routeRequest(table, 'b.example.com', '/api')?.service).toBe('wild');
    expect(routeRequest(table, 'other.org', '/api/v1')?.service).toBe('any');
    expect(routeRequest(table, 'other.org', '/web')).toEqual({ namespace: 'default', service: 'fallback', port: { number: 8080, name: undefined } });
  });
});
