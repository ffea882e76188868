import { join } from 'node:path';
import { RunningService, startService } from '@openpacific/service-kit';
import { eventually } from '@openpacific/testing';
import { configSchema as schedulerConfigSchema } from '../../../../scheduler/src/scheduler.config';
import { SchedulerModule } from '../../../../scheduler/src/scheduler.module';
import { configSchema as agentConfigSchema } from '../../../../spherelet-agent/src/spherelet-agent.config';
import { SphereletAgentModule } from '../../../../spherelet-agent/src/spherelet-agent.module';
import { gatewayCaller } from '../gateway-call.spec-support';
import { GatewayWithPolicy, startGatewayWithPolicy } from '../gateway-with-policy.spec-support';
import { KUBELET_ANSWER_TIMEOUT_MS } from './node-proxy';

/**
 * `nodes/<name>/proxy` end to end: the real gateway asks the hosts of a real spherelet-agent (a sim fleet of two, in
 * this process, their leases renewed by the real scheduler) over NATS, and passes their kubelet answers back; a host
 * whose agent is gone is a 503 at once.
 */
describe('the nodes/proxy subresource (api-gateway and a spherelet-agent)', () => {
  let stack: GatewayWithPolicy;
  let scheduler: RunningService<any>;
  let agent: RunningService<any> | undefined;
  const call = gatewayCaller(() => stack.dataDir);
  const PROXY = '/api/v1/nodes/sim-1/proxy';

  beforeAll(async () => {
    stack = await startGatewayWithPolicy('nodeproxy', { gatewayEnv: { GATEWAY_PRECOMPILE_SCHEMAS: 'false' } });
    scheduler = await startService({ name: 'scheduler', configSchema: schedulerConfigSchema, module: () => SchedulerModule }, { ...stack.env(), DATASTORE_DIR: join(stack.dataDir, 'datastore') });
    agent = await startService(
      { name: 'spherelet-agent', configSchema: agentConfigSchema, module: () => SphereletAgentModule },
      { ...stack.env(), HOST_NAME: 'sim', SIM_FLEET_HOSTS: '2', HOST_PODS: '20', METRICS_INTERVAL_MS: '500' },
    );
    await eventually(async () => expect((await call('GET', '/api/v1/nodes')).json.items.map((n: any) => n.metadata.name)).toEqual(['sim-1', 'sim-2']), { timeoutMs: 30_000 });
  }, 90_000);
  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
    await stack?.stop();
  }, 30_000);

  it("answers each host's healthz from that host, and redirects a path ending at /proxy as kube-apiserver does", async () => {
    const health = await call('GET', `${PROXY}/healthz`);
    expect([health.status, health.text, health.headers['content-type']]).toEqual([200, 'ok', 'text/plain; charset=utf-8']);
    expect((await call('GET', '/api/v1/nodes/sim-2:10250/proxy/healthz?verbose')).text).toBe('[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n');
    const bare = await call('GET', `${PROXY}?x=1`);
    expect([bare.status, bare.headers.location]).toEqual([301, `${PROXY}/?x=1`]);
  });

  it("lists a host's pods, and serves its Summary API and resource metrics with them", async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'sim-1', containers: [{ name: 'main', image: 'busybox' }] } };
    await eventually(async () => expect((await call('POST', '/api/v1/namespaces/default/pods', pod)).status).toBe(201), { timeoutMs: 20_000 });
    const uid = (await call('GET', '/api/v1/namespaces/default/pods/web')).json.metadata.uid;

    const summary = await eventually(async () => {
      const pods = (await call('GET', `${PROXY}/pods`)).json;
      expect(pods).toMatchObject({ kind: 'PodList', apiVersion: 'v1', items: [{ metadata: { name: 'web', uid }, status: { phase: 'Running' } }] });
      const answer = (await call('GET', `${PROXY}/stats/summary`)).json;
      expect(answer.pods.map((p: any) => p.podRef)).toEqual([{ name: 'web', namespace: 'default', uid }]);
      return answer;
    }, { timeoutMs: 30_000 });
    // A sim host's containers run nowhere and use nothing.
    expect(summary.node).toMatchObject({ nodeName: 'sim-1', cpu: { usageCoreNanoSeconds: 0 }, memory: { workingSetBytes: 0 } });
    expect(summary.pods[0].containers).toEqual([{ name: 'main', startTime: expect.stringMatching(/Z$/), cpu: expect.objectContaining({ usageCoreNanoSeconds: 0 }), memory: expect.objectContaining({ workingSetBytes: 0 }) }]);
    expect((await call('GET', '/api/v1/nodes/sim-2/proxy/pods')).json.items).toEqual([]);

    const metrics = await call('GET', `${PROXY}/metrics/resource`);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.text).toMatch(/^container_cpu_usage_seconds_total\{container="main",namespace="default",pod="web"\} 0 \d{13}$/m);
    expect(metrics.text).toMatch(/^resource_scrape_error 0$/m);
    expect((await call('GET', `${PROXY}/configz`)).json).toEqual({ kubeletconfig: expect.objectContaining({ maxPods: 20, registerNode: true }) });
  });

  it("answers kubelet's 404 for a path it does not serve, and kube-apiserver's 404 and 400 for a Node it cannot reach", async () => {
    expect(await call('GET', `${PROXY}/logs/`)).toMatchObject({ status: 404, text: '404 page not found\n' });
    const missing = await call('GET', '/api/v1/nodes/nope/proxy/healthz');
    expect(missing.json).toMatchObject({ kind: 'Status', code: 404, reason: 'NotFound', message: 'nodes "nope" not found' });
    expect((await call('GET', '/api/v1/nodes/sim-1:8080/proxy/healthz')).json).toMatchObject({ code: 400, message: 'address not allowed' });
    expect((await call('GET', '/api/v1/nodes/a:b:c:d/proxy/healthz')).json).toMatchObject({ code: 400, message: 'invalid node request "a:b:c:d"' });
  });

  it('answers 503 at once for a host whose agent is gone', async () => {
    await agent!.stop();
    agent = undefined;
    const started = Date.now();
    const down = await call('GET', `${PROXY}/stats/summary`);
    expect(down.json).toMatchObject({ kind: 'Status', code: 503, reason: 'ServiceUnavailable', message: expect.stringContaining('error trying to reach service: host sim-1 does not answer') });
    expect(Date.now() - started).toBeLessThan(KUBELET_ANSWER_TIMEOUT_MS);
  });
});
