import { ObjectEventTypes, objectStreamId, serviceResource, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { KubeApiError, StatusCause, validateObjectMeta } from '@openpacific/kube-api';
import { ReadModel } from '@openpacific/objects';
import { allocateClusterIP } from './cluster-ip';
import { allocateNodePort } from './node-ports';
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
/**
 * What the gateway does on create: defaults (with kube's allocation, whose refusal is the whole answer), then the
 * create-only and general rules. `error` is a refusal other than a 422 (kube's 500 for a full range).
 */
const create = (s: any, ctx: StrategyContext): { svc: any; causes: StatusCause[]; error?: KubeApiError } => {
  try {
    const out = defaultWith(s, ctx);
    return { svc: out, causes: [...validateServiceCreate(out, ctx), ...validateService(out)] };
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    return { svc: s, causes: err.code === 422 ? err.status.details?.causes ?? [] : [], error: err.code === 422 ? undefined : err };
  }
};
/** What the gateway does on update (PUT or patch): prepare, then the general and update rules. */
const update = (old: any, next: any, ctx: StrategyContext) => {
  const out = prepareServiceUpdate(old, next, undefined, ctx);
  return { svc: out, causes: [...validateService(out), ...validateServiceUpdate(old, out, undefined, ctx)] };
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

  describe('name', () => {
    const nameCauses = (name: string) => validateObjectMeta({ name, namespace: 'ns' }, { nameFormat: serviceResource.nameFormat, namespaced: true });

    it('must be a DNS-1035 label, in kube-apiserver\'s words (ValidateServiceName)', () => {
      expect(nameCauses('1svc')).toEqual([{
        field: 'metadata.name', reason: 'FieldValueInvalid',
        message: 'Invalid value: "1svc": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      }]);
      expect(nameCauses('Svc').map((c) => c.message)).toEqual([expect.stringContaining('a DNS-1035 label must consist')]);
      expect(nameCauses(`a${'b'.repeat(63)}`).map((c) => c.message)).toEqual([`Invalid value: "a${'b'.repeat(63)}": must be no more than 63 characters`]);
      for (const ok of ['svc', 'my-svc-1', 'a']) expect(nameCauses(ok)).toEqual([]);
    });
  });

  describe('defaults', () => {
    it('gives a headless Service with a selector [IPv4] and SingleStack, one without RequireDualStack and both families', () => {
      const headless = defaultService(svc({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] }));
      expect(headless.spec).toMatchObject({ clusterIP: 'None', clusterIPs: ['None'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
      expect(validateService(headless)).toEqual([]);
      // kube's initIPFamilyFields special case: headless and selectorless defaults to dual-stack, even on a single-stack cluster.
      expect(defaultService(svc({ clusterIP: 'None', ports: [{ port: 80 }] })).spec).toMatchObject({ ipFamilies: ['IPv4', 'IPv6'], ipFamilyPolicy: 'RequireDualStack' });
      expect(defaultService(svc({ clusterIP: 'None', ipFamilyPolicy: 'SingleStack' })).spec).toMatchObject({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    });

    it('gives an ExternalName Service sessionAffinity None and no cluster IP, IP families or traffic policy', () => {
      const ext = defaultService(svc({ type: 'ExternalName', externalName: 'db.example.com' }));
      expect(ext.spec).toEqual({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
      expect(validateService(ext)).toEqual([]);
    });

    it('refuses cluster IPs and IP families on an ExternalName Service', () => {
      const ext = defaultService(svc({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '127.202.3.3', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }));
      expect(validateService(ext)).toEqual(['spec.clusterIPs', 'spec.ipFamilies', 'spec.ipFamilyPolicy'].map((field) => ({
        field, reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for ExternalName services',
      })));
    });
  });

  describe('node ports', () => {
    const np = (nodePort?: number, extra: any = {}) => ({ port: 80, ...(nodePort ? { nodePort } : {}), ...extra });

    it('refuses a node port another Service holds, in any namespace, as kube-apiserver words it', () => {
      const ctx = { readModel: modelWith(svc({ type: 'NodePort', clusterIP: '127.202.1.1', ports: [np(31219)] }, 'other', 'elsewhere')), serviceCIDR: '127.202.0.0/16' };
      const { causes } = create(svc({ type: 'NodePort', ports: [np(31219)] }), ctx);
      expect(causes).toEqual([{ field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31219: provided port is already allocated' }]);
      // Its health check node port too; a free one is fine.
      const hc = { readModel: modelWith(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31300, clusterIP: '127.202.1.1', ports: [np(31219)] }, 'lb')), serviceCIDR: '127.202.0.0/16' };
      expect(create(svc({ type: 'NodePort', ports: [np(31300)] }), hc).causes[0].message).toBe('Invalid value: 31300: provided port is already allocated');
      expect(create(svc({ type: 'NodePort', ports: [np(31220)] }), ctx)).toMatchObject({ causes: [], svc: { spec: { ports: [{ nodePort: 31220 }] } } });
    });

    it('refuses a node port outside 30000-32767', () => {
      expect(create(svc({ type: 'NodePort', ports: [np(20000)] }), loopback).causes).toEqual([{
        field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 20000: provided port is not in the valid range. The range of valid ports is 30000-32767',
      }]);
    });

    it('within one Service: shares one node port between a port\'s protocols, refuses it for two port numbers or twice for a protocol', () => {
      const shared = create(svc({ type: 'NodePort', ports: [np(31500, { name: 'tcp' }), np(undefined, { name: 'udp', protocol: 'UDP' })] }), loopback);
      expect(shared.causes).toEqual([]);
      expect(shared.svc.spec.ports.map((p: any) => p.nodePort)).toEqual([31500, 31500]);
      // At create kube's allocator takes the port for the first and refuses it for the second, before validation.
      const two = create(svc({ type: 'NodePort', ports: [np(31500, { name: 'a' }), { name: 'b', port: 81, nodePort: 31500 }] }), loopback);
      expect(two.causes).toEqual([{ field: 'spec.ports[1].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31500: provided port is already allocated' }]);
      // Validation (an update adding a second port on the same node port): the duplicate, protocol by protocol.
      const dup = defaultService(svc({ type: 'NodePort', ports: [np(31500, { name: 'a' })] }));
      dup.spec.ports.push({ name: 'b', port: 81, nodePort: 31500, protocol: 'TCP', targetPort: 81 }, { name: 'c', port: 82, nodePort: 31500, protocol: 'UDP', targetPort: 82 });
      expect(validateService(dup)).toEqual([{ field: 'spec.ports[1].nodePort', reason: 'FieldValueDuplicate', message: 'Duplicate value: 31500' }]);
    });

    it('never auto-assigns a node port another Service holds', () => {
      const held = new Set<number>();
      for (let p = 30000; p <= 32767; p++) if (p !== 31999) held.add(p);
      for (let i = 0; i < 20; i++) expect(allocateNodePort(held)).toBe(31999);
      held.add(31999);
      expect(allocateNodePort(held)).toBeUndefined();
      // Through the read model: all but two ports held, a two-port Service gets exactly those two.
      const others = Array.from({ length: 2768 }, (_, i) => 30000 + i).filter((p) => p !== 30007 && p !== 32001);
      const ctx = { readModel: modelWith(...others.map((p) => svc({ type: 'NodePort', clusterIP: 'None', ports: [np(p)] }, `s${p}`))), serviceCIDR: '127.202.0.0/16' };
      const made = create(svc({ type: 'NodePort', ports: [np(undefined, { name: 'a' }), { name: 'b', port: 81 }] }), ctx);
      expect(made.causes).toEqual([]);
      expect(made.svc.spec.ports.map((p: any) => p.nodePort).sort()).toEqual([30007, 32001]);
      expect(create(svc({ type: 'NodePort', ports: [np(), { name: 'b', port: 81 }, { name: 'c', port: 82 }] }), ctx).causes).toEqual([
        { field: 'spec.ports', reason: 'FieldValueInvalid', message: 'Invalid value: "": failed to allocate a nodePort: range is full' },
      ]);
    });

    it('on update: keeps its own node ports, refuses a new one another Service holds, assigns free ones', () => {
      const ctx = { readModel: modelWith(svc({ type: 'NodePort', clusterIP: '127.202.1.1', ports: [np(31219)] }, 'other')), serviceCIDR: '127.202.0.0/16' };
      const old = create(svc({ type: 'NodePort', ports: [np(31400, { name: 'http' })] }), ctx).svc;
      // kubectl apply of a manifest without node ports: matched by name, kept.
      expect(update(old, svc({ type: 'NodePort', ports: [{ name: 'http', port: 8080 }] }), ctx)).toMatchObject({ causes: [], svc: { spec: { ports: [{ nodePort: 31400 }] } } });
      expect(update(old, svc({ type: 'NodePort', ports: [np(31219, { name: 'http' })] }), ctx).causes).toEqual([
        { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31219: provided port is already allocated' },
      ]);
      const grown = update(old, svc({ type: 'NodePort', ports: [np(31400, { name: 'http' }), { name: 'https', port: 443 }] }), ctx);
      expect(grown.causes).toEqual([]);
      expect(grown.svc.spec.ports[1].nodePort).not.toBe(31219);
      expect(grown.svc.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
      // ClusterIP to NodePort: fresh ones.
      const plain = create(svc({ ports: [np()] }), ctx).svc;
      expect(update(plain, { ...structuredClone(plain), spec: { ...structuredClone(plain.spec), type: 'NodePort' } }, ctx).svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    });
  });

  describe('externalTrafficPolicy Local and its health check node port', () => {
    const local = (extra: any = {}) => svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }], ...extra }, 'lb');
    const patched = (old: any, spec: any) => ({ ...structuredClone(old), spec: { ...structuredClone(old.spec), ...spec } });

    it('allocates one from the node port range to a LoadBalancer with Local, apart from its node ports, and none otherwise', () => {
      const made = create(local(), loopback);
      expect(made.causes).toEqual([]);
      const hc = made.svc.spec.healthCheckNodePort;
      expect(hc).toBeGreaterThanOrEqual(30000);
      expect(hc).toBeLessThanOrEqual(32767);
      expect(hc).not.toBe(made.svc.spec.ports[0].nodePort);
      expect(create(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }), loopback).svc.spec).toMatchObject({ externalTrafficPolicy: 'Cluster' });
      expect(create(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }), loopback).svc.spec.healthCheckNodePort).toBeUndefined();
      expect(create(svc({ type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }), loopback).svc.spec.healthCheckNodePort).toBeUndefined();
      // With every port but one held, that one goes to the node port and the health check finds the range full.
      const others = Array.from({ length: 2768 }, (_, i) => 30000 + i).filter((p) => p !== 30007);
      const full = { readModel: modelWith(...others.map((p) => svc({ type: 'NodePort', clusterIP: 'None', ports: [{ port: 80, nodePort: p }] }, `s${p}`))), serviceCIDR: '127.202.0.0/16' };
      expect(create(local(), full).causes).toEqual([
        { field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 0: failed to allocate a HealthCheck NodePort 0: range is full' },
      ]);
    });

    it('checks a chosen one as a node port: in range, held by no other Service\'s node ports or health check, nor its own node port', () => {
      const ctx = { readModel: modelWith(
        svc({ type: 'NodePort', clusterIP: '127.202.1.1', ports: [{ port: 80, nodePort: 31219 }] }, 'np', 'elsewhere'),
        svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31300, clusterIP: '127.202.1.2', ports: [{ port: 80, nodePort: 31301 }] }, 'other'),
      ), serviceCIDR: '127.202.0.0/16' };
      const refused = (healthCheckNodePort: number, ports = [{ name: 'http', port: 80 }]) => create(local({ healthCheckNodePort, ports }), ctx).causes;
      expect(refused(31219)).toEqual([{ field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31219: failed to allocate requested HealthCheck NodePort 31219: provided port is already allocated' }]);
      expect(refused(31300)[0].message).toBe('Invalid value: 31300: failed to allocate requested HealthCheck NodePort 31300: provided port is already allocated');
      expect(refused(31400, [{ name: 'http', port: 80, nodePort: 31400 } as any])[0].message).toBe('Invalid value: 31400: failed to allocate requested HealthCheck NodePort 31400: provided port is already allocated');
      expect(refused(20000)[0].message).toBe('Invalid value: 20000: failed to allocate requested HealthCheck NodePort 20000: provided port is not in the valid range. The range of valid ports is 30000-32767');
      expect(create(local({ healthCheckNodePort: 31500 }), ctx)).toMatchObject({ causes: [], svc: { spec: { healthCheckNodePort: 31500 } } });
    });

    it('keeps it on an update that leaves it out, refuses a change, frees it when the policy or type changes away', () => {
      const old = create(local(), loopback).svc;
      const hc = old.spec.healthCheckNodePort;
      // kubectl apply of the manifest: no healthCheckNodePort in it.
      expect(update(old, local(), loopback)).toMatchObject({ causes: [], svc: { spec: { healthCheckNodePort: hc } } });
      const other = hc === 32767 ? 32766 : hc + 1;
      expect(update(old, patched(old, { healthCheckNodePort: other }), loopback).causes).toEqual([{ field: 'spec.healthCheckNodePort', reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable' }]);
      const cluster = update(old, patched(old, { externalTrafficPolicy: 'Cluster' }), loopback);
      expect(cluster.causes).toEqual([]);
      expect(cluster.svc.spec.healthCheckNodePort).toBeUndefined();
      const nodePort = update(old, patched(old, { type: 'NodePort' }), loopback);
      expect(nodePort.causes).toEqual([]);
      expect(nodePort.svc.spec).toMatchObject({ externalTrafficPolicy: 'Local' });
      expect(nodePort.svc.spec.healthCheckNodePort).toBeUndefined();
      // Freed: another Service may take it once the first, now Cluster, is stored so; not while the first holds it.
      const second = (first: any) => create(svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hc, ports: [{ port: 80 }] }, 'second'), { readModel: modelWith(first), serviceCIDR: '127.202.0.0/16' }).causes;
      expect(second(cluster.svc)).toEqual([]);
      expect(second(old)[0].message).toBe(`Invalid value: ${hc}: failed to allocate requested HealthCheck NodePort ${hc}: provided port is already allocated`);
    });

    it('allocates one when an update turns Local on, checking one the client chose', () => {
      const held = { readModel: modelWith(svc({ type: 'NodePort', clusterIP: '127.202.1.1', ports: [{ port: 80, nodePort: 31219 }] }, 'np')), serviceCIDR: '127.202.0.0/16' };
      const old = create(svc({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }] }, 'lb'), held).svc;
      const turned = update(old, patched(old, { externalTrafficPolicy: 'Local' }), held);
      expect(turned.causes).toEqual([]);
      expect(turned.svc.spec.healthCheckNodePort).toBeGreaterThanOrEqual(30000);
      expect(turned.svc.spec.healthCheckNodePort).not.toBe(31219);
      expect(update(old, patched(old, { externalTrafficPolicy: 'Local', healthCheckNodePort: 31219 }), held).causes).toEqual([
        { field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31219: failed to allocate requested HealthCheck NodePort 31219: provided port is already allocated' },
      ]);
    });

    it('refuses bad traffic policies and a health check node port where it has no meaning, in kube-apiserver\'s words', () => {
      const causes = (spec: any) => create(svc({ ports: [{ port: 80 }], ...spec }), loopback).causes;
      expect(causes({ type: 'NodePort', healthCheckNodePort: 31234 })).toEqual([
        { field: 'spec.healthCheckNodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31234: may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\'' },
      ]);
      expect(causes({ type: 'LoadBalancer', healthCheckNodePort: 31234 })[0].field).toBe('spec.healthCheckNodePort');
      expect(causes({ type: 'LoadBalancer', externalTrafficPolicy: 'x' })).toEqual([
        { field: 'spec.externalTrafficPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "x": supported values: "Cluster", "Local"' },
      ]);
      expect(causes({ internalTrafficPolicy: 'Node' })).toEqual([
        { field: 'spec.internalTrafficPolicy', reason: 'FieldValueNotSupported', message: 'Unsupported value: "Node": supported values: "Cluster", "Local"' },
      ]);
      expect(causes({ externalTrafficPolicy: 'Local' })).toEqual([
        { field: 'spec.externalTrafficPolicy', reason: 'FieldValueInvalid', message: 'Invalid value: "Local": may only be set for externally-accessible services' },
      ]);
      expect(causes({ externalTrafficPolicy: 'Local', externalIPs: ['192.0.2.7'] })).toEqual([]);
      expect(causes({ internalTrafficPolicy: 'Local' })).toEqual([]);
    });
  });

  describe('type changes (kube\'s dropTypeDependentFields)', () => {
    const ctx = () => ({ readModel: new ReadModel(), serviceCIDR: '10.97.0.0/16' });
    /** `kubectl patch svc -p '{"spec":{...}}'`: the stored object with the patch merged in. */
    const patched = (old: any, spec: any) => ({ ...structuredClone(old), spec: { ...structuredClone(old.spec), ...spec } });

    it('clears node ports going from NodePort or LoadBalancer to ClusterIP, when the update left them as they were', () => {
      for (const type of ['NodePort', 'LoadBalancer']) {
        const c = ctx();
        const old = create(svc({ type, ports: [{ port: 80 }] }), c).svc;
        const { svc: next, causes } = update(old, patched(old, { type: 'ClusterIP' }), c);
        expect(causes).toEqual([]);
        expect(next.spec.ports[0].nodePort).toBeUndefined();
        expect(next.spec.externalTrafficPolicy).toBeUndefined();
        expect(next.spec.clusterIP).toBe(old.spec.clusterIP);
      }
    });

    it('keeps a node port the update changed, and refuses it on ClusterIP', () => {
      const c = ctx();
      const old = create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }), c).svc;
      const next = patched(old, { type: 'ClusterIP' });
      next.spec.ports[0].nodePort = 31001;
      expect(update(old, next, c).causes).toEqual([{ field: 'spec.ports[0].nodePort', reason: 'FieldValueForbidden', message: 'Forbidden: may not be used when `type` is \'ClusterIP\'' }]);
    });

    it('clears the cluster IPs, IP families and policy going to ExternalName, and frees the address', () => {
      const c = ctx();
      const old = create(svc({ type: 'NodePort', ports: [{ port: 80 }] }), c).svc;
      const { svc: next, causes } = update(old, patched(old, { type: 'ExternalName', externalName: 'db.example.com' }), c);
      expect(causes).toEqual([]);
      for (const f of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy', 'externalTrafficPolicy']) expect(next.spec[f]).toBeUndefined();
      expect(next.spec.ports[0].nodePort).toBeUndefined();
      // Once written, another Service may take the address.
      const after = { readModel: modelWith(next), serviceCIDR: '10.97.0.0/16' };
      expect(create(svc({ clusterIP: old.spec.clusterIP, ports: [{ port: 80 }] }, 'other'), after).causes).toEqual([]);
    });

    it('refuses a cluster IP the update changed while going to ExternalName', () => {
      const c = ctx();
      const old = create(svc({ ports: [{ port: 80 }] }), c).svc;
      const next = patched(old, { type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.97.9.9', clusterIPs: ['10.97.9.9'] });
      expect(update(old, next, c).causes).toEqual([
        { field: 'spec.clusterIPs', reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for ExternalName services' },
      ]);
    });

    it('allocates a cluster IP leaving ExternalName, refusing a chosen one that is held', () => {
      const c = { readModel: modelWith(svc({ clusterIP: '10.97.4.4', clusterIPs: ['10.97.4.4'], ports: [{ port: 80 }] }, 'db')), serviceCIDR: '10.97.0.0/16' };
      const old = create(svc({ type: 'ExternalName', externalName: 'db.example.com' }), c).svc;
      const { svc: next, causes } = update(old, patched(old, { type: 'ClusterIP', externalName: undefined, ports: [{ port: 80 }] }), c);
      expect(causes).toEqual([]);
      expect(next.spec).toMatchObject({ clusterIPs: [next.spec.clusterIP], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', internalTrafficPolicy: 'Cluster' });
      expect(next.spec.clusterIP).toMatch(/^10\.97\./);
      expect(update(old, patched(old, { type: 'ClusterIP', clusterIP: '10.97.4.4', ports: [{ port: 80 }] }), c).causes).toEqual([{
        field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"10.97.4.4"}: failed to allocate IP 10.97.4.4: provided IP is already allocated',
      }]);
    });
  });

  describe('allocateLoadBalancerNodePorts', () => {
    const ctx = () => ({ readModel: new ReadModel(), serviceCIDR: '10.97.0.0/16' });
    const patched = (old: any, spec: any) => ({ ...structuredClone(old), spec: { ...structuredClone(old.spec), ...spec } });
    const lb = (extra: any = {}) => svc({ type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }], ...extra });
    const nodePorts = (s: any) => s.spec.ports.map((p: any) => p.nodePort);
    const forbidden = { field: 'spec.allocateLoadBalancerNodePorts', reason: 'FieldValueForbidden', message: 'Forbidden: may only be used when `type` is \'LoadBalancer\'' };

    it('defaults to true for a LoadBalancer only, which then gets a node port for every port', () => {
      const made = create(lb(), ctx());
      expect(made.causes).toEqual([]);
      expect(made.svc.spec.allocateLoadBalancerNodePorts).toBe(true);
      for (const port of nodePorts(made.svc)) expect(port >= 30000 && port <= 32767).toBe(true);
      for (const type of ['ClusterIP', 'NodePort']) expect(create(svc({ type, ports: [{ port: 80 }] }), ctx()).svc.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
    });

    it('when false, gives no node port to a port that names none and holds the one a port names', () => {
      const c = ctx();
      const made = create(lb({ allocateLoadBalancerNodePorts: false }), c);
      expect(made.causes).toEqual([]);
      expect(made.svc.spec.allocateLoadBalancerNodePorts).toBe(false);
      for (const p of made.svc.spec.ports) expect(p).not.toHaveProperty('nodePort');

      const named = create(lb({ allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80, nodePort: 31080 }, { name: 'https', port: 443 }] }), c);
      expect(named.causes).toEqual([]);
      expect(nodePorts(named.svc)).toEqual([31080, undefined]);
      // Allocated, not just kept: another Service cannot have it, and a chosen one is still checked.
      const after = { readModel: modelWith({ ...named.svc, metadata: { name: 'named', namespace: 'ns' } }), serviceCIDR: '10.97.0.0/16' };
      expect(create(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 31080 }] }, 'other'), after).causes).toEqual([
        { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31080: provided port is already allocated' },
      ]);
      expect(create(lb({ allocateLoadBalancerNodePorts: false, ports: [{ port: 80, nodePort: 20000 }] }), c).causes).toEqual([
        { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 20000: provided port is not in the valid range. The range of valid ports is 30000-32767' },
      ]);
    });

    it('on an update from false to true, gives node ports to the ports without one and keeps the named one', () => {
      const c = ctx();
      const old = create(lb({ allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80, nodePort: 31080 }, { name: 'https', port: 443 }] }), c).svc;
      const { svc: next, causes } = update(old, patched(old, { allocateLoadBalancerNodePorts: true }), c);
      expect(causes).toEqual([]);
      expect(next.spec.ports[0].nodePort).toBe(31080);
      expect(next.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
      expect(next.spec.ports[1].nodePort).toBeLessThanOrEqual(32767);
      expect(next.spec.ports[1].nodePort).not.toBe(31080);
      // A replace (kubectl replace) of a manifest that leaves the field out: defaulted to true, so allocated too.
      const replaced = update(old, lb({ ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }), c).svc;
      expect(replaced.spec.allocateLoadBalancerNodePorts).toBe(true);
      expect(replaced.spec.ports[0].nodePort).toBe(31080);
      expect(replaced.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
    });

    it('on an update from true to false, keeps the node ports already allocated and gives a new port none', () => {
      const c = ctx();
      const old = create(lb(), c).svc;
      const { svc: next, causes } = update(old, patched(old, { allocateLoadBalancerNodePorts: false }), c);
      expect(causes).toEqual([]);
      expect(next.spec.allocateLoadBalancerNodePorts).toBe(false);
      expect(nodePorts(next)).toEqual(nodePorts(old));
      // kubectl apply of the manifest with a third port: the two node ports kept by name, the new port without one.
      const grown = update(next, lb({ allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }, { name: 'alt', port: 8080 }] }), c);
      expect(grown.causes).toEqual([]);
      expect(nodePorts(grown.svc)).toEqual([...nodePorts(old), undefined]);
      expect(grown.svc.spec.ports[2]).not.toHaveProperty('nodePort');
    });

    it('is refused on any type but LoadBalancer, as kube-apiserver words it', () => {
      for (const [type, extra] of [['ClusterIP', {}], ['NodePort', {}], ['ExternalName', { externalName: 'db.example.com' }]] as const) {
        for (const value of [true, false]) {
          const { causes } = create(svc({ type, ports: [{ port: 80 }], allocateLoadBalancerNodePorts: value, ...extra }), ctx());
          expect(causes).toEqual([forbidden]);
        }
      }
    });

    it('is cleared with the type leaving LoadBalancer, unless the update changed it; a Service becoming one takes the default or what it says', () => {
      const c = ctx();
      const old = create(lb({ allocateLoadBalancerNodePorts: false, ports: [{ name: 'http', port: 80, nodePort: 31080 }, { name: 'https', port: 443 }] }), c).svc;
      const plain = update(old, patched(old, { type: 'ClusterIP' }), c);
      expect(plain.causes).toEqual([]);
      expect(plain.svc.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
      expect(nodePorts(plain.svc)).toEqual([undefined, undefined]);
      // To NodePort: cleared, and every port has a node port again, the named one kept.
      const np = update(old, patched(old, { type: 'NodePort' }), c);
      expect(np.causes).toEqual([]);
      expect(np.svc.spec).not.toHaveProperty('allocateLoadBalancerNodePorts');
      expect(np.svc.spec.ports[0].nodePort).toBe(31080);
      expect(np.svc.spec.ports[1].nodePort).toBeGreaterThanOrEqual(30000);
      // Changed in the same update: the client's, and refused.
      expect(update(old, patched(old, { type: 'ClusterIP', allocateLoadBalancerNodePorts: true }), c).causes).toEqual([forbidden]);

      const cip = create(svc({ ports: [{ name: 'http', port: 80 }] }), c).svc;
      const without = update(cip, patched(cip, { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }), c);
      expect(without.causes).toEqual([]);
      expect(without.svc.spec.ports[0]).not.toHaveProperty('nodePort');
      const withPorts = update(cip, patched(cip, { type: 'LoadBalancer' }), c);
      expect(withPorts.svc.spec.allocateLoadBalancerNodePorts).toBe(true);
      expect(withPorts.svc.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30000);
    });
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
          field: 'spec.clusterIPs', reason: 'FieldValueInvalid',
          message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is 10.97.0.0/16`,
        }]);
      }
    });

    it('refuses an address already held by a Service of any namespace, or the cluster DNS address', () => {
      const ctx = { readModel: modelWith(svc({ clusterIP: '10.97.3.4', clusterIPs: ['10.97.3.4'], ports: [{ port: 80 }] }, 'db', 'elsewhere')), serviceCIDR: range };
      for (const ip of ['10.97.3.4', '10.97.0.10']) {
        expect(create(svc({ clusterIP: ip, ports: [{ port: 80 }] }), ctx).causes).toEqual([{
          field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated`,
        }]);
      }
    });

    it('keeps the first address of the range for the kubernetes Service in default', () => {
      const ctx = { readModel: new ReadModel(), serviceCIDR: range };
      const refusal = [{ field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: 'Invalid value: []string{"10.97.0.1"}: failed to allocate IP 10.97.0.1: provided IP is already allocated' }];
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

    it('answers a full range with a 422 in kube-apiserver\'s words (kube\'s own answer is a 500)', () => {
      const full = modelWith(...Array.from({ length: 254 }, (_, i) => i + 1).filter((i) => i !== 10).map((i) => svc({ clusterIP: `10.97.0.${i}`, ports: [{ port: 80 }] }, `s${i}`)));
      const { causes } = create(svc({ ports: [{ port: 80 }] }), { readModel: full, serviceCIDR: '10.97.0.0/24' });
      expect(causes).toEqual([{ field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: 'Invalid value: "": failed to allocate a serviceIP: range is full' }]);
    });
  });
});
