import { createServer, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  AdmissionRequest, MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, ObjectEventTypes, objectStreamId, VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE,
} from '@openpacific/contracts';
import type { RecordedEvent } from '@openpacific/event-store';
import { createCertificateAuthority, issueServingCertificate } from '@openpacific/kube-api';
import { ReadModel } from '@openpacific/objects';
import type { PolicyState } from '../state/policy-state';
import { MutatingWebhookAdmitter } from './mutating-webhook.admitter';
import { ValidatingWebhookAdmitter } from './validating-webhook.admitter';

/**
 * The two admitters against a real HTTPS webhook server on loopback: patches applied in order, each webhook seeing
 * the previous one's result, reinvocation, refusals and failures as kube-apiserver words them. The read model is
 * fed as the policy service's follower feeds it.
 */

/** What the server answers on a path, given the review's request. */
type Answer = (request: any) => any;
const answers = new Map<string, Answer>();
const seen: Array<{ path: string; request: any }> = [];
let server: Server;
let base: string;
let caBundle: string;

beforeAll(async () => {
  const ca = await createCertificateAuthority('webhook-spec-ca');
  const cert = await issueServingCertificate(ca, ['127.0.0.1']);
  caBundle = Buffer.from(ca.certPem).toString('base64');
  server = createServer({ key: cert.keyPem, cert: cert.certPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      seen.push({ path, request: review.request });
      const answer = answers.get(path)?.(review.request);
      if (answer === 'hang') return;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true, ...answer } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  answers.clear();
  seen.length = 0;
});

const patchOf = (ops: object[]) => ({ patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });
const addLabel = (key: string, value: string) => (req: any) =>
  patchOf(req.object.metadata.labels ? [{ op: 'add', path: `/metadata/labels/${key}`, value }] : [{ op: 'add', path: '/metadata/labels', value: { [key]: value } }]);

let position = 0n;
function stateWith(resource: string, configurations: Array<{ name: string; webhooks: object[] }>): PolicyState {
  const model = new ReadModel();
  for (const c of configurations) {
    position += 1n;
    model.apply({
      id: `e${position}`, streamId: objectStreamId(resource, undefined, c.name), streamVersion: 1, type: ObjectEventTypes.created,
      data: { resource, object: { metadata: { name: c.name, uid: `uid-${c.name}` }, webhooks: c.webhooks } },
      metadata: { actor: 'test', source: 'test' }, position, transactionId: 1n, createdAt: new Date(),
    } as RecordedEvent);
  }
  return { model, caughtUp: async () => {} } as unknown as PolicyState;
}
const hook = (name: string, path: string, extra: object = {}) => ({
  name,
  clientConfig: { url: `${base}${path}`, caBundle },
  rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], scope: '*' }],
  failurePolicy: 'Fail', sideEffects: 'None', timeoutSeconds: 10, admissionReviewVersions: ['v1'], namespaceSelector: {}, objectSelector: {}, reinvocationPolicy: 'Never',
  ...extra,
});
const request = (extra: Partial<AdmissionRequest> = {}): AdmissionRequest => ({
  uid: 'u', operation: 'CREATE', user: { username: 'alice', groups: [] }, resource: { group: '', version: 'v1', resource: 'configmaps' }, kind: 'ConfigMap',
  namespace: 'default', name: 'cm', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' } }, dryRun: false, ...extra,
});

