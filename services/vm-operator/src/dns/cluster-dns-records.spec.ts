import { ENDPOINT_SLICES_RESOURCE, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { podServiceEndpoints } from '../pod-services/pod-endpoints';
import { answerQuestion } from './cluster-dns-records';
import { DnsRcode, DnsType } from './dns-message';

let position = 0n;
function feed(model: ReadModel, resource: string, object: any, type: string = ObjectEventTypes.created): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: Number(position),
    type, data: { resource, object }, metadata: { actor: 'test', source: 'test' }, position, transactionId: 1n, createdAt: new Date(),
  } as RecordedEvent);
}

const service = (ns: string, name: string, spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec });
const slice = (ns: string, svc: string, endpoints: Array<{ ip: string; ready?: boolean; hostname?: string }>) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { namespace: ns, name: svc, labels: { [SERVICE_NAME_LABEL]: svc } },
  endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: e.ready === undefined ? {} : { ready: e.ready }, ...(e.hostname ? { hostname: e.hostname } : {}) })),
});

function model(): ReadModel {
  const m = new ReadModel();
  feed(m, SERVICES_RESOURCE, service('shop', 'web', { type: 'ClusterIP', clusterIP: '10.97.3.4' }));
  feed(m, SERVICES_RESOURCE, service('shop', 'db', { type: 'ClusterIP', clusterIP: 'None' }));
  feed(m, ENDPOINT_SLICES_RESOURCE, slice('shop', 'db', [{ ip: '10.65.1.5', ready: true }, { ip: '10.65.1.6', ready: false }, { ip: '10.65.1.7' }]));
  return m;
}

const ask = (m: ReadModel, name: string, type: number = DnsType.A) => answerQuestion(m, { name, type, class: 1 });

