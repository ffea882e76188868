import { defaultService, prepareServiceUpdate, validateService, validateServiceUpdate } from './service.strategy';

const svc = (spec: any) => ({ metadata: { name: 's', namespace: 'ns' }, spec });

describe('Service strategy', () => {
  it('defaults the type, protocol and target port and allocates a cluster IP', () => {
    const s = defaultService(svc({ ports: [{ port: 80 }] }));
    expect(s.spec).toMatchObject({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], ipFamilies: ['IPv4'] });
    expect(s.spec.clusterIP).toMatch(/^127\.202\.\d+\.\d+$/);
    expect(s.spec.clusterIPs).toEqual([s.spec.clusterIP]);
    expect(validateService(s)).toEqual([]);
  });

  it('keeps a headless service headless and gives node ports to NodePort and LoadBalancer services', () => {
    expect(defaultService(svc({ clusterIP: 'None', ports: [{ port: 80 }] })).spec.clusterIPs).toEqual(['None']);
    const lb = defaultService(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }));
    expect(lb.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    expect(lb.spec.ports[0].nodePort).toBeLessThanOrEqual(32767);
  });

  // As kube-apiserver: the target port defaults to the (bad) port, so both are reported.
  it('names the field of a bad port, protocol, type or target port', () => {
    const causes = validateService(defaultService(svc({ type: 'Weird', ports: [{ name: 'a', port: 0, protocol: 'HTTP' }, { name: 'b', port: 81, targetPort: 'Bad_Name' }] })));
    expect(causes.map((c) => c.field)).toEqual(['spec.type', 'spec.ports[0].port', 'spec.ports[0].protocol', 'spec.ports[0].targetPort', 'spec.ports[1].targetPort']);
    expect(causes[1].message).toBe('Invalid value: 0: must be between 1 and 65535, inclusive');
  });

  it('requires names when there are several ports', () => {
    expect(validateService(defaultService(svc({ ports: [{ port: 80 }, { port: 81 }] }))).map((c) => c.field)).toEqual(['spec.ports[0].name', 'spec.ports[1].name']);
  });

  it('allows a service that selects nothing', () => {
    expect(validateService(defaultService(svc({ ports: [{ port: 80 }] })))).toEqual([]);
  });

  it('keeps the cluster IP on update and refuses a change', () => {
    const old = defaultService(svc({ ports: [{ port: 80 }] }));
    const next = prepareServiceUpdate(old, svc({ ports: [{ port: 80 }] }));
    expect(next.spec.clusterIP).toBe(old.spec.clusterIP);
    expect(validateServiceUpdate(old, next)).toEqual([]);
    const changed = prepareServiceUpdate(old, svc({ clusterIP: '127.202.9.9', ports: [{ port: 80 }] }));
    expect(validateServiceUpdate(old, changed)).toEqual([{ field: 'spec.clusterIPs[0]', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"127.202.9.9"}: may not change once set' }]);
  });
});
