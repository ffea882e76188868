import { validateAgainstSchema } from '@openpacific/kube-api';
import { serviceResource } from './service.resource';

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
});
