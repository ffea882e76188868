import { ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore } from '@openpacific/event-store';
import { eventually } from '@openpacific/testing';
import { Pool } from 'pg';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

/**
 * A write through the main resource of a kind with a status subresource keeps the stored status, so that status is not
 * the writer's to answer for: a status its controller wrote that the schema refuses (here a replica count as a string,
 * written to the log as a host or controller writes) must not make every later label, scale or edit a 422. Real
 * gateway, policy service, Postgres and NATS.
 */
describe('a stored status the schema refuses (api-gateway)', () => {
  let stack: GatewayWithPolicy;
  let pool: Pool;
  const call = gatewayCaller(() => stack.dataDir);

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('statuskept', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
    pool = new Pool({ connectionString: stack.db.url, max: 2 });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await stack?.stop();
  }, 30_000);

  it('takes a label through the main resource, and still refuses such a status through /status', async () => {
    const deployment = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
    };
    expect((await call('POST', DEPLOYMENTS, deployment)).status).toBe(201);
    const store = new EventStore(pool);
    const stream = objectStreamId('deployments.apps', 'default', 'web');
    const [last] = (await store.readStream(stream)).slice(-1);
    const object = { ...structuredClone((last.data as any).object), status: { replicas: 'many' } };
    await store.append(stream, [{ type: ObjectEventTypes.statusUpdated, data: { resource: 'deployments.apps', object }, metadata: { actor: 'controller', source: 'test' } }], { expectedVersion: last.streamVersion });
    await eventually(async () => expect((await call('GET', `${DEPLOYMENTS}/web`)).json.status).toEqual({ replicas: 'many' }));

    const labelled = await call('PATCH', `${DEPLOYMENTS}/web`, { metadata: { labels: { team: 'a' } } }, { contentType: 'application/merge-patch+json' });
    expect(labelled.status).toBe(200);
    expect(labelled.json.metadata.labels).toEqual({ team: 'a' });
    const status = await call('PATCH', `${DEPLOYMENTS}/web/status`, { status: { replicas: 'more' } }, { contentType: 'application/merge-patch+json' });
    expect(status.status).toBe(422);
    expect(status.json.message).toContain('status.replicas');
  }, 30_000);
});
