import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { eventually, startCluster, TestCluster } from '@openpacific/testing';
import { kubectlApply, kubectlJson } from './support/kubectl-json';

/**
 * Dynamic admission webhooks (admissionregistration.k8s.io/v1) through the real kubectl: the test's own HTTPS webhook
 * server on 127.0.0.1, registered by url and through a selector-less Service, mutating (a label added by JSONPatch,
 * with a warning) and validating (a refusal by name), failurePolicy Fail and Ignore with the server stopped.
 */

interface Seen {
  path: string;
  query: string;
  review: any;
}

/** The webhook server: /mutate labels the object, /validate refuses two names, /check refuses the name `by-service`. */
function webhookServer(cert: { keyPem: string; certPem: string }, seen: Seen[]): Server {
  return createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const url = new URL(req.url ?? '/', 'https://x');
      seen.push({ path: url.pathname, query: url.search, review });
      const request = review.request;
      const name = (request.object ?? request.oldObject)?.metadata?.name;
      const response: any = { uid: request.uid, allowed: true };
      if (url.pathname === '/mutate') {
        const value = name === 'badly-patched' ? 'not a label value!' : 'yes';
        const patch: object[] = request.object?.metadata?.labels
          ? [{ op: 'add', path: '/metadata/labels/webhooked', value }]
          : [{ op: 'add', path: '/metadata/labels', value: { webhooked: value } }];
        if (name === 'renamed') patch.push({ op: 'replace', path: '/metadata/name', value: 'renamed-by-webhook' });
        if (name === 'with-extra') patch.push({ op: 'add', path: '/extra', value: 'unknown to ConfigMap' }, { op: 'add', path: '/data/added', value: 'kept' });
        response.patchType = 'JSONPatch';
        response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
        response.warnings = ['labelled by the test webhook'];
      } else if (url.pathname === '/validate' && name === 'forbidden-name') {
        Object.assign(response, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'the name forbidden-name is taken' }, auditAnnotations: { rule: 'taken names' } });
      } else if (url.pathname === '/validate' && name === 'plain-refusal') {
        Object.assign(response, { allowed: false, status: { message: 'no reason given' } });
      } else if (url.pathname === '/check' && name === 'by-service') {
        Object.assign(response, { allowed: false, status: { message: 'refused through the Service' } });
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
    });
  });
}

