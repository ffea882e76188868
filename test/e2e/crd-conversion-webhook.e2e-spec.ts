import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * CustomResourceDefinitions converted by a webhook (`spec.conversion.strategy: Webhook`) through the real kubectl:
 * the test's own HTTPS conversion webhook on 127.0.0.1 turns `conv.example.com/v1` Backends (`spec.host`,
 * `spec.port`) into `v2` ones (`spec.address: "host:port"`) and back. Objects are stored at v1; every read, list,
 * watch and write at v2 goes through the webhook, and a webhook that fails fails the request with a 500.
 */

const GROUP = 'conv.example.com';

/** The ConversionReviews the webhook answered, in order, each with the Host it was sent to. */
const reviews: any[] = [];

function convert(obj: any, to: string): any {
  const out = { ...obj, apiVersion: to, spec: { ...obj.spec } };
  if (to === `${GROUP}/v2` && obj.apiVersion === `${GROUP}/v1`) {
    out.spec = { address: `${obj.spec.host}:${obj.spec.port}` };
  } else if (to === `${GROUP}/v1` && obj.apiVersion === `${GROUP}/v2`) {
    const [host, port] = String(obj.spec.address).split(':');
    out.spec = { host, port: Number(port) };
  }
  // A conversion may set labels and annotations; kube-apiserver keeps them.
  out.metadata = { ...obj.metadata, annotations: { ...(obj.metadata.annotations ?? {}), 'conv.example.com/converted-to': to } };
  return out;
}

function conversionServer(cert: { keyPem: string; certPem: string }): Server {
  return createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      reviews.push({ ...review, host: req.headers.host });
      const { uid, desiredAPIVersion, objects } = review.request;
      const broken = objects.find((o: any) => o.metadata.name === 'broken');
      const response = broken
        ? { uid, result: { status: 'Failure', message: 'cannot convert backend "broken"' } }
        : { uid, result: { status: 'Success' }, convertedObjects: objects.map((o: any) => convert(o, desiredAPIVersion)) };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: review.apiVersion, kind: 'ConversionReview', response }));
    });
  });
}

const version = (name: string, storage: boolean, spec: object) => ({
  name,
  served: true,
  storage,
  schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: spec } } } },
  additionalPrinterColumns: name === 'v2' ? [{ name: 'Address', type: 'string', jsonPath: '.spec.address' }] : [{ name: 'Host', type: 'string', jsonPath: '.spec.host' }],
});

