import { validateAgainstSchema } from '@openpacific/kube-api';
import { serviceExternalIpCell, serviceResource } from './service.resource';

describe('core v1 Service schema', () => {
  const service = (spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'peers', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }], ...spec } });

  it('keeps publishNotReadyAddresses as a known field', () => {
    for (const value of [true, false]) {
      const result = validateAgainstSchema(serviceResource, 'v1', service({ publishNotReadyAddresses: value }), 'Strict');
      expect(result).toMatchObject({ causes: [], unknownFields: [] });
      expect(result.pruned.spec.publishNotReadyAddresses).toBe(value);
    }
  });

  it('refuses a publishNotReadyAddresses that is not a boolean, naming the field', () => {
    for (const value of ['true', 1, {}]) {
      const { causes } = validateAgainstSchema(serviceResource, 'v1', service({ publishNotReadyAddresses: value }), 'Strict');
      expect(causes.map((c) => c.field)).toEqual(['spec.publishNotReadyAddresses']);
    }
  });

  it('prints EXTERNAL-IP as kube\'s printer: the externalName of an ExternalName Service', () => {
    const cell = (spec: any, status: any = {}) => serviceExternalIpCell({ spec, status });
    expect(cell({ type: 'ExternalName', externalName: 'db.example.com' })).toBe('db.example.com');
    expect(cell({ type: 'ClusterIP' })).toBe('<none>');
    expect(cell({ type: 'ClusterIP', externalIPs: ['1.2.3.4'] })).toBe('1.2.3.4');
    // Only a LoadBalancer shows its ingress, then its external IPs; without either it is pending.
    expect(cell({ type: 'NodePort' }, { loadBalancer: { ingress: [{ ip: '9.9.9.9' }] } })).toBe('<none>');
    expect(cell({ type: 'LoadBalancer' })).toBe('<pending>');
    expect(cell({ type: 'LoadBalancer', externalIPs: ['1.2.3.4'] }, { loadBalancer: { ingress: [{ ip: '9.9.9.9' }, { hostname: 'lb.example.com' }] } })).toBe('9.9.9.9,lb.example.com,1.2.3.4');
    expect(cell({ type: 'Weird' })).toBe('<unknown>');
    expect(serviceResource.versions[0].printerColumns.find((c) => c.name === 'External-IP')?.value?.({ spec: { type: 'ExternalName', externalName: 'x.example.com' } })).toBe('x.example.com');
  });

  it('names Services as DNS-1035 labels', () => {
    expect(serviceResource.nameFormat).toBe('dns1035-label');
  });
});
