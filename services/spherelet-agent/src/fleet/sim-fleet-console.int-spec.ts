import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vmConsoleSubject, VmConsoleReply, VmConsoleRequest } from '@openpacific/contracts';
import { connectNats, requestJson } from '@openpacific/messaging';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, eventually, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import type { NatsConnection } from 'nats';
import { configSchema as schedulerConfigSchema } from '../../../scheduler/src/scheduler.config';
import { SchedulerModule } from '../../../scheduler/src/scheduler.module';
import { configSchema as agentConfigSchema } from '../spherelet-agent.config';
import { SphereletAgentModule } from '../spherelet-agent.module';

type Answer = VmConsoleReply | { error: { code: string; message: string } };

/**
 * The hosts of a simulated fleet (one agent process, SIM_FLEET_HOSTS) answer console reads on each host's own subject,
 * as a real agent answers its host's, so the gateway reaches a VM's console by its nodeName whatever carries the host.
 * (A VM on a sim host opened through a ticket: test/e2e/sim-fleet-vms.e2e-spec.ts.)
 */
describe('the console server of simulated fleet hosts', () => {
  let db: TestDatabase;
  let dir: string;
  let scheduler: RunningService<any>;
  let agent: RunningService<any> | undefined;
  let nc: NatsConnection;
  const prefix = uniqueNatsPrefix('fleetconsole');
  const env = () => ({ DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn', HEALTH_PORT: '0' });
  const read = (host: string, uid: string) => requestJson<VmConsoleRequest, Answer>(nc, vmConsoleSubject(prefix, host), { uid, fromByte: 0 }, 2000);

  beforeAll(async () => {
    db = await createTestDatabase('fleetconsole');
    dir = mkdtempSync(join(tmpdir(), 'op-fleetconsole-'));
    // The scheduler renews the hosts' leases: without it they would be lost and registered again meanwhile.
    scheduler = await startService({ name: 'scheduler', configSchema: schedulerConfigSchema, module: () => SchedulerModule }, { ...env(), DATASTORE_DIR: join(dir, 'datastore') });
    agent = await startService({ name: 'spherelet-agent', configSchema: agentConfigSchema, module: () => SphereletAgentModule }, { ...env(), HOST_NAME: 'sim', SIM_FLEET_HOSTS: '2', HOST_PODS: '20' });
    nc = await connectNats({ url: testNatsUrl, name: 'fleet-console-test' });
  }, 90_000);
  afterAll(async () => {
    await nc?.close();
    await agent?.stop();
    await scheduler?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("answers on every host's subject from that host's hypervisor, and nobody answers for a host the fleet lacks", async () => {
    for (const host of ['sim-1', 'sim-2']) {
      await eventually(async () => expect(await read(host, 'not-here')).toEqual({ error: { code: 'HYPERVISOR.NOT_FOUND', message: 'no VM not-here on this host' } }));
    }
    await expect(read('sim-3', 'not-here')).rejects.toThrow();
  });

  it('stops answering when the fleet stops', async () => {
    await agent!.stop();
    agent = undefined;
    await expect(read('sim-1', 'not-here')).rejects.toThrow();
  }, 30_000);
});
