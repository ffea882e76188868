import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllocationEventTypes, clusterIPStreamId, nodePortStreamId } from '@openpacific/contracts';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { configSchema as policyConfigSchema } from '../../../../policy/src/policy.config';
import { PolicyModule } from '../../../../policy/src/policy.module';
import { gatewayConfigSchema, GatewayConfig, prepareGatewayConfig } from '../../api-gateway.config';
import { ApiGatewayModule } from '../../api-gateway.module';
import { GatewayAnswer, gatewayCaller } from '../gateway-call.spec-support';

const SERVICE_CIDR = '10.123.0.0/16';
const SERVICES = '/api/v1/namespaces/default/services';
/** What the allocators ask randomInt for: an offset in the /16's 65 534 addresses, in the 2 768 node ports. */
const CLUSTER_IP_PICK = [0, 65534];
const NODE_PORT_PICK = [0, 2768];

const clusterIPService = (name: string, clusterIP?: string) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...(clusterIP ? { clusterIP } : {}) },
});
const nodePortService = (name: string, nodePort?: number) => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'NodePort', ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
});

/**
 * Holds back a gateway's follower (its reads of the log) until the gateway appends to `streamId`: whatever that write
 * decides, it decides on the log as it was when the hold began. `pending` counts reads held.
 */
function holdFollower(gateway: RunningService<any>, streamId: string): { pending: () => number; release: () => void } {
  const pool = gateway.ctx.pool as any;
  const query = pool.query;
  let held = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const named = (q: any, prefix: string) => typeof q?.name === 'string' && q.name.startsWith(prefix);
  pool.query = (q: any, ...rest: any[]) => {
    if (named(q, 'op_es_read_all')) {
      held++;
      return released.then(() => query.call(pool, q, ...rest));
    }
    const answer = query.call(pool, q, ...rest);
    if (named(q, 'op_es_append') && JSON.stringify(q.values ?? []).includes(JSON.stringify(streamId))) Promise.resolve(answer).then(release, release);
    return answer;
  };
  return {
    pending: () => held,
    release: () => {
      pool.query = query;
      release();
    },
  };
}

/**
 * Two api-gateway replicas on one database (and one policy service), as docs/ha.md runs them. The second replica's
 * read model is held back (holdFollower) so that it cannot have seen what the first just stored when it judges an
 * address free: each address's allocation stream then refuses its append, and it decides again on the caught-up
 * read model. Allocated picks are made to coincide (randomInt) where they would otherwise only rarely.
 */
