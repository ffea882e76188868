import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, testNatsUrl, TestDatabase, uniqueNatsPrefix } from '@openpacific/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import { configSchema, PolicyConfig } from './policy.config';
import { PolicyModule } from './policy.module';

describe('policy service', () => {
  let db: TestDatabase;
  let nc: NatsConnection;
  let policy: RunningService<PolicyConfig>;
  const prefix = uniqueNatsPrefix('policy');

  beforeAll(async () => {
    db = await createTestDatabase('policy');
    nc = await connect({ servers: testNatsUrl });
    policy = await startService<PolicyConfig>(
      { name: 'policy', configSchema, module: () => PolicyModule },
      { DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn' },
    );
  }, 30_000);

  afterAll(async () => {
    await policy?.stop();
    await nc?.close();
    await db?.drop();
  });

  const vmRequest = (uid: string, name: string): AdmissionRequest => ({
    uid,
    operation: 'CREATE',
    user: { username: 'admin', groups: ['system:masters'] },
    resource: { group: 'vmoperator.vmware.com', version: 'v1alpha1', resource: 'virtualmachines' },
    kind: 'VirtualMachine',
    namespace: 'team-a',
    name,
    object: { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachine', metadata: { name } },
    dryRun: false,
  });

  it('answers a batch of admission requests in one message, in order, a broken item failing alone', async () => {
    const codec = JSONCodec<unknown>();
    const batch = [vmRequest('b1', 'vm-b1'), null, vmRequest('b2', 'vm-b2')];
    const reply = await nc.request(`${prefix}.policy.admission`, codec.encode({ batch }), { timeout: 5000 });
    const answers = (codec.decode(reply.data) as { batch: any[] }).batch;
    expect(answers).toHaveLength(3);
    expect(answers[0]).toEqual({ uid: 'b1', allowed: true });
    expect(answers[1]).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect(answers[2]).toEqual({ uid: 'b2', allowed: true });
  });

  it('answers an admission request on the admission subject with allowed', async () => {
    const request: AdmissionRequest = {
      uid: 'a1b2',
      operation: 'CREATE',
      user: { username: 'admin', groups: ['system:masters'] },
      resource: { group: 'vmoperator.vmware.com', version: 'v1alpha1', resource: 'virtualmachines' },
      kind: 'VirtualMachine',
      namespace: 'team-a',
      name: 'vm-1',
      object: { apiVersion: 'vmoperator.vmware.com/v1alpha1', kind: 'VirtualMachine', metadata: { name: 'vm-1' } },
      dryRun: false,
    };
    const codec = JSONCodec<unknown>();
    const reply = await nc.request(`${prefix}.policy.admission`, codec.encode(request), { timeout: 5000 });
    expect(codec.decode(reply.data) as AdmissionResponse).toEqual({ uid: 'a1b2', allowed: true });
  });
});
