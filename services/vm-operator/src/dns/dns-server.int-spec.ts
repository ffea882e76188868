import { Resolver } from 'node:dns/promises';
import * as net from 'node:net';
import { ENDPOINT_SLICES_RESOURCE, ObjectEventTypes, objectStreamId, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { ReadModel } from '@openpacific/objects';
import { answerQuestion, CLUSTER_DNS_TTL } from './cluster-dns-records';
import { DnsServer } from './dns-server';

// A loopback address no other test or service uses, so the server can bind it whatever else runs on the machine.
const ADDRESS = '127.211.0.10';
const logger = { info: () => undefined, warn: () => undefined, debug: () => undefined };

let position = 0n;
function feed(model: ReadModel, resource: string, object: any): void {
  position += 1n;
  model.apply({
    id: `e${position}`, streamId: objectStreamId(resource, object.metadata.namespace, object.metadata.name), streamVersion: 1,
    type: ObjectEventTypes.created, data: { resource, object }, metadata: { actor: 'test', source: 'test' }, position, transactionId: 1n, createdAt: new Date(),
  } as RecordedEvent);
}

describe('the cluster DNS server', () => {
  const model = new ReadModel();
  const server = new DnsServer({ address: ADDRESS, port: 0, ttl: CLUSTER_DNS_TTL, answer: (q) => answerQuestion(model, q), logger });
  let resolver: Resolver;

  beforeAll(async () => {
    feed(model, SERVICES_RESOURCE, { metadata: { namespace: 'shop', name: 'web' }, spec: { type: 'ClusterIP', clusterIP: '10.97.3.4' } });
    feed(model, SERVICES_RESOURCE, { metadata: { namespace: 'shop', name: 'many' }, spec: { type: 'ClusterIP', clusterIP: 'None' } });
    feed(model, ENDPOINT_SLICES_RESOURCE, {
      metadata: { namespace: 'shop', name: 'many', labels: { [SERVICE_NAME_LABEL]: 'many' } }, addressType: 'IPv4',
      endpoints: Array.from({ length: 60 }, (_, i) => ({ addresses: [`10.65.1.${i + 1}`], conditions: { ready: true } })),
    });
    feed(model, SERVICES_RESOURCE, { metadata: { namespace: 'shop', name: 'alias' }, spec: { type: 'ExternalName', externalName: 'web.shop.svc.cluster.local' } });
    feed(model, SERVICES_RESOURCE, { metadata: { namespace: 'shop', name: 'outside' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    await server.start();
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`${ADDRESS}:${server.port}`]);
  });

  afterAll(() => server.stop());

  it('answers a Service name over UDP with its cluster IP and a 5 second TTL', async () => {
    await expect(resolver.resolve4('web.shop.svc.cluster.local', { ttl: true })).resolves.toEqual([{ address: '10.97.3.4', ttl: 5 }]);
  });

  it('answers a pod name with the address it spells', async () => {
    await expect(resolver.resolve4('10-65-1-5.shop.pod.cluster.local')).resolves.toEqual(['10.65.1.5']);
  });

  it('says NXDOMAIN for an unknown cluster name and nothing (NODATA) for AAAA of a known one', async () => {
    await expect(resolver.resolve4('nope.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve6('web.shop.svc.cluster.local')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('answers an ExternalName Service with a CNAME, and its A question with the addresses of a cluster name it leads to', async () => {
    await expect(resolver.resolveCname('alias.shop.svc.cluster.local')).resolves.toEqual(['web.shop.svc.cluster.local']);
    await expect(resolver.resolve4('alias.shop.svc.cluster.local', { ttl: true })).resolves.toEqual([{ address: '10.97.3.4', ttl: 5 }]);
    await expect(resolver.resolveCname('outside.shop.svc.cluster.local')).resolves.toEqual(['db.example.com']);
  });

  it('refuses names outside the cluster domain', async () => {
    await expect(resolver.resolve4('example.com')).rejects.toMatchObject({ code: 'EREFUSED' });
  });

  it('answers over TCP when the UDP answer is truncated', async () => {
    // 60 A records do not fit 512 bytes: the resolver sees TC and asks again over TCP.
    const all = await resolver.resolve4('many.shop.svc.cluster.local');
    expect(all.sort()).toEqual(Array.from({ length: 60 }, (_, i) => `10.65.1.${i + 1}`).sort());
  });

  it('keeps a TCP connection for several length-prefixed queries', async () => {
    const q = (id: number) => {
      const name = Buffer.from('\x03web\x04shop\x03svc\x07cluster\x05local\x00', 'latin1');
      const body = Buffer.concat([Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), name, Buffer.from([0, 1, 0, 1])]);
      return Buffer.concat([Buffer.from([0, body.length]), body]);
    };
    const socket = net.connect(server.port, ADDRESS);
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const done = new Promise<void>((resolve) => socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === 2) resolve();
    }));
    socket.write(Buffer.concat([q(1), q(2)]));
    await done;
    socket.destroy();
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([1, 2]);
    expect(replies.map((r) => [...r.subarray(r.length - 4)])).toEqual([[10, 97, 3, 4], [10, 97, 3, 4]]);
  });

  it('fails to start on an address that is not local, saying why', async () => {
    const elsewhere = new DnsServer({ address: '203.0.113.10', port: 0, ttl: 5, answer: (q) => answerQuestion(model, q), logger });
    await expect(elsewhere.start()).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
  });
});
