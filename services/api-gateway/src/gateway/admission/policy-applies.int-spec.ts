import { natsNames } from '@openpacific/contracts';
import { connectNats } from '@openpacific/messaging';
import { eventually, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { JSONCodec, NatsConnection } from 'nats';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';

const json = JSONCodec<any>();

/**
 * The gateway asks the policy service only about writes something of it could apply to (policy-applies.ts), with
 * real Postgres, NATS, gateway and policy service. What it asks is seen on the admission subject by a subscription of
 * the test's own (no queue group: it gets every message, the policy service still answers). The gateway's messages
 * reach it in the order sent, so a later one that arrives proves that an earlier write was not asked about.
 */
describe('the gateway asks the policy service only when something of it could apply', () => {
  let stack: GatewayWithPolicy;
  let nc: NatsConnection;
  const prefix = uniqueNatsPrefix('asks');
  /** The names of the objects the gateway asked about, in the order asked. */
  const asked: string[] = [];
  const call = gatewayCaller(() => stack.dataDir);
  const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
  const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });
  const created = async (path: string, body: unknown) => {
    const r = await call('POST', path, body);
    if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.text}`);
    return r.json;
  };

  beforeAll(async () => {
    nc = await connectNats({ url: testNatsUrl, name: 'policy-applies-test' });
    nc.subscribe(natsNames(prefix).admission, {
      callback: (_err, msg) => {
        const m = json.decode(msg.data);
        for (const r of Array.isArray(m.batch) ? m.batch : [m]) asked.push(r.name);
      },
    });
    await nc.flush();
    stack = await startGatewayWithPolicy('asks', { prefix, gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await nc?.close();
  }, 30_000);

  it('stores a pod in a namespace with nothing configured unasked, and asks (and is refused) once a quota is created there', async () => {
    await created('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quiet' } });
    // A pod needs the namespace's default ServiceAccount, which the gateway makes a moment after the namespace.
    await eventually(() => created('/api/v1/namespaces/quiet/pods', pod('unasked')), { timeoutMs: 15_000 });

    await created('/api/v1/namespaces/quiet/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'one' }, spec: { hard: { pods: '1' } } });
    // The very next create: the gateway's read model has its own quota write, so it asks, and the policy refuses.
    const refused = await call('POST', '/api/v1/namespaces/quiet/pods', pod('over'));
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      kind: 'Status', reason: 'Forbidden',
      message: 'pods "over" is forbidden: exceeded quota: one, requested: pods=1, used: pods=1, limited: pods=1',
    });
    await eventually(() => expect(asked).toContain('over'));
    expect(asked).not.toContain('unasked');
    expect(asked).not.toContain('one');
  }, 60_000);

  it('asks about every write while a webhook configuration exists, and no longer once it is gone', async () => {
    await created('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hooked' } });
    await created('/api/v1/namespaces/hooked/configmaps', configMap('before-hook'));
    // A webhook for a resource nothing here writes: never called, but while it is registered every write is asked about.
    await created('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'widgets' },
      webhooks: [{
        name: 'widgets.example.com', admissionReviewVersions: ['v1'], sideEffects: 'None', clientConfig: { url: 'https://127.0.0.1:9/validate' },
        rules: [{ operations: ['CREATE'], apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] }],
      }],
    });
    await created('/api/v1/namespaces/hooked/configmaps', configMap('while-hooked'));
    await eventually(() => expect(asked).toContain('while-hooked'));
    expect(asked).not.toContain('before-hook');

    expect((await call('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/widgets')).status).toBe(200);
    await created('/api/v1/namespaces/hooked/configmaps', configMap('after-hook'));
    // Something asked about after it: a LimitRange in the namespace makes its next write asked about.
    await created('/api/v1/namespaces/hooked/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' } }] } });
    await created('/api/v1/namespaces/hooked/configmaps', configMap('limited'));
    await eventually(() => expect(asked).toContain('limited'));
    expect(asked).not.toContain('after-hook');
  }, 60_000);
});
