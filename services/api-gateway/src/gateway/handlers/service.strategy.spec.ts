import { ObjectEventTypes, objectStreamId, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { allocateClusterIP } from './cluster-ip';
import { defaultService as defaultWith, prepareServiceUpdate, validateService, validateServiceCreate, validateServiceUpdate } from './service.strategy';
import type { StrategyContext } from './kind-strategies';

const svc = (spec: any, name = 's', namespace = 'ns') => ({ metadata: { name, namespace }, spec });

let position = 0n;
/** A read model holding the given Services, as the gateway's would after following the log. */
function modelWith(...services: any[]): ReadModel {
  const model = new ReadModel();
  for (const object of services) {
    position += 1n;
    model.apply({
      id: `e${position}`, streamId: objectStreamId(SERVICES_RESOURCE, object.metadata.namespace, object.metadata.name), streamVersion: 1,
      type: ObjectEventTypes.created, data: { resource: SERVICES_RESOURCE, object }, metadata: { actor: 'admin', source: 'test' },
      position, transactionId: 100n, createdAt: new Date(),
    } as RecordedEvent);
  }
  return model;
}

const loopback: StrategyContext = { readModel: new ReadModel(), serviceCIDR: '127.202.0.0/16' };
const defaultService = (s: any) => defaultWith(s, loopback);
/** What the gateway does on create: defaults, then the create-only and general rules. */
const create = (s: any, ctx: StrategyContext) => {
  const out = defaultWith(s, ctx);
  return { svc: out, causes: [...validateServiceCreate(out, ctx), ...validateService(out)] };
};

describe('Service strategy', () => {
  it('defaults ClientIP affinity to three hours and checks the affinity as kube-apiserver does', () => {
    const sticky = defaultService(svc({ ports: [{ port: 80 }], sessionAffinity: 'ClientIP' }));
    expect(sticky.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    expect(validateService(sticky)).toEqual([]);
    expect(defaultService(svc({ ports: [{ port: 80 }] })).spec.sessionAffinityConfig).toBeUndefined();
    const bad = (spec: any) => validateService(defaultService(svc({ ports: [{ port: 80 }], ...spec })));
    expect(bad({ sessionAffinity: 'Cookie' })).toEqual([expect.objectContaining({ field: 'spec.sessionAffinity', message: 'Unsupported value: "Cookie": supported values: "ClientIP", "None"' })]);
    expect(bad({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } } })).toEqual([
      expect.objectContaining({ field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds', message: 'Invalid value: 0: must be greater than 0 and less than 86400' }),
    ]);
    expect(bad({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } })[0].field).toBe('spec.sessionAffinityConfig.clientIP.timeoutSeconds');
    expect(bad({ sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })).toEqual([
      expect.objectContaining({ field: 'spec.sessionAffinityConfig', message: 'Invalid value: {"clientIP":{"timeoutSeconds":60}}: must not be set when session affinity is None' }),
    ]);
  });

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

  describe('cluster IP allocation', () => {
    const range = '10.97.0.0/16';

    it('allocates from the service range, never its network, broadcast, kubernetes or DNS address', () => {
      const ctx = { readModel: new ReadModel(), serviceCIDR: range };
      for (let i = 0; i < 200; i++) {
        const { svc: s, causes } = create(svc({ ports: [{ port: 80 }] }), ctx);
        expect(causes).toEqual([]);
        expect(s.spec.clusterIP).toMatch(/^10\.97\.\d+\.\d+$/);
        expect(['10.97.0.0', '10.97.0.1', '10.97.0.10', '10.97.255.255']).not.toContain(s.spec.clusterIP);
      }
    });

    it('never hands out an address another Service holds', () => {
      // A /24-sized view of the range: with all but one address held, the allocator must find the last free one.
      const held = new Set<string>();
      for (let i = 1; i < 255; i++) if (i !== 77) held.add(`10.97.0.${i}`);
      for (let i = 0; i < 20; i++) expect(allocateClusterIP('10.97.0.0/24', held)).toBe('10.97.0.77');
      held.add('10.97.0.77');
      expect(allocateClusterIP('10.97.0.0/24', held)).toBeUndefined();
    });

    it('keeps the default loopback range when SERVICE_CIDR is not set', () => {
      expect(defaultService(svc({ ports: [{ port: 80 }] })).spec.clusterIP).toMatch(/^127\.202\.\d+\.\d+$/);
    });

    it('accepts a free client-chosen address in the range', () => {
      const ctx = { readModel: modelWith(svc({ clusterIP: '10.97.0.5', ports: [{ port: 80 }] }, 'other')), serviceCIDR: range };
      const { svc: s, causes } = create(svc({ clusterIP: '10.97.0.6', ports: [{ port: 80 }] }), ctx);
      expect(causes).toEqual([]);
      expect(s.spec.clusterIPs).toEqual(['10.97.0.6']);
    });

    it('refuses a chosen address outside the range in kube-apiserver\'s words', () => {
      const ctx = { readModel: new ReadModel(), serviceCIDR: range };
      for (const ip of ['10.98.0.5', '10.97.0.0', '10.97.255.255']) {
        expect(create(svc({ clusterIP: ip, ports: [{ port: 80 }] }), ctx).causes).toEqual([{
          field: 'spec.clusterIP', reason: 'FieldValueInvalid',
          message: `Invalid value: "${ip}": failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.97.0.0/16`,
        }]);
      }
    });

    it('refuses an address already held by a Service of any namespace, or the cluster DNS address', () => {
      const ctx = { readModel: modelWith(svc({ clusterIP: '10.97.3.4', clusterIPs: ['10.97.3.4'], ports: [{ port: 80 }] }, 'db', 'elsewhere')), serviceCIDR: range };
      for (const ip of ['10.97.3.4', '10.97.0.10']) {
        expect(create(svc({ clusterIP: ip, ports: [{ port: 80 }] }), ctx).causes).toEqual([{
          field: 'spec.clusterIP', reason: 'FieldValueInvalid', message: `Invalid value: "${ip}": failed to allocate IP ${ip}: provided IP is already allocated`,
        }]);
      }
    });

    it('keeps the first address of the range for the kubernetes Service in default', () => {
      const ctx = { readModel: new ReadModel(), serviceCIDR: range };
      const refusal = [{ field: 'spec.clusterIP', reason: 'FieldValueInvalid', message: 'Invalid value: "10.97.0.1": failed to allocate IP 10.97.0.1: provided IP is already allocated' }];
      // Asked for by any other Service, in any namespace (a `kubernetes` elsewhere too): already allocated, as the DNS address.
      expect(create(svc({ clusterIP: '10.97.0.1', ports: [{ port: 80 }] }), ctx).causes).toEqual(refusal);
      expect(create(svc({ clusterIP: '10.97.0.1', ports: [{ port: 80 }] }, 'kubernetes', 'kube-system'), ctx).causes).toEqual(refusal);
      expect(create(svc({ clusterIP: '10.97.0.1', ports: [{ port: 80 }] }, 'other', 'default'), ctx).causes).toEqual(refusal);
      // default/kubernetes may have it, and gets it when it names no address.
      expect(create(svc({ clusterIP: '10.97.0.1', ports: [{ port: 443 }] }, 'kubernetes', 'default'), ctx).causes).toEqual([]);
      const made = create(svc({ ports: [{ port: 443 }] }, 'kubernetes', 'default'), ctx);
      expect(made.causes).toEqual([]);
      expect(made.svc.spec.clusterIPs).toEqual(['10.97.0.1']);
      // Held by another Service already (a cluster older than the reservation): default/kubernetes takes another one.
      const taken = { readModel: modelWith(svc({ clusterIP: '10.97.0.1', ports: [{ port: 80 }] }, 'old')), serviceCIDR: range };
      expect(create(svc({ ports: [{ port: 443 }] }, 'kubernetes', 'default'), taken).svc.spec.clusterIP).not.toBe('10.97.0.1');
    });

    it('never allocates the kubernetes Service\'s address to another Service', () => {
      const held = new Set<string>();
      for (let i = 2; i < 255; i++) if (i !== 10) held.add(`10.97.0.${i}`);
      expect(allocateClusterIP('10.97.0.0/24', held)).toBeUndefined();
      const ctx = { readModel: new ReadModel(), serviceCIDR: '10.97.0.0/24' };
      for (let i = 0; i < 300; i++) expect(create(svc({ ports: [{ port: 80 }] }), ctx).svc.spec.clusterIP).not.toBe('10.97.0.1');
    });

    it('leaves headless and ExternalName services without an address to check', () => {
      const ctx = { readModel: new ReadModel(), serviceCIDR: range };
      expect(create(svc({ clusterIP: 'None', ports: [{ port: 80 }] }), ctx).causes).toEqual([]);
      expect(create(svc({ type: 'ExternalName', externalName: 'db.example.com' }), ctx).svc.spec.clusterIP).toBeUndefined();
    });

    it('reports a full range instead of failing the request', () => {
      const full = modelWith(...Array.from({ length: 254 }, (_, i) => i + 1).filter((i) => i !== 10).map((i) => svc({ clusterIP: `10.97.0.${i}`, ports: [{ port: 80 }] }, `s${i}`)));
      const { causes } = create(svc({ ports: [{ port: 80 }] }), { readModel: full, serviceCIDR: '10.97.0.0/24' });
      expect(causes.map((c) => c.field)).toEqual(['spec.clusterIP']);
      expect(causes[0].message).toContain('range is full');
    });
  });
});