describe('MutatingWebhookAdmitter', () => {
  it('applies each webhook\'s JSONPatch in configuration order, each seeing the previous result, and gathers warnings', async () => {
    answers.set('/a', (req) => ({ ...addLabel('a', '1')(req), warnings: ['from a'] }));
    answers.set('/b', (req) => ({ ...addLabel('b', req.object.metadata.labels.a === '1' ? 'saw-a' : 'blind')(req), warnings: ['from b'] }));
    // Configurations go by name: `first` before `second`, whatever order they were written in.
    const state = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'second', webhooks: [hook('b.hooks.example.com', '/b')] }, { name: 'first', webhooks: [hook('a.hooks.example.com', '/a')] }]);
    const verdict = await new MutatingWebhookAdmitter(state).admit(request());
    expect(verdict).toEqual({
      allowed: true,
      patchedObject: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default', labels: { a: '1', b: 'saw-a' } } },
      warnings: ['from a', 'from b'],
    });
  });

  it('records each webhook\'s auditAnnotations under its name, the first value of a key kept, a refusing webhook\'s too', async () => {
    answers.set('/a', (req) => ({ ...addLabel('a', '1')(req), auditAnnotations: { decision: 'labelled', 'bad/key': 'dropped', number: 7 } }));
    answers.set('/b', () => ({ auditAnnotations: { decision: 'looked' } }));
    const state = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('a.hooks.example.com', '/a'), hook('b.hooks.example.com', '/b')] }]);
    expect(await new MutatingWebhookAdmitter(state).admit(request())).toMatchObject({
      allowed: true,
      auditAnnotations: { 'a.hooks.example.com/decision': 'labelled', 'b.hooks.example.com/decision': 'looked' },
    });
    answers.set('/b', () => ({ allowed: false, status: { message: 'no' }, auditAnnotations: { why: 'refused' } }));
    expect(await new MutatingWebhookAdmitter(state).admit(request())).toEqual({
      allowed: false,
      status: { code: 400, reason: '', message: 'admission webhook "b.hooks.example.com" denied the request: no' },
      auditAnnotations: { 'a.hooks.example.com/decision': 'labelled', 'b.hooks.example.com/why': 'refused' },
    });
  });

  it('calls an IfNeeded webhook again once when a later one changed the object', async () => {
    answers.set('/count', (req) => patchOf([{ op: 'add', path: '/metadata/annotations', value: { seen: Object.keys(req.object.metadata.labels ?? {}).join(',') || 'none' } }]));
    answers.set('/label', addLabel('late', 'yes'));
    const state = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('count.hooks.example.com', '/count', { reinvocationPolicy: 'IfNeeded' }), hook('label.hooks.example.com', '/label')] }]);
    const verdict = await new MutatingWebhookAdmitter(state).admit(request());
    expect(seen.map((s) => s.path)).toEqual(['/count', '/label', '/count']);
    expect((verdict as any).patchedObject.metadata).toMatchObject({ labels: { late: 'yes' }, annotations: { seen: 'late' } });
    // Never: called once.
    seen.length = 0;
    const never = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('count.hooks.example.com', '/count'), hook('label.hooks.example.com', '/label')] }]);
    await new MutatingWebhookAdmitter(never).admit(request());
    expect(seen.map((s) => s.path)).toEqual(['/count', '/label']);
  });

  it('refuses with kube-apiserver\'s words: a denial (400 by default), an unreachable webhook under Fail (500); Ignore passes', async () => {
    answers.set('/deny', () => ({ allowed: false, status: { message: 'not today' } }));
    const deny = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('deny.hooks.example.com', '/deny')] }]);
    expect(await new MutatingWebhookAdmitter(deny).admit(request())).toEqual({
      allowed: false, status: { code: 400, reason: '', message: 'admission webhook "deny.hooks.example.com" denied the request: not today' },
    });
    const down = (failurePolicy: string) => stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [{ ...hook('down.hooks.example.com', ''), failurePolicy, clientConfig: { url: 'https://127.0.0.1:1/x', caBundle } }] }]);
    expect(await new MutatingWebhookAdmitter(down('Fail')).admit(request())).toEqual({
      allowed: false,
      status: { code: 500, reason: 'InternalError', message: 'Internal error occurred: failed calling webhook "down.hooks.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused' },
    });
    expect(await new MutatingWebhookAdmitter(down('Ignore')).admit(request())).toEqual({ allowed: true });
  });

  it('refuses a dry run for a webhook with side effects, and an answer for another request', async () => {
    const sideEffects = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('fx.hooks.example.com', '/fx', { sideEffects: 'Some' })] }]);
    expect(await new MutatingWebhookAdmitter(sideEffects).admit(request({ dryRun: true }))).toEqual({
      allowed: false, status: { code: 400, reason: 'BadRequest', message: 'admission webhook "fx.hooks.example.com" does not support dry run' },
    });
    answers.set('/uid', () => ({ uid: 'someone-else' }));
    const wrongUid = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('uid.hooks.example.com', '/uid')] }]);
    const verdict = await new MutatingWebhookAdmitter(wrongUid).admit(request());
    expect((verdict as any).status.message).toMatch(/^Internal error occurred: failed calling webhook "uid\.hooks\.example\.com": received invalid webhook response: expected response\.uid="[0-9a-f-]{36}", got "someone-else"$/);
  });

  it('gives up on a webhook after its timeoutSeconds', async () => {
    answers.set('/hang', () => 'hang');
    const slow = stateWith(MUTATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('slow.hooks.example.com', '/hang', { timeoutSeconds: 1 })] }]);
    expect((await new MutatingWebhookAdmitter(slow).admit(request()) as any).status.message).toBe(
      `Internal error occurred: failed calling webhook "slow.hooks.example.com": failed to call webhook: Post "${base}/hang?timeout=1s": context deadline exceeded`,
    );
  });
});

describe('ValidatingWebhookAdmitter', () => {
  it('calls every matching webhook; a refusal keeps its code and reason; warnings of all pass on', async () => {
    answers.set('/ok', () => ({ warnings: ['looked fine'] }));
    answers.set('/no', (req) => (req.name === 'bad' ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'bad name' } } : {}));
    const state = stateWith(VALIDATING_WEBHOOK_CONFIGURATIONS_RESOURCE, [{ name: 'c', webhooks: [hook('ok.hooks.example.com', '/ok'), hook('no.hooks.example.com', '/no')] }]);
    expect(await new ValidatingWebhookAdmitter(state).admit(request())).toEqual({ allowed: true, warnings: ['looked fine'] });
    expect(await new ValidatingWebhookAdmitter(state).admit(request({ name: 'bad' }))).toEqual({
      allowed: false, status: { code: 403, reason: 'Forbidden', message: 'admission webhook "no.hooks.example.com" denied the request: bad name' },
    });
    // Audit annotations of every webhook, under each one's name; with a refusal, the refusing webhook's and those before it.
    answers.set('/ok', () => ({ auditAnnotations: { seen: 'yes' } }));
    answers.set('/no', (req) => (req.name === 'bad' ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'bad name' }, auditAnnotations: { rule: 'names' } } : { auditAnnotations: { rule: 'none' } }));
    expect(await new ValidatingWebhookAdmitter(state).admit(request())).toEqual({
      allowed: true, auditAnnotations: { 'ok.hooks.example.com/seen': 'yes', 'no.hooks.example.com/rule': 'none' },
    });
    expect(await new ValidatingWebhookAdmitter(state).admit(request({ name: 'bad' }))).toEqual({
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'admission webhook "no.hooks.example.com" denied the request: bad name' },
      auditAnnotations: { 'ok.hooks.example.com/seen': 'yes', 'no.hooks.example.com/rule': 'names' },
    });
    // Not for other resources, and never for the configurations themselves.
    seen.length = 0;
    await new ValidatingWebhookAdmitter(state).admit(request({ resource: { group: '', version: 'v1', resource: 'secrets' }, kind: 'Secret' }));
    expect(seen).toEqual([]);
  });
});