describe('cluster IPs and node ports across two gateway replicas (api-gateway)', () => {
  let db: TestDatabase;
  let policy: RunningService<any>;
  const gateways: RunningService<any>[] = [];
  const dirs: string[] = [];
  const prefix = uniqueNatsPrefix('allocations');
  const env = (replica: number) => ({
    DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn', GATEWAY_PORT: '0', DATA_DIR: dirs[replica], SERVICE_CIDR,
    GATEWAY_PRECOMPILE_SCHEMAS: 'false', INSTANCE_ID: `allocations-${replica}`,
  });
  const first = gatewayCaller(() => dirs[0]);
  const second = gatewayCaller(() => dirs[1]);
  let nudges = 0;

  /** The second replica's follower held back, with a read of the log pending (so none started before is still running). */
  async function holdSecond(streamId: string) {
    const hold = holdFollower(gateways[1], streamId);
    // Something new in the log makes the replica read (woken by NATS or its poll): that read is the one held.
    expect((await first('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `nudge-${++nudges}` } })).status).toBe(201);
    await eventually(() => expect(hold.pending()).toBeGreaterThan(0));
    return hold;
  }

  /** randomInt answering `offset` to the allocator asking `pick`, and as ever to everyone else. */
  function pickAlways(pick: number[], offset: number): void {
    const real = crypto.randomInt.bind(crypto) as (...args: any[]) => number;
    jest.spyOn(crypto, 'randomInt').mockImplementation(((...args: any[]) => (args[0] === pick[0] && args[1] === pick[1] ? offset : real(...args))) as any);
  }

  const allocations = async (streamId: string) =>
    (await db.pool.query('SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version', [streamId])).rows;

  beforeAll(async () => {
    db = await createTestDatabase('allocations');
    dirs.push(mkdtempSync(join(tmpdir(), 'op-alloc-1-')), mkdtempSync(join(tmpdir(), 'op-alloc-2-')));
    policy = await startService({ name: 'policy', configSchema: policyConfigSchema, module: () => PolicyModule }, { ...env(0), HEALTH_PORT: '0' });
    // One after the other: the first leads the relay and the collector, the second only serves.
    for (const replica of [0, 1]) {
      gateways.push(await startService<GatewayConfig>({ name: 'api-gateway', configSchema: gatewayConfigSchema, prepareConfig: (c) => prepareGatewayConfig(c), module: () => ApiGatewayModule }, env(replica)));
    }
  }, 90_000);
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    for (const gateway of gateways.reverse()) await gateway.stop();
    await policy?.stop();
    await db?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('refuses a cluster IP the other replica just gave, though its read model does not show it yet', async () => {
    const ip = '10.123.9.1';
    const hold = await holdSecond('services/default/chosen-late');
    try {
      expect((await first('POST', SERVICES, clusterIPService('chosen-early', ip))).status).toBe(201);
      expect((await second('GET', `${SERVICES}/chosen-early`)).status).toBe(404);
      const late = await second('POST', SERVICES, clusterIPService('chosen-late', ip));
      expect(late.status).toBe(422);
      expect(late.json.details.causes).toEqual([
        { field: 'spec.clusterIPs', reason: 'FieldValueInvalid', message: `Invalid value: []string{"${ip}"}: failed to allocate IP ${ip}: provided IP is already allocated` },
      ]);
    } finally {
      hold.release();
    }
    expect((await first('GET', `${SERVICES}/chosen-late`)).status).toBe(404);
    expect(await allocations(clusterIPStreamId(ip))).toEqual([
      { type: AllocationEventTypes.clusterIP, data: { address: ip, holder: expect.objectContaining({ resource: 'services', namespace: 'default', name: 'chosen-early' }) } },
    ]);
  });

  it('picks another cluster IP when the other replica took the one it picked', async () => {
    pickAlways(CLUSTER_IP_PICK, 0x1200);
    const hold = await holdSecond('services/default/auto-late');
    let late: GatewayAnswer | undefined;
    try {
      const early = await first('POST', SERVICES, clusterIPService('auto-early'));
      expect(early.status).toBe(201);
      expect(early.json.spec.clusterIP).toBe('10.123.18.1');
      late = await second('POST', SERVICES, clusterIPService('auto-late'));
    } finally {
      hold.release();
    }
    expect(late?.status).toBe(201);
    expect(late?.json.spec.clusterIP).toBe('10.123.18.2');
  });

  it('gives distinct cluster IPs to Services created at once on both replicas whose picks coincide', async () => {
    pickAlways(CLUSTER_IP_PICK, 0x1300);
    const answers = await Promise.all([0, 1, 2].flatMap((i) => [first('POST', SERVICES, clusterIPService(`burst-a${i}`)), second('POST', SERVICES, clusterIPService(`burst-b${i}`))]));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
    const ips = answers.map((a) => a.json.spec.clusterIP);
    expect(new Set(ips).size).toBe(6);
  });

  it('refuses a node port the other replica just gave, though its read model does not show it yet', async () => {
    const hold = await holdSecond('services/default/np-chosen-late');
    try {
      expect((await first('POST', SERVICES, nodePortService('np-chosen-early', 31001))).status).toBe(201);
      const late = await second('POST', SERVICES, nodePortService('np-chosen-late', 31001));
      expect(late.status).toBe(422);
      expect(late.json.details.causes).toEqual([
        { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31001: provided port is already allocated' },
      ]);
    } finally {
      hold.release();
    }
    expect((await first('GET', `${SERVICES}/np-chosen-late`)).status).toBe(404);
    expect((await allocations(nodePortStreamId(31001))).map((e) => e.type)).toEqual([AllocationEventTypes.nodePort]);
  });

  it('refuses an update to NodePort naming the node port the other replica just gave, and leaves the Service as it was', async () => {
    expect((await first('POST', SERVICES, clusterIPService('np-update'))).status).toBe(201);
    await eventually(async () => expect((await second('GET', `${SERVICES}/np-update`)).status).toBe(200));
    const hold = await holdSecond('services/default/np-update');
    try {
      expect((await first('POST', SERVICES, nodePortService('np-update-early', 31002))).status).toBe(201);
      const late = await second('PATCH', `${SERVICES}/np-update`, { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 31002 }] } });
      expect(late.status).toBe(422);
      expect(late.json.details.causes).toEqual([
        { field: 'spec.ports[0].nodePort', reason: 'FieldValueInvalid', message: 'Invalid value: 31002: provided port is already allocated' },
      ]);
    } finally {
      hold.release();
    }
    expect((await first('GET', `${SERVICES}/np-update`)).json.spec.type).toBe('ClusterIP');
  });

  it('picks another node port when the other replica took the one it picked', async () => {
    pickAlways(NODE_PORT_PICK, 1500);
    const hold = await holdSecond('services/default/np-auto-late');
    let late: GatewayAnswer | undefined;
    try {
      const early = await first('POST', SERVICES, nodePortService('np-auto-early'));
      expect(early.status).toBe(201);
      expect(early.json.spec.ports[0].nodePort).toBe(31500);
      late = await second('POST', SERVICES, nodePortService('np-auto-late'));
    } finally {
      hold.release();
    }
    expect(late?.status).toBe(201);
    expect(late?.json.spec.ports[0].nodePort).toBe(31501);
  });

  it('gives distinct node ports to Services created at once on both replicas whose picks coincide', async () => {
    pickAlways(NODE_PORT_PICK, 1600);
    const answers = await Promise.all([0, 1].flatMap((i) => [first('POST', SERVICES, nodePortService(`np-burst-a${i}`)), second('POST', SERVICES, nodePortService(`np-burst-b${i}`))]));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(answers.map((a) => a.json.spec.ports[0].nodePort)).size).toBe(4);
  });
});
