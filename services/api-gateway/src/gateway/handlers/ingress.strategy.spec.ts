import { admitIngressClass, validateIngress, validateIngressClass } from './ingress.strategy';

const backend = { service: { name: 'web', port: { number: 80 } } };
const ingress = (spec: any, annotations?: any) => ({ metadata: { name: 'i', namespace: 'default', annotations }, spec });
const fields = (causes: { field?: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);

describe('Ingress validation (kube-apiserver messages)', () => {
  it('accepts rules with hosts, wildcard hosts, paths and a defaultBackend', () => {
    expect(validateIngress(ingress({
      defaultBackend: backend,
      rules: [{ host: 'foo.bar.com', http: { paths: [{ path: '/api', pathType: 'Prefix', backend }] } }, { host: '*.foo.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'b', port: { name: 'http' } } } }] } }],
      tls: [{ hosts: ['foo.bar.com'], secretName: 'tls-secret' }],
      ingressClassName: 'openpacific',
    }))).toEqual([]);
  });

  it('names the field of each fault', () => {
    expect(fields(validateIngress(ingress({})))).toEqual(['spec: Invalid value: []: either `defaultBackend` or `rules` must be specified']);
    const causes = fields(validateIngress(ingress({
      rules: [{ host: 'Foo_Bar', http: { paths: [{ path: 'api', pathType: 'Prefix', backend }, { path: '/x', backend }, { path: '/y', pathType: 'Regex', backend }, { path: '/z', pathType: 'Exact', backend: {} }, { path: '/a//b', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }] } }, { host: '1.2.3.4', http: { paths: [] } }],
    })));
    expect(causes).toEqual([
      expect.stringMatching(/^spec\.rules\[0\]\.host: Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain/),
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      'spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[2].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      'spec.rules[0].http.paths[3].backend: Invalid value: "": resource or service backend is required',
      "spec.rules[0].http.paths[4].path: Invalid value: \"/a//b\": must not contain '//'",
      'spec.rules[0].http.paths[4].backend.service.port: Required value: port name or number is required',
      'spec.rules[1].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
      'spec.rules[1].http.paths: Required value',
    ]);
    expect(fields(validateIngress(ingress({ defaultBackend: { service: { name: 'Web', port: { number: 70000 } }, resource: undefined }, rules: [{ host: '*.*.x' }] })))).toEqual([
      expect.stringMatching(/^spec\.defaultBackend\.service\.name: Invalid value: "Web": a DNS-1035 label/),
      'spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
      expect.stringMatching(/^spec\.rules\[0\]\.host: Invalid value: "\*\.\*\.x": a wildcard DNS-1123 subdomain must start with '\*\.'/),
    ]);
    expect(fields(validateIngress(ingress({ defaultBackend: { ...backend, resource: { kind: 'X', name: 'y' } } })))).toEqual(['spec.defaultBackend: Invalid value: "": cannot set both resource and service backends']);
  });
});

describe('IngressClass', () => {
  it('requires a domain-prefixed controller and checks parameters', () => {
    expect(validateIngressClass({ spec: { controller: 'openpacific.io/ingress' } })).toEqual([]);
    expect(fields(validateIngressClass({ spec: {} }))).toEqual(['spec.controller: Required value']);
    expect(fields(validateIngressClass({ spec: { controller: 'nginx', parameters: { kind: 'K', name: 'n', scope: 'Namespace' } } }))).toEqual([
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
      "spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'",
    ]);
  });

  it('gives an Ingress without class the default class (the newest default), never overriding a chosen one', () => {
    const cls = (name: string, ts: string, isDefault = true) => ({ metadata: { name, creationTimestamp: ts, annotations: isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {} } });
    const classes = [cls('old', '2026-01-01T00:00:00Z'), cls('new', '2026-02-01T00:00:00Z'), cls('other', '2026-03-01T00:00:00Z', false)];
    expect(admitIngressClass(ingress({}), classes).spec.ingressClassName).toBe('new');
    expect(admitIngressClass(ingress({ ingressClassName: 'mine' }), classes).spec.ingressClassName).toBe('mine');
    expect(admitIngressClass(ingress({}, { 'kubernetes.io/ingress.class': 'legacy' }), classes).spec.ingressClassName).toBeUndefined();
    expect(admitIngressClass(ingress({}), []).spec.ingressClassName).toBeUndefined();
  });
});
