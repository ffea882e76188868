import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { configSchema as policyConfigSchema } from '../../../../policy/src/policy.config';
import { PolicyModule } from '../../../../policy/src/policy.module';
import { gatewayConfigSchema, GatewayConfig, prepareGatewayConfig } from '../../api-gateway.config';
import { ApiGatewayModule } from '../../api-gateway.module';
import { GatewayAnswer, gatewayCaller } from '../gateway-call.spec-support';

const SERVICE_CIDR = '10.122.0.0/16';
const SERVICES = '/api/v1/namespaces/default/services';
const VM_SERVICES = '/apis/vmoperator.vmware.com/v1alpha3/namespaces/default/virtualmachineservices';

const service = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });
const vmService = (name: string, clusterIp: string) => ({
  apiVersion: 'vmoperator.vmware.com/v1alpha3', kind: 'VirtualMachineService', metadata: { name },
  spec: { type: 'ClusterIP', clusterIp, selector: { app: name }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
});
const taken = (field: string, value: string, ip: string) => ({ field, reason: 'FieldValueInvalid', message: `Invalid value: ${value}: failed to allocate IP ${ip}: provided IP is already allocated` });
const takenByService = (ip: string) => taken('spec.clusterIPs', `[]string{"${ip}"}`, ip);
const takenByVmService = (ip: string) => taken('spec.clusterIp', `"${ip}"`, ip);

/**
 * An author-chosen cluster IP is claimed while its create (or the update giving it) is in flight, as an allocated one:
 * of two writes naming one free address at the same moment, through the real gateway (policy service, Postgres, NATS),
 * one is stored and the other refused with kube-apiserver's 422, nothing written for it; a write that is refused later
 * or is a dry run gives the address back.
 */
describe('author-chosen cluster IPs of writes in flight (api-gateway)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let policy: RunningService<any>;
  let gateway: RunningService<any>;
  const prefix = uniqueNatsPrefix('clusterip');
  const env = () => ({
    DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn', GATEWAY_PORT: '0', DATA_DIR: dataDir, SERVICE_CIDR,
    GATEWAY_PRECOMPILE_SCHEMAS: 'false',
  });
  const call = gatewayCaller(() => dataDir);
  /** The answers sorted: the stored one first. */
  const winnerFirst = (answers: GatewayAnswer[]) => [...answers].sort((a, b) => a.status - b.status);
  const exists = async (path: string) => (await call('GET', path)).status !== 404;

  beforeAll(async () => {
    db = await createTestDatabase('clusterip');
    dataDir = mkdtempSync(join(tmpdir(), 'op-clusterip-'));
    policy = await startService({ name: 'policy', configSchema: policyConfigSchema, module: () => PolicyModule }, { ...env(), HEALTH_PORT: '0' });
    gateway = await startService<GatewayConfig>({ name: 'api-gateway', configSchema: gatewayConfigSchema, prepareConfig: (c) => prepareGatewayConfig(c), module: () => ApiGatewayModule }, env());
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await policy?.stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('stores one of two Services created at once with the same free address and refuses the other as already allocated', async () => {
    const ip = '10.122.7.1';
    const answers = await Promise.all(['one', 'two'].map((name) => call('POST', SERVICES, service(name, { clusterIP: ip }))));
    const [stored, refused] = winnerFirst(answers);
    expect([stored.status, refused.status]).toEqual([201, 422]);
    expect(stored.json.spec.clusterIPs).toEqual([ip]);
    expect(refused.json.details.causes).toEqual([takenByService(ip)]);
    expect(await exists(`${SERVICES}/${refused.json.details.name}`)).toBe(false);
    expect(await exists(`${SERVICES}/${stored.json.metadata.name}`)).toBe(true);
  });

  it('refuses a VirtualMachineService naming the address a Service being created at the same moment named, or the Service', async () => {
    const ip = '10.122.7.2';
    const answers = await Promise.all([call('POST', SERVICES, service('svc', { clusterIP: ip })), call('POST', VM_SERVICES, vmService('vms', ip))]);
    const [stored, refused] = winnerFirst(answers);
    expect([stored.status, refused.status]).toEqual([201, 422]);
    const serviceWon = stored.json.kind === 'Service';
    expect(refused.json.details.causes).toEqual([serviceWon ? takenByVmService(ip) : takenByService(ip)]);
    expect(await exists(serviceWon ? `${VM_SERVICES}/vms` : `${SERVICES}/svc`)).toBe(false);
    expect(await exists(serviceWon ? `${SERVICES}/svc` : `${VM_SERVICES}/vms`)).toBe(true);
  });

  it('gives one of two Services leaving ExternalName at once the address both chose, and refuses the other', async () => {
    const ip = '10.122.7.3';
    for (const name of ['ext-a', 'ext-b']) {
      expect((await call('POST', SERVICES, service(name, { type: 'ExternalName', externalName: 'example.com' }))).status).toBe(201);
    }
    const answers = await Promise.all(['ext-a', 'ext-b'].map((name) => call('PATCH', `${SERVICES}/${name}`, { spec: { type: 'ClusterIP', externalName: null, clusterIP: ip } })));
    const [stored, refused] = winnerFirst(answers);
    expect([stored.status, refused.status]).toEqual([200, 422]);
    expect(stored.json.spec.clusterIPs).toEqual([ip]);
    expect(refused.json.details.causes).toEqual([takenByService(ip)]);
    const loser = stored.json.metadata.name === 'ext-a' ? 'ext-b' : 'ext-a';
    expect((await call('GET', `${SERVICES}/${loser}`)).json.spec).toMatchObject({ type: 'ExternalName', externalName: 'example.com' });
  });

  it('gives the address back when the create is refused after claiming it, or is a dry run', async () => {
    const ip = '10.122.7.4';
    // Claimed by the allocation, then refused by validation (no such protocol): the address is free again at once.
    const invalid = await call('POST', SERVICES, service('bad', { clusterIP: ip, ports: [{ port: 80, protocol: 'HTTP' }] }));
    expect(invalid.status).toBe(422);
    expect(invalid.json.details.causes).toEqual([expect.objectContaining({ field: 'spec.ports[0].protocol' })]);
    const dryRun = await call('POST', `${SERVICES}?dryRun=All`, service('dry', { clusterIP: ip }));
    expect(dryRun.status).toBe(201);
    const vmDryRun = await call('POST', `${VM_SERVICES}?dryRun=All`, vmService('dry-vms', ip));
    expect(vmDryRun.status).toBe(201);
    const real = await call('POST', SERVICES, service('real', { clusterIP: ip }));
    expect(real.status).toBe(201);
    expect(real.json.spec.clusterIPs).toEqual([ip]);
    expect(await exists(`${SERVICES}/bad`)).toBe(false);
    expect(await exists(`${SERVICES}/dry`)).toBe(false);
  });
});