describe('admission webhooks', () => {
  let cluster: TestCluster;
  let server: Server;
  let port: number;
  let caBundle: string;
  const seen: Seen[] = [];
  const kubectl = (args: string[], input?: string) => cluster.kubectl(args, input === undefined ? undefined : { input });

  const webhook = (name: string, path: string, extra: object = {}) => ({
    name,
    clientConfig: { url: `https://127.0.0.1:${port}${path}`, caBundle },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps', 'pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  });
  const configuration = (kind: string, name: string, webhooks: object[]) => ({ apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks });

  beforeAll(async () => {
    const ca = await createCertificateAuthority('webhook-test-ca');
    const cert = await issueServingCertificate(ca, ['127.0.0.1', 'hooks.webhooks.svc']);
    caBundle = Buffer.from(ca.certPem).toString('base64');
    server = webhookServer(cert, seen);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    cluster = await startCluster({ label: 'webhooks', hostCount: 0 });
  }, 120_000);
  afterAll(async () => {
    server?.close();
    await cluster?.stop();
  }, 60_000);

  it('serves both kinds with kube-apiserver defaults, columns and validation', async () => {
    const invalid = await kubectl(['apply', '-f', '-'], JSON.stringify(configuration('MutatingWebhookConfiguration', 'bad', [
      { name: 'short.name', clientConfig: { url: 'http://127.0.0.1/x?a=b' }, admissionReviewVersions: ['v2'], timeoutSeconds: 31, matchConditions: [{ name: 'c', expression: 'nope == 1' }] },
    ])));
    expect(invalid.code).not.toBe(0);
    const message = invalid.stderr.trim();
    expect(message).toMatch(/^The MutatingWebhookConfiguration "bad" is invalid: \n\* /);
    for (const cause of [
      'webhooks[0].name: Invalid value: "short.name": should be a domain with at least three segments separated by dots',
      `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
      'webhooks[0].clientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL',
      'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
      'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      "webhooks[0].matchConditions[0].expression: Invalid value: \"nope == 1\": compilation failed: ERROR: <input>: undeclared reference to 'nope' (in container '')",
      'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1',
    ]) expect(message).toContain(`* ${cause}`);
    expect((await kubectl(['get', 'mutatingwebhookconfigurations', 'bad'])).code).not.toBe(0);

    await kubectlApply(cluster, configuration('MutatingWebhookConfiguration', 'labeller', [webhook('label.webhooks.example.com', '/mutate')]));
    await kubectlApply(cluster, configuration('ValidatingWebhookConfiguration', 'gatekeeper', [
      webhook('names.webhooks.example.com', '/validate', { matchConditions: [{ name: 'not-exempt', expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)" }] }),
    ]));
    const resources = (await kubectl(['api-resources', '--api-group=admissionregistration.k8s.io', '--no-headers'])).stdout.trim().split('\n');
    expect(resources.map((l) => l.split(/\s+/))).toEqual([
      ['mutatingwebhookconfigurations', 'admissionregistration.k8s.io/v1', 'false', 'MutatingWebhookConfiguration'],
      ['validatingadmissionpolicies', 'admissionregistration.k8s.io/v1', 'false', 'ValidatingAdmissionPolicy'],
      ['validatingadmissionpolicybindings', 'admissionregistration.k8s.io/v1', 'false', 'ValidatingAdmissionPolicyBinding'],
      ['validatingwebhookconfigurations', 'admissionregistration.k8s.io/v1', 'false', 'ValidatingWebhookConfiguration'],
    ]);
    const listed = (await kubectl(['get', 'mutatingwebhookconfigurations'])).stdout.trim().split('\n');
    expect(listed[0]).toMatch(/^NAME\s+WEBHOOKS\s+AGE$/);
    expect(listed[1]).toMatch(/^labeller\s+1\s+\d+s$/);
    const stored = await kubectlJson(cluster, ['get', 'mutatingwebhookconfiguration', 'labeller']);
    expect(stored.webhooks[0]).toMatchObject({
      failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never',
      rules: [expect.objectContaining({ scope: '*' })],
    });
    expect((await kubectlJson(cluster, ['get', 'validatingwebhookconfiguration', 'gatekeeper'])).webhooks[0]).not.toHaveProperty('reinvocationPolicy');
  });

  it('labels new objects through the mutating webhook and shows its warning', async () => {
    const created = await kubectl(['create', 'configmap', 'plain', '--from-literal=a=b']);
    expect(created.code).toBe(0);
    expect(created.stderr.trim()).toBe('Warning: labelled by the test webhook');
    expect((await kubectlJson(cluster, ['get', 'configmap', 'plain'])).metadata.labels).toEqual({ webhooked: 'yes' });
    const pod = await kubectl(['run', 'web', '--image=busybox', '--labels=app=web', '--', 'sleep', '3600']);
    expect(pod.stdout.trim()).toBe('pod/web created');
    expect((await kubectlJson(cluster, ['get', 'pod', 'web'])).metadata.labels).toEqual({ app: 'web', webhooked: 'yes' });

    // What the webhook was sent: an AdmissionReview v1 of the write, with the timeout in the URL.
    const call = seen.find((s) => s.path === '/mutate' && s.review.request.name === 'plain')!;
    expect(call.query).toBe('?timeout=10s');
    expect(call.review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
    expect(call.review.request).toMatchObject({
      kind: { group: '', version: 'v1', kind: 'ConfigMap' },
      resource: { group: '', version: 'v1', resource: 'configmaps' },
      requestKind: { group: '', version: 'v1', kind: 'ConfigMap' },
      name: 'plain', namespace: 'default', operation: 'CREATE', dryRun: false,
      userInfo: { username: expect.any(String) },
      object: { data: { a: 'b' } },
      oldObject: null,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    });
    expect(call.review.request.uid).toMatch(/^[0-9a-f-]{36}$/);

    // A field the kind does not have, added by the webhook, is dropped as kube-apiserver drops it; known ones stay.
    expect((await kubectl(['create', 'configmap', 'with-extra', '--from-literal=a=b'])).code).toBe(0);
    const extra = await kubectlJson(cluster, ['get', 'configmap', 'with-extra']);
    expect(extra.extra).toBeUndefined();
    expect(extra.data).toEqual({ a: 'b', added: 'kept' });

    // A patch that leaves the object invalid is refused as kube-apiserver refuses it, after mutating admission.
    const bad = await kubectl(['create', 'configmap', 'badly-patched']);
    expect(bad.stderr).toContain('ConfigMap "badly-patched" is invalid: metadata.labels: Invalid value: "not a label value!"');
    expect((await kubectl(['get', 'configmap', 'badly-patched'])).code).not.toBe(0);
    // The object is stored under the name asked for: a webhook renaming it is refused.
    const renamed = await kubectl(['create', 'configmap', 'renamed']);
    expect(renamed.stderr).toContain('ConfigMap "renamed-by-webhook" is invalid: metadata.name: Invalid value: "renamed-by-webhook": field is immutable');
    expect((await kubectl(['get', 'configmaps', 'renamed', 'renamed-by-webhook'])).stdout).toBe('');
  });

  it('refuses by name through the validating webhook, as kubectl prints it', async () => {
    const refused = await kubectl(['create', 'configmap', 'forbidden-name']);
    // The mutating webhook ran first: its warning comes with the refusal, as kube-apiserver sends warnings with an error.
    expect(refused.stderr.trim().split('\n')).toEqual(['Warning: labelled by the test webhook', 'error: failed to create configmap: admission webhook "names.webhooks.example.com" denied the request: the name forbidden-name is taken']);
    // The refusing webhook's audit annotations are in the request's AuditRecord, under the webhook's name.
    await eventually(async () => {
      const listed = await kubectlJson(cluster, ['get', 'auditrecords', '--field-selector', 'namespace=default,verb=create,resource=configmaps,name=forbidden-name']);
      expect(listed.items).toEqual([expect.objectContaining({ code: 403, annotations: { 'names.webhooks.example.com/rule': 'taken names' } })]);
    });
    const plain = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain-refusal' } }));
    expect(plain.stderr).toContain('admission webhook "names.webhooks.example.com" denied the request: no reason given');
    expect((await kubectl(['get', 'configmap', 'forbidden-name'])).code).not.toBe(0);
    // The validating webhook saw the mutated object; a matchCondition that is false skips it.
    expect(seen.find((s) => s.path === '/validate' && s.review.request.name === 'forbidden-name')?.review.request.object.metadata.labels).toEqual({ webhooked: 'yes' });
    const exempt = await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'forbidden-name', labels: { exempt: 'true' } } }));
    expect(exempt.code).toBe(0);
    // A dry run reaches webhooks without side effects, marked as one.
    const dry = await kubectl(['create', 'configmap', 'dry', '--dry-run=server']);
    expect(dry.code).toBe(0);
    expect(seen.find((s) => s.path === '/validate' && s.review.request.name === 'dry')?.review.request).toMatchObject({ dryRun: true, options: { dryRun: ['All'] } });
  });

  it('fails closed with failurePolicy Fail and passes with Ignore when the webhook is down', async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const failed = await kubectl(['create', 'configmap', 'while-down']);
    expect(failed.stderr.trim()).toBe(
      `error: failed to create configmap: Internal error occurred: failed calling webhook "label.webhooks.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/mutate?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    expect((await kubectl(['get', 'configmap', 'while-down'])).code).not.toBe(0);
    // The configurations themselves are never sent to webhooks: they can be changed while the webhook is down.
    for (const [kind, name] of [['mutatingwebhookconfiguration', 'labeller'], ['validatingwebhookconfiguration', 'gatekeeper']]) {
      expect((await kubectl(['patch', kind, name, '--type=json', '-p', '[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]'])).code).toBe(0);
    }
    const passed = await kubectl(['create', 'configmap', 'while-down']);
    expect(passed.stdout.trim()).toBe('configmap/while-down created');
    expect((await kubectlJson(cluster, ['get', 'configmap', 'while-down'])).metadata.labels).toBeUndefined();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  });

  it('reaches a webhook through a selector-less Service and its EndpointSlice, by the name <service>.<namespace>.svc', async () => {
    expect((await kubectl(['create', 'namespace', 'webhooks'])).code).toBe(0);
    await kubectlApply(cluster, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'hooks', namespace: 'webhooks' }, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } });
    await kubectlApply(cluster, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      metadata: { name: 'hooks-1', namespace: 'webhooks', labels: { 'kubernetes.io/service-name': 'hooks' } },
      addressType: 'IPv4', ports: [{ name: 'https', port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'] }],
    });
    await kubectlApply(cluster, configuration('ValidatingWebhookConfiguration', 'by-service', [{
      ...webhook('service.webhooks.example.com', ''),
      clientConfig: { service: { namespace: 'webhooks', name: 'hooks', path: '/check' }, caBundle },
    }]));
    expect((await kubectlJson(cluster, ['get', 'validatingwebhookconfiguration', 'by-service'])).webhooks[0].clientConfig.service.port).toBe(443);
    // Once the Service's proxy listens, the webhook answers through it.
    await eventually(async () => {
      const r = await kubectl(['create', 'configmap', 'by-service']);
      expect(r.stderr.trim().split('\n').pop()).toBe('error: failed to create configmap: admission webhook "service.webhooks.example.com" denied the request: refused through the Service');
    }, { timeoutMs: 30_000 }).catch((err) => {
      console.log(cluster.logTails(60, /backend|proxy|listen|webhook/i));
      throw err;
    });
    expect((await kubectl(['create', 'configmap', 'other-name'])).code).toBe(0);
    expect(seen.some((s) => s.path === '/check' && s.review.request.name === 'other-name')).toBe(true);
  });
});
