import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { LOOPBACK_NETWORK, natsNames, NETWORK_POLICIES_RESOURCE, ObjectEventTypes, objectStreamId } from '@openpacific/contracts';
import { EventStore, migrate } from '@openpacific/event-store';
import { connectNats } from '@openpacific/messaging';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { findNft } from './nft-applier';
import { SharedFollower } from '@openpacific/objects';
import { NetworkPolicyController } from './network-policy-controller';

// A pod network of its own (outside every test cluster's range), so its table openpacific_189 is this test's alone.
const NETWORK = { ...LOOPBACK_NETWORK, podCIDR: '10.189.0.0/16' };
const TABLE = 'openpacific_189';
const META = { actor: 'test', source: 'test' };
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const SERVER = '10.189.1.2';
const STRANGER = '10.189.2.2';

const table = (): string => {
  try {
    return execFileSync(findNft()!, ['list', 'table', 'inet', TABLE], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return '';
  }
};

const canRun = process.getuid?.() === 0 && Boolean(findNft());

(canRun ? describe : describe.skip)('the network policy controller', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let store: EventStore;
  let controller: NetworkPolicyController;
  let feed: SharedFollower;

  const deps = () => ({ store, pool: db.pool, nats: nc, names: natsNames(uniqueNatsPrefix('np')), logger: quiet });

  async function create(resource: string, obj: any): Promise<void> {
    const object = { ...obj, metadata: { ...obj.metadata, uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1 } };
    await store.append(objectStreamId(resource, object.metadata.namespace, object.metadata.name), [{ type: ObjectEventTypes.created, data: { resource, object }, metadata: META }], { expectedVersion: 'no_stream' });
  }

  const pod = (namespace: string, name: string, ip: string, ports: any[] = []) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name, labels: { app: name } },
    spec: { containers: [{ name: 'main', image: 'busybox', ports }] }, status: { phase: 'Running', podIP: ip },
  });

  beforeAll(async () => {
    db = await createTestDatabase('netpol');
    await migrate(db.pool);
    nc = await connectNats({ url: testNatsUrl, name: 'network-policy-test' });
    store = new EventStore(db.pool);
    for (const name of ['alpha', 'beta']) await create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await create('pods', pod('alpha', 'server', SERVER, [{ name: 'http', containerPort: 8080 }]));
    await create('pods', pod('beta', 'stranger', STRANGER));
    feed = new SharedFollower(deps());
    controller = new NetworkPolicyController({ feed, logger: quiet, network: NETWORK });
    await feed.start();
    controller.start();
  }, 30_000);

  afterAll(async () => {
    await controller?.stop();
    await feed?.stop();
    await nc?.close();
    await db?.drop();
  });

  it('applies the namespaces\' isolation as the cluster\'s table and answers the load balancers from the same model', async () => {
    await eventually(() => expect(table()).toContain(`chain pod_${SERVER.replace(/\./g, '_')}`));
    expect(controller.allows(STRANGER, SERVER, 8080)).toBe(false);
    expect(controller.admit(`::ffff:${STRANGER}`, { address: SERVER, port: 8080 }, 80)).toBe(false);
    expect(controller.allows('10.189.0.1', SERVER, 8080)).toBe(true);
  });

  it('opens what a new policy allows once it is created', async () => {
    await create(NETWORK_POLICIES_RESOURCE, {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'alpha', name: 'http-from-anywhere' },
      spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 'http', protocol: 'TCP' }] }] },
    });
    await eventually(() => expect(controller.allows(STRANGER, SERVER, 8080)).toBe(true), { intervalMs: 5 });
    // Level-triggered on the log: the follower wakes on the append's poke, the pass renders and applies.
    await eventually(() => expect(table()).toContain(`ip saddr ${STRANGER} tcp dport 8080 accept`));
    expect(controller.admit(STRANGER, { address: SERVER, port: 8080 }, 80)).toBe(true);
    expect(controller.admit(STRANGER, { address: SERVER, port: 9090 }, 80)).toBe(false);
  });

  it('removes its table when it stops, and then admits everything', async () => {
    await controller.stop();
    expect(table()).toBe('');
    expect(controller.allows(STRANGER, SERVER, 9090)).toBe(true);
  });

  it('does not enforce without a pod network, and says why', async () => {
    const warnings: unknown[] = [];
    const unused = new SharedFollower(deps());
    const loopback = new NetworkPolicyController({ feed: unused, logger: { ...quiet, warn: (msg: string, fields?: unknown) => warnings.push({ msg, fields }) }, network: LOOPBACK_NETWORK });
    loopback.start();
    expect(warnings).toEqual([{ msg: 'network policies not enforced', fields: { reason: "POD_CIDR is not set: pods share the hosts' network" } }]);
    expect(loopback.allows('127.1.0.2', '127.1.0.3', 80)).toBe(true);
    await loopback.stop();
  });
});