describe('CRD conversion webhooks', () => {
  let cluster: TestCluster;
  let server: Server;
  let url: string;
  let port: number;
  let caBundle: string;
  const crd = (conversion: object) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `backends.${GROUP}` },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { plural: 'backends', singular: 'backend', kind: 'Backend', listKind: 'BackendList' },
      versions: [version('v1', true, { host: { type: 'string' }, port: { type: 'integer' } }), version('v2', false, { address: { type: 'string' } })],
      conversion,
    },
  });
  const backend = (apiVersion: string, name: string, spec: object) => ({ apiVersion: `${GROUP}/${apiVersion}`, kind: 'Backend', metadata: { name }, spec });

  beforeAll(async () => {
    const ca = await createCertificateAuthority('conversion-test-ca');
    const cert = await issueServingCertificate(ca, ['127.0.0.1', 'conv.convert.svc']);
    caBundle = Buffer.from(ca.certPem).toString('base64');
    server = conversionServer(cert);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    url = `https://127.0.0.1:${port}/convert`;
    cluster = await startCluster({ label: 'crdconversion', hostCount: 0 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    server?.close();
  }, 60_000);

  it('refuses a Webhook strategy without its webhook, an http URL and review versions it cannot send, writing nothing', async () => {
    const r1 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd({ strategy: 'Webhook' })) });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook');
    expect(r1.stderr).toContain('spec.conversion.conversionReviewVersions: Required value');
    const r2 = await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify(crd({ strategy: 'Webhook', webhook: { clientConfig: { url: url.replace('https:', 'http:') }, conversionReviewVersions: ['v2'] } })),
    });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain(`spec.conversion.webhookClientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme`);
    expect(r2.stderr).toContain('spec.conversion.conversionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1');
    expect((await cluster.kubectl(['get', 'crd', '-o', 'name'])).stdout).not.toContain('backends');
  }, 60_000);

  it('serves both versions once the CRD names its webhook; an object written at v1 reads at v2 through one ConversionReview', async () => {
    await kubectlApply(cluster, crd({ strategy: 'Webhook', webhook: { clientConfig: { url, caBundle }, conversionReviewVersions: ['v1', 'v1beta1'] } }));
    expect((await cluster.kubectl(['wait', '--for', 'condition=established', '--timeout=60s', `crd/backends.${GROUP}`])).code).toBe(0);
    await eventually(async () => expect((await cluster.kubectl(['get', 'backends'])).code).toBe(0), { timeoutMs: 30_000 });

    reviews.length = 0;
    await kubectlApply(cluster, backend('v1', 'db', { host: 'db', port: 5432 }));
    expect(reviews).toEqual([]); // written at its storage version: nothing to convert

    const v2 = await kubectlJson(cluster, ['get', `backends.v2.${GROUP}`, 'db']);
    expect(v2.apiVersion).toBe(`${GROUP}/v2`);
    expect(v2.spec).toEqual({ address: 'db:5432' });
    expect(v2.metadata.annotations['conv.example.com/converted-to']).toBe(`${GROUP}/v2`);
    const review = reviews[reviews.length - 1];
    expect(review).toMatchObject({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'ConversionReview', request: { desiredAPIVersion: `${GROUP}/v2` } });
    expect(review.request.objects.map((o: any) => [o.apiVersion, o.metadata.name, o.spec])).toEqual([[`${GROUP}/v1`, 'db', { host: 'db', port: 5432 }]]);

    // At v1 no webhook is asked.
    const before = reviews.length;
    expect((await kubectlJson(cluster, ['get', `backends.v1.${GROUP}`, 'db'])).spec).toEqual({ host: 'db', port: 5432 });
    expect(reviews.length).toBe(before);
  }, 90_000);

  it('stores an object written at v2 at v1, lists at v2 in one review, and prints v2 columns', async () => {
    await kubectlApply(cluster, backend('v2', 'cache', { address: 'cache:6379' }));
    expect((await kubectlJson(cluster, ['get', `backends.v1.${GROUP}`, 'cache'])).spec).toEqual({ host: 'cache', port: 6379 });

    reviews.length = 0;
    const list = await kubectlJson(cluster, ['get', `backends.v2.${GROUP}`]);
    expect(list.items.map((o: any) => [o.metadata.name, o.spec.address])).toEqual([['cache', 'cache:6379'], ['db', 'db:5432']]);
    expect(reviews).toHaveLength(1);
    expect(reviews[0].request.objects.map((o: any) => o.metadata.name)).toEqual(['cache', 'db']);

    const table = await cluster.kubectl(['get', `backends.v2.${GROUP}`]);
    expect(table.stdout).toMatch(/^NAME\s+ADDRESS\n/);
    expect(table.stdout).toMatch(/\ndb\s+db:5432\n/);

    // A patch at v2 goes to storage through the webhook too.
    expect((await cluster.kubectl(['patch', `backends.v2.${GROUP}`, 'db', '--type=merge', '-p', '{"spec":{"address":"db2:5433"}}'])).code).toBe(0);
    expect((await kubectlJson(cluster, ['get', `backends.v1.${GROUP}`, 'db'])).spec).toEqual({ host: 'db2', port: 5433 });
  }, 90_000);

  it('converts what a watch at v2 sends, in order', async () => {
    const r = await cluster.kubectl(['get', '--raw', `/apis/${GROUP}/v2/namespaces/default/backends?watch=true&timeoutSeconds=2`]);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec.address])).toEqual([
      ['ADDED', `${GROUP}/v2`, 'cache', 'cache:6379'],
      ['ADDED', `${GROUP}/v2`, 'db', 'db2:5433'],
    ]);
  }, 60_000);

  it('reaches the webhook through a selector-less Service and its EndpointSlice, by the name <service>.<namespace>.svc', async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'convert'])).code).toBe(0);
    await kubectlApply(cluster, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'conv', namespace: 'convert' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } });
    await kubectlApply(cluster, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'conv-1', namespace: 'convert', labels: { 'kubernetes.io/service-name': 'conv' } },
      addressType: 'IPv4', ports: [{ name: 'https', port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'] }],
    });
    await kubectlApply(cluster, crd({ strategy: 'Webhook', webhook: { clientConfig: { service: { namespace: 'convert', name: 'conv', path: '/convert' }, caBundle }, conversionReviewVersions: ['v1'] } }));
    const stored = await kubectlJson(cluster, ['get', 'crd', `backends.${GROUP}`]);
    expect(stored.spec.conversion.webhook.clientConfig.service).toEqual({ namespace: 'convert', name: 'conv', path: '/convert', port: 443 });
    reviews.length = 0;
    // Once the gateway serves the changed CRD and the Service's proxy listens, reads at v2 go through it.
    await eventually(async () => {
      expect((await kubectlJson(cluster, ['get', `backends.v2.${GROUP}`, 'cache'])).spec).toEqual({ address: 'cache:6379' });
      expect(reviews.map((r) => r.host)).toContain('conv.convert.svc');
    }, { timeoutMs: 30_000 });
  }, 60_000);

  it('fails a read at v2 with a 500 naming the webhook when it refuses or cannot be reached; v1 still reads', async () => {
    await kubectlApply(cluster, crd({ strategy: 'Webhook', webhook: { clientConfig: { url, caBundle }, conversionReviewVersions: ['v1', 'v1beta1'] } }));
    await eventually(async () => expect((await kubectlJson(cluster, ['get', 'crd', `backends.${GROUP}`])).spec.conversion.webhook.clientConfig.url).toBe(url));
    await kubectlApply(cluster, backend('v1', 'broken', { host: 'x', port: 1 }));
    const refused = await cluster.request('GET', `/apis/${GROUP}/v2/namespaces/default/backends/broken`);
    expect(refused.status).toBe(500);
    expect(refused.json()).toMatchObject({
      kind: 'Status',
      reason: 'InternalError',
      code: 500,
      message: `Internal error occurred: conversion webhook for ${GROUP}/v1, Kind=Backend failed: cannot convert backend "broken"`,
    });
    const r = await cluster.kubectl(['get', 'backend', 'broken']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot convert backend "broken"');

    await new Promise<void>((resolve) => server.close(() => resolve()));
    // The gateway serves the CRD as changed back to the url once its follower has read it.
    await eventually(async () => {
      const down = await cluster.request('GET', `/apis/${GROUP}/v2/namespaces/default/backends/db`);
      expect(down.status).toBe(500);
      expect(down.json().message).toMatch(new RegExp(`^Internal error occurred: conversion webhook for ${GROUP}/v1, Kind=Backend failed: Post "https://127\\.0\\.0\\.1:\\d+/convert\\?timeout=30s": dial tcp 127\\.0\\.0\\.1:\\d+: connect: connection refused$`));
    }, { timeoutMs: 15_000 });
    expect((await kubectlJson(cluster, ['get', `backends.v1.${GROUP}`, 'db'])).spec).toEqual({ host: 'db2', port: 5433 });
  }, 60_000);
});