describe('cluster DNS answers', () => {
  it('answers a Service name with its cluster IP, whatever the case of the question', () => {
    expect(ask(model(), 'web.shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: ['10.97.3.4'] });
    expect(ask(model(), 'WEB.Shop.svc.cluster.local.').addresses).toEqual(['10.97.3.4']);
  });

  it('answers a headless Service with the addresses of its Ready endpoints', () => {
    expect(ask(model(), 'db.shop.svc.cluster.local').addresses.sort()).toEqual(['10.65.1.5', '10.65.1.7']);
  });

  it("answers an ExternalName Service with a CNAME to its name, followed to addresses within the cluster, as CoreDNS", () => {
    const m = model();
    feed(m, SERVICES_RESOURCE, service('shop', 'alias', { type: 'ExternalName', externalName: 'web.shop.svc.cluster.local' }));
    feed(m, SERVICES_RESOURCE, service('shop', 'twice', { type: 'ExternalName', externalName: 'Alias.shop.svc.cluster.local.' }));
    feed(m, SERVICES_RESOURCE, service('shop', 'outside', { type: 'ExternalName', externalName: 'db.example.com' }));
    feed(m, SERVICES_RESOURCE, service('shop', 'loop', { type: 'ExternalName', externalName: 'loop.shop.svc.cluster.local' }));
    expect(ask(m, 'alias.shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: ['10.97.3.4'], aliases: ['web.shop.svc.cluster.local'] });
    expect(ask(m, 'twice.shop.svc.cluster.local')).toMatchObject({ addresses: ['10.97.3.4'], aliases: ['alias.shop.svc.cluster.local', 'web.shop.svc.cluster.local'] });
    // An outside name is the client's to look up; another type gets the CNAME without addresses; CNAME only the first.
    expect(ask(m, 'outside.shop.svc.cluster.local')).toMatchObject({ rcode: DnsRcode.NOERROR, addresses: [], aliases: ['db.example.com'] });
    expect(ask(m, 'alias.shop.svc.cluster.local', DnsType.AAAA)).toMatchObject({ addresses: [], aliases: ['web.shop.svc.cluster.local'] });
    expect(ask(m, 'twice.shop.svc.cluster.local', DnsType.CNAME)).toMatchObject({ addresses: [], aliases: ['alias.shop.svc.cluster.local'] });
    // A loop of ExternalName Services ends after eight names.
    expect(ask(m, 'loop.shop.svc.cluster.local').aliases).toHaveLength(8);
    // Its endpoint names do not exist, as in CoreDNS.
    expect(ask(m, 'x.alias.shop.svc.cluster.local').rcode).toBe(DnsRcode.NXDOMAIN);
  });

  it('answers a pod name with the address it spells', () => {
    expect(ask(model(), '10-65-1-5.shop.pod.cluster.local').addresses).toEqual(['10.65.1.5']);
    expect(ask(model(), '10-65-1-999.shop.pod.cluster.local').rcode).toBe(DnsRcode.NXDOMAIN);
  });

  it('gives an empty NOERROR for other types of a known name, NXDOMAIN for unknown cluster names', () => {
    expect(ask(model(), 'web.shop.svc.cluster.local', DnsType.AAAA)).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: [] });
    expect(ask(model(), 'shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: [] });
    for (const name of ['nope.shop.svc.cluster.local', 'web.other.svc.cluster.local', 'web.shop.svc.cluster.local.shop.svc.cluster.local', 'x.cluster.local']) {
      expect(ask(model(), name)).toEqual({ rcode: DnsRcode.NXDOMAIN, authoritative: true, addresses: [] });
    }
  });

  it('answers a StatefulSet pod by its hostname under its Service: Ready endpoints only, NXDOMAIN for any other', () => {
    const m = model();
    feed(m, SERVICES_RESOURCE, service('shop', 'pg', { type: 'ClusterIP', clusterIP: 'None' }));
    feed(m, ENDPOINT_SLICES_RESOURCE, slice('shop', 'pg', [{ ip: '10.65.2.1', ready: true, hostname: 'pg-0' }, { ip: '10.65.2.2', ready: false, hostname: 'pg-1' }, { ip: '10.65.2.3', hostname: 'pg-2' }]));
    expect(ask(m, 'pg-0.pg.shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: ['10.65.2.1'] });
    expect(ask(m, 'PG-2.pg.shop.svc.cluster.local.').addresses).toEqual(['10.65.2.3']);
    expect(ask(m, 'pg-0.pg.shop.svc.cluster.local', DnsType.AAAA)).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: [] });
    expect(ask(m, 'pg.shop.svc.cluster.local').addresses.sort()).toEqual(['10.65.2.1', '10.65.2.3']);
    // A not-ready pod's name is gone as its address is from the Service's name (the Service does not publish not-ready addresses).
    for (const name of ['pg-1.pg.shop.svc.cluster.local', 'pg-9.pg.shop.svc.cluster.local', 'pg-0.db.shop.svc.cluster.local', 'pg-0.nope.shop.svc.cluster.local', 'pg-0.pg.other.svc.cluster.local', 'x.pg-0.pg.shop.svc.cluster.local']) {
      expect(ask(m, name)).toEqual({ rcode: DnsRcode.NXDOMAIN, authoritative: true, addresses: [] });
    }
  });

  it('names a StatefulSet\'s members before they are Ready when the headless Service publishes not-ready addresses', () => {
    const member = (i: number, opts: { ready: boolean; deleting?: boolean }) => ({
      metadata: { namespace: 'shop', name: `pg-${i}`, uid: `u${i}`, labels: { app: 'pg' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
      spec: { hostname: `pg-${i}`, subdomain: 'pg', containers: [{ name: 'pg' }] },
      status: { phase: 'Running', podIP: `10.65.2.${i + 1}`, conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False' }] },
    });
    const members = [member(0, { ready: false }), member(1, { ready: false }), member(2, { ready: true, deleting: true })];
    // The slice as vm-operator's endpointslice controller writes it from the pods, for each setting of the flag.
    const answers = (publishNotReadyAddresses: boolean) => {
      const m = model();
      const svc = service('shop', 'pg', { type: 'ClusterIP', clusterIP: 'None', selector: { app: 'pg' }, ports: [{ port: 5432 }], publishNotReadyAddresses });
      feed(m, SERVICES_RESOURCE, svc);
      const { endpoints, ports } = podServiceEndpoints(svc, members);
      feed(m, ENDPOINT_SLICES_RESOURCE, { ...slice('shop', 'pg', []), endpoints, ports });
      return (name: string) => ask(m, name);
    };
    const published = answers(true);
    expect(published('pg-1.pg.shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: ['10.65.2.2'] });
    expect(published('pg-2.pg.shop.svc.cluster.local').addresses).toEqual(['10.65.2.3']);
    expect(published('pg.shop.svc.cluster.local').addresses.sort()).toEqual(['10.65.2.1', '10.65.2.2', '10.65.2.3']);
    const strict = answers(false);
    for (const name of ['pg-0.pg.shop.svc.cluster.local', 'pg-2.pg.shop.svc.cluster.local']) expect(strict(name).rcode).toBe(DnsRcode.NXDOMAIN);
    expect(strict('pg.shop.svc.cluster.local')).toEqual({ rcode: DnsRcode.NOERROR, authoritative: true, addresses: [] });
  });

  it('answers an endpoint without hostname by its dashed address, and endpoint names of a cluster-IP Service, as CoreDNS', () => {
    const m = model();
    expect(ask(m, '10-65-1-5.db.shop.svc.cluster.local').addresses).toEqual(['10.65.1.5']);
    expect(ask(m, '10-65-1-6.db.shop.svc.cluster.local').rcode).toBe(DnsRcode.NXDOMAIN);
    feed(m, ENDPOINT_SLICES_RESOURCE, slice('shop', 'web', [{ ip: '10.65.3.1', hostname: 'web-0' }]));
    expect(ask(m, 'web-0.web.shop.svc.cluster.local').addresses).toEqual(['10.65.3.1']);
    expect(ask(m, 'web.shop.svc.cluster.local').addresses).toEqual(['10.97.3.4']);
    feed(m, SERVICES_RESOURCE, service('shop', 'ext', { type: 'ExternalName', externalName: 'example.com' }));
    feed(m, ENDPOINT_SLICES_RESOURCE, slice('shop', 'ext', [{ ip: '10.65.4.1', hostname: 'ext-0' }]));
    expect(ask(m, 'ext-0.ext.shop.svc.cluster.local').rcode).toBe(DnsRcode.NXDOMAIN);
  });

  it('answers a headless Service without a selector from the slices its manager writes for it, whatever their names', () => {
    const m = model();
    feed(m, SERVICES_RESOURCE, service('shop', 'legacy', { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
    const written = (name: string, endpoints: Array<{ ip: string; ready?: boolean }>) => ({ ...slice('shop', 'legacy', endpoints), metadata: { namespace: 'shop', name, labels: { [SERVICE_NAME_LABEL]: 'legacy' } } });
    feed(m, ENDPOINT_SLICES_RESOURCE, written('legacy-1', [{ ip: '192.168.7.10' }, { ip: '192.168.7.11', ready: false }]));
    feed(m, ENDPOINT_SLICES_RESOURCE, written('legacy-2', [{ ip: '192.168.7.12', ready: true }]));
    feed(m, ENDPOINT_SLICES_RESOURCE, { ...written('legacy-elsewhere', [{ ip: '192.168.7.13' }]), metadata: { namespace: 'other', name: 'legacy-elsewhere', labels: { [SERVICE_NAME_LABEL]: 'legacy' } } });
    expect(ask(m, 'legacy.shop.svc.cluster.local').addresses.sort()).toEqual(['192.168.7.10', '192.168.7.12']);
    expect(ask(m, '192-168-7-12.legacy.shop.svc.cluster.local').addresses).toEqual(['192.168.7.12']);
  });

  it('refuses names outside the cluster domain: there is no upstream', () => {
    for (const name of ['example.com', 'cluster.local.example.com', '4.3.97.10.in-addr.arpa']) {
      expect(ask(model(), name)).toEqual({ rcode: DnsRcode.REFUSED, authoritative: false, addresses: [] });
    }
  });

  it('forgets a deleted Service', () => {
    const m = model();
    feed(m, SERVICES_RESOURCE, service('shop', 'web', { type: 'ClusterIP', clusterIP: '10.97.3.4' }), ObjectEventTypes.deleted);
    expect(ask(m, 'web.shop.svc.cluster.local').rcode).toBe(DnsRcode.NXDOMAIN);
  });
});
