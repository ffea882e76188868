import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/** apps/v1 Deployments and ReplicaSets through the real kubectl: rollout, rolling update, history, undo, scale, replacement, cleanup. */
const deployment = (version: string, replicas = 3) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'app',
              image: 'busybox',
              command: ['sleep', '3600'],
              env: [{ name: 'VERSION', value: version }],
              // Ready only once the probe ran: the rollout waits for it.
              readinessProbe: { exec: { command: ['true'] }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  });

const isReady = (p: any) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const versionOf = (p: any) => p.spec.containers[0].env.find((e: any) => e.name === 'VERSION').value;

describe('Deployments and ReplicaSets', () => {
  let cluster: TestCluster;
  const pods = async (): Promise<any[]> => JSON.parse((await cluster.kubectl(['get', 'pods', '-l', 'app=web', '-o', 'json'])).stdout).items;
  const rolloutStatus = async () => {
    const r = await cluster.kubectl(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployment "web" successfully rolled out');
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'deployments' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('refuses a selector that does not match the template, a changed selector and negative replicas', async () => {
    const bad = JSON.parse(deployment('v1'));
    bad.metadata.name = 'bad';
    bad.spec.selector.matchLabels = { app: 'other' };
    const r1 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toContain('spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`');

    const neg = JSON.parse(deployment('v1'));
    neg.metadata.name = 'neg';
    neg.spec.replicas = -1;
    const r2 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(neg) });
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toContain('spec.replicas');

    const ok = JSON.parse(deployment('v1', 0));
    ok.metadata.name = 'sel';
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(ok) })).code).toBe(0);
    ok.spec.selector.matchLabels = { app: 'web', tier: 'x' };
    ok.spec.template.metadata.labels = { app: 'web', tier: 'x' };
    const r3 = await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(ok) });
    expect(r3.code).not.toBe(0);
    expect(r3.stderr).toMatch(/spec\.selector: Invalid value: .*field is immutable/);
    expect((await cluster.kubectl(['delete', 'deployment', 'sel'])).code).toBe(0);
  }, 60_000);

  it('creates a Deployment with kubectl create deployment, which sends protobuf', async () => {
    const r = await cluster.kubectl(['create', 'deployment', 'made', '--image=busybox', '--replicas=2', '--port=8080', '--', 'sleep', '3600']);
    expect(r.stdout.trim()).toBe('deployment.apps/made created');
    const d = JSON.parse((await cluster.kubectl(['get', 'deployment', 'made', '-o', 'json'])).stdout);
    expect(d.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: 'made' } }, template: { metadata: { labels: { app: 'made' } } } });
    expect(d.spec.template.spec.containers).toEqual([
      expect.objectContaining({ name: 'busybox', image: 'busybox', command: ['sleep', '3600'], ports: [{ containerPort: 8080, protocol: 'TCP' }] }),
    ]);
    const status = await cluster.kubectl(['rollout', 'status', 'deployment/made', '--timeout=120s']);
    expect(status.stdout).toContain('deployment "made" successfully rolled out');
    expect((await cluster.kubectl(['delete', 'deployment', 'made'])).code).toBe(0);
  }, 150_000);

  it('rolls out three replicas, then a rolling update never goes below the replicas, with two revisions in history', async () => {
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('v1') })).code).toBe(0);
    await rolloutStatus();
    expect((await cluster.kubectl(['get', 'deploy', 'web', '--no-headers'])).stdout).toMatch(/^web\s+3\/3\s+3\s+3\s+\S+\n$/);
    const rs1 = (await cluster.kubectl(['get', 'rs', '-l', 'app=web', '--no-headers'])).stdout;
    expect(rs1).toMatch(/^web-[a-z0-9]{10}\s+3\s+3\s+3\s+\S+\n$/);
    const first = await pods();
    expect(first).toHaveLength(3);
    for (const p of first) {
      expect(p.metadata.name).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ apiVersion: 'apps/v1', kind: 'ReplicaSet', controller: true })]);
      expect(p.metadata.labels['pod-template-hash']).toMatch(/^[a-z0-9]{10}$/);
      expect(versionOf(p)).toBe('v1');
    }

    // Sample the Ready pods all through the update: with maxUnavailable 0 there are never fewer than 3.
    let sampling = true;
    const samples: number[] = [];
    const versionsSeen = new Set<string>();
    const sampler = (async () => {
      while (sampling) {
        const items = await pods();
        samples.push(items.filter(isReady).length);
        for (const p of items.filter(isReady)) versionsSeen.add(versionOf(p));
      }
    })();
    try {
      expect((await cluster.kubectl(['apply', '-f', '-'], { input: deployment('v2') })).code).toBe(0);
      await rolloutStatus();
      await eventually(async () => {
        const now = await pods();
        expect(now).toHaveLength(3);
        expect(now.map(versionOf)).toEqual(['v2', 'v2', 'v2']);
      }, { timeoutMs: 30_000 });
    } finally {
      sampling = false;
      await sampler;
    }
    expect(samples.length).toBeGreaterThan(5);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(3);
    expect([...versionsSeen].sort()).toEqual(['v1', 'v2']);

    const history = (await cluster.kubectl(['rollout', 'history', 'deployment/web'])).stdout;
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const rev2 = (await cluster.kubectl(['rollout', 'history', 'deployment/web', '--revision=2'])).stdout;
    expect(rev2).toContain('deployment.apps/web with revision #2');
    expect(rev2).toMatch(/VERSION:\s+v2/);
  }, 240_000);

  it('rolls back with rollout undo: the pods carry the old template again', async () => {
    const undo = await cluster.kubectl(['rollout', 'undo', 'deployment/web']);
    expect(undo.stderr).toBe('');
    expect(undo.stdout.trim()).toBe('deployment.apps/web rolled back');
    await rolloutStatus();
    await eventually(async () => {
      const now = await pods();
      expect(now).toHaveLength(3);
      expect(now.map(versionOf)).toEqual(['v1', 'v1', 'v1']);
    }, { timeoutMs: 60_000 });
    const d = JSON.parse((await cluster.kubectl(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    expect(d.metadata.annotations['deployment.kubernetes.io/revision']).toBe('3');
    expect((await cluster.kubectl(['rollout', 'history', 'deployment/web'])).stdout).toMatch(/\n2\s+<none>\n3\s+<none>\n/);
    // The ReplicaSet taken up again keeps the revision it had.
    const rss = JSON.parse((await cluster.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'json'])).stdout).items;
    const back = rss.find((rs: any) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '3');
    expect(back.metadata.annotations['deployment.kubernetes.io/revision-history']).toBe('1');
  }, 180_000);

  it('scales with kubectl scale and rollout restart replaces every pod', async () => {
    expect((await cluster.kubectl(['scale', 'deployment/web', '--replicas=5'])).stdout.trim()).toBe('deployment.apps/web scaled');
    await eventually(async () => expect((await pods()).filter(isReady)).toHaveLength(5), { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['scale', 'deployment', 'web', '--replicas=2'])).code).toBe(0);
    await eventually(async () => {
      const now = await pods();
      expect(now).toHaveLength(2);
      expect(now.filter(isReady)).toHaveLength(2);
    }, { timeoutMs: 60_000 });
    await rolloutStatus();

    const before = (await pods()).map((p) => p.metadata.name).sort();
    const restart = await cluster.kubectl(['rollout', 'restart', 'deployment/web']);
    expect(restart.stdout.trim()).toBe('deployment.apps/web restarted');
    await rolloutStatus();
    await eventually(async () => {
      const now = await pods();
      expect(now).toHaveLength(2);
      for (const p of now) expect(before).not.toContain(p.metadata.name);
    }, { timeoutMs: 60_000 });
  }, 240_000);

  it('replaces a deleted pod and a pod whose host died', async () => {
    const [victim] = await pods();
    expect((await cluster.kubectl(['delete', 'pod', victim.metadata.name])).code).toBe(0);
    await eventually(async () => {
      const now = await pods();
      expect(now.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
      expect(now.filter(isReady)).toHaveLength(2);
    }, { timeoutMs: 60_000 });

    const [onHost] = (await pods()).filter(isReady);
    const host = onHost.spec.nodeName;
    cluster.killHost(host);
    await eventually(async () => {
      const now = (await pods()).filter((p) => p.status.phase === 'Running' && isReady(p));
      expect(now).toHaveLength(2);
      for (const p of now) expect(p.spec.nodeName).not.toBe(host);
    }, { timeoutMs: 90_000 });
  }, 180_000);

  it('keeps the replicas kubectl scale set from a server-side apply that would undo them, as Kubernetes does', async () => {
    // kubectl scale names no field manager: it is "kubectl" (its User-Agent) with subresource "scale", another writer than kubectl's apply.
    const ssa = (replicas?: number) => {
      const d = JSON.parse(deployment('v1', replicas ?? 0));
      d.metadata = { name: 'ssa', labels: { app: 'ssa' } };
      d.spec.selector.matchLabels = { app: 'ssa' };
      d.spec.template.metadata.labels = { app: 'ssa' };
      if (replicas === undefined) delete d.spec.replicas;
      return JSON.stringify(d);
    };
    expect((await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: ssa(0) })).stdout.trim()).toBe('deployment.apps/ssa serverside-applied');
    expect((await cluster.kubectl(['scale', 'deployment/ssa', '--replicas=1'])).code).toBe(0);
    const refused = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: ssa(0) });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/conflict with "kubectl" with subresource "scale" using apps\/v1 at \S+: \.spec\.replicas/);
    // Leaving the replicas out of the configuration leaves them to the scaler.
    expect((await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: ssa() })).code).toBe(0);
    const d = JSON.parse((await cluster.kubectl(['get', 'deploy', 'ssa', '-o', 'json', '--show-managed-fields'])).stdout);
    expect(d.spec.replicas).toBe(1);
    const applied = d.metadata.managedFields.find((e: any) => e.manager === 'kubectl' && e.operation === 'Apply');
    expect(applied.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"app"}']).toHaveProperty('f:image');
    expect(applied.fieldsV1['f:spec']).not.toHaveProperty('f:replicas');
    expect((await cluster.kubectl(['delete', 'deployment', 'ssa'])).code).toBe(0);
  }, 90_000);

  it('a relabelled pod leaves its ReplicaSet, which replaces it; a Deployment deleted with --cascade=orphan and made again adopts its ReplicaSet', async () => {
    const keep = JSON.parse(deployment('v1', 2));
    keep.metadata = { name: 'keep', labels: { app: 'keep' } };
    keep.spec.selector.matchLabels = { app: 'keep' };
    keep.spec.template.metadata.labels = { app: 'keep' };
    const kept = async (): Promise<any[]> => JSON.parse((await cluster.kubectl(['get', 'pods', '-l', 'app=keep', '-o', 'json'])).stdout).items;
    const replicaSets = async (): Promise<any[]> => JSON.parse((await cluster.kubectl(['get', 'rs', '-l', 'app=keep', '-o', 'json'])).stdout).items;
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(keep) })).code).toBe(0);
    expect((await cluster.kubectl(['rollout', 'status', 'deployment/keep', '--timeout=120s'])).code).toBe(0);

    // Taking a pod out of its ReplicaSet by its labels (to debug it, say): it keeps running, unowned, and is replaced.
    const [taken] = await kept();
    expect((await cluster.kubectl(['label', 'pod', taken.metadata.name, 'app=debug', '--overwrite'])).code).toBe(0);
    await eventually(async () => {
      const now = (await kept()).filter(isReady);
      expect(now).toHaveLength(2);
      expect(now.map((p) => p.metadata.name)).not.toContain(taken.metadata.name);
      const debug = JSON.parse((await cluster.kubectl(['get', 'pod', taken.metadata.name, '-o', 'json'])).stdout);
      expect(debug.metadata.ownerReferences).toBeUndefined();
      expect(debug.status.phase).toBe('Running');
    }, { timeoutMs: 60_000 });

    // Orphaned, then adopted by the Deployment made again: the same ReplicaSet and pods, no new rollout.
    const [rs] = await replicaSets();
    const podNames = (await kept()).map((p) => p.metadata.name).sort();
    expect((await cluster.kubectl(['delete', 'deployment', 'keep', '--cascade=orphan'])).code).toBe(0);
    await eventually(async () => {
      const [orphan] = await replicaSets();
      expect(orphan.metadata.name).toBe(rs.metadata.name);
      expect(orphan.metadata.ownerReferences).toBeUndefined();
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(keep) })).code).toBe(0);
    const uid = JSON.parse((await cluster.kubectl(['get', 'deployment', 'keep', '-o', 'json'])).stdout).metadata.uid;
    await eventually(async () => {
      const all = await replicaSets();
      expect(all).toHaveLength(1);
      expect(all[0].metadata.name).toBe(rs.metadata.name);
      expect(all[0].metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'keep', uid, controller: true })]);
    }, { timeoutMs: 30_000 });
    expect((await cluster.kubectl(['rollout', 'status', 'deployment/keep', '--timeout=60s'])).code).toBe(0);
    expect((await kept()).map((p) => p.metadata.name).sort()).toEqual(podNames);

    expect((await cluster.kubectl(['delete', 'deployment', 'keep'])).code).toBe(0);
    expect((await cluster.kubectl(['delete', 'pod', taken.metadata.name, '--grace-period=0'])).code).toBe(0);
  }, 240_000);

  it('scaled in the middle of a rollout, spreads the change over its ReplicaSets in proportion to their sizes', async () => {
    const grow = JSON.parse(deployment('v1', 2));
    grow.metadata = { name: 'grow', labels: { app: 'grow' } };
    grow.spec.selector.matchLabels = { app: 'grow' };
    grow.spec.template.metadata.labels = { app: 'grow' };
    grow.spec.strategy.rollingUpdate = { maxSurge: 1, maxUnavailable: 1 };
    // The ReplicaSets by their pods' readiness command (`true`: the first template, `false`: the second).
    const replicaSets = async () => Object.fromEntries(JSON.parse((await cluster.kubectl(['get', 'rs', '-l', 'app=grow', '-o', 'json'])).stdout).items
      .map((rs: any) => [rs.spec.template.spec.containers[0].readinessProbe.exec.command[0], rs]));
    const sizes = async () => Object.fromEntries(Object.entries(await replicaSets()).map(([k, rs]: [string, any]) => [k, rs.spec.replicas]));
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(grow) })).code).toBe(0);
    expect((await cluster.kubectl(['rollout', 'status', 'deployment/grow', '--timeout=120s'])).code).toBe(0);
    // A template whose pods never become Ready: the rollout stops at new 2, old 1 (2 replicas, surge 1, 1 unavailable).
    const never = '[{"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/exec/command","value":["false"]}]';
    expect((await cluster.kubectl(['patch', 'deployment', 'grow', '--type=json', '-p', never])).code).toBe(0);
    await eventually(async () => expect(await sizes()).toEqual({ true: 1, false: 2 }), { timeoutMs: 60_000 });
    expect((await cluster.kubectl(['rollout', 'pause', 'deployment/grow'])).code).toBe(0);
    expect((await cluster.kubectl(['scale', 'deployment/grow', '--replicas=4'])).code).toBe(0);
    // 3 pods of 2 + 1 become 5 of 4 + 1: the new ReplicaSet 2/3 of them (3), the old one 1/3 (2).
    await eventually(async () => expect(await sizes()).toEqual({ true: 2, false: 3 }), { timeoutMs: 30_000 });
    const { true: old, false: next } = await replicaSets();
    const events = (await cluster.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=grow', '-o', 'json'])).stdout;
    expect(JSON.parse(events).items.map((e: any) => e.message)).toEqual(expect.arrayContaining([
      `Scaled up replica set ${old.metadata.name} from 1 to 2`,
      `Scaled up replica set ${next.metadata.name} from 2 to 3`,
    ]));
    expect((await cluster.kubectl(['delete', 'deployment', 'grow'])).code).toBe(0);
  }, 240_000);

  it('with Recreate makes its new ReplicaSet only once the old pods are gone, and never says it scaled from 0 to 0', async () => {
    const recreate = (version: string) => {
      const d = JSON.parse(deployment(version, 2));
      d.metadata.name = 'rec';
      d.metadata.labels = { app: 'rec' };
      d.spec.selector.matchLabels = { app: 'rec' };
      d.spec.template.metadata.labels = { app: 'rec' };
      d.spec.strategy = { type: 'Recreate' };
      return JSON.stringify(d);
    };
    expect((await cluster.kubectl(['apply', '-f', '-'], { input: recreate('v1') })).code).toBe(0);
    expect((await cluster.kubectl(['rollout', 'status', 'deployment/rec', '--timeout=120s'])).code).toBe(0);
    const firstRs = JSON.parse((await cluster.kubectl(['get', 'rs', '-l', 'app=rec', '-o', 'json'])).stdout).items.map((rs: any) => rs.metadata.name);
    expect(firstRs).toHaveLength(1);
    let sampling = true;
    const overlaps: string[] = [];
    const sampler = (async () => {
      while (sampling) {
        const items = JSON.parse((await cluster.kubectl(['get', 'rs,pods', '-l', 'app=rec', '-o', 'json'])).stdout).items;
        const newRs = items.filter((o: any) => o.kind === 'ReplicaSet' && !firstRs.includes(o.metadata.name));
        const oldPods = items.filter((o: any) => o.kind === 'Pod' && o.metadata.name.startsWith(`${firstRs[0]}-`) && !['Succeeded', 'Failed'].includes(o.status?.phase));
        if (newRs.length > 0 && oldPods.length > 0) overlaps.push(`${newRs[0].metadata.name} beside ${oldPods.map((p: any) => p.metadata.name).join(',')}`);
      }
    })();
    try {
      expect((await cluster.kubectl(['apply', '-f', '-'], { input: recreate('v2') })).code).toBe(0);
      expect((await cluster.kubectl(['rollout', 'status', 'deployment/rec', '--timeout=120s'])).code).toBe(0);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(overlaps).toEqual([]);
    const described = (await cluster.kubectl(['describe', 'deployment', 'rec'])).stdout;
    expect(described).toMatch(new RegExp(`Scaled down replica set ${firstRs[0]} from 2 to 0`));
    expect(described).toMatch(/Scaled up replica set rec-[a-z0-9]{10} from 0 to 2/);
    expect(described).not.toContain('from 0 to 0');
    expect((await cluster.kubectl(['delete', 'deployment', 'rec'])).code).toBe(0);
  }, 240_000);

  it('backs off a ReplicaSet a quota refuses (no flood of FailedCreate Events), and its Deployment reports ReplicaFailure', async () => {
    expect((await cluster.kubectl(['create', 'namespace', 'quota-bound'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'quota', 'q', '--hard=pods=1', '-n', 'quota-bound'])).code).toBe(0);
    expect((await cluster.kubectl(['create', 'deployment', 'capped', '--image=busybox', '--replicas=3', '-n', 'quota-bound', '--', 'sleep', '3600'])).code).toBe(0);
    const failedCreates = async () => JSON.parse((await cluster.kubectl(['get', 'events', '-n', 'quota-bound', '-o', 'json'])).stdout).items.filter((e: any) => e.reason === 'FailedCreate');
    const described = await eventually(async () => {
      const out = (await cluster.kubectl(['describe', 'deployment', 'capped', '-n', 'quota-bound'])).stdout;
      expect(out).toMatch(/ReplicaFailure\s+True\s+FailedCreate/);
      return out;
    }, { timeoutMs: 60_000 });
    expect(described).toMatch(/Available\s+False\s+MinimumReplicasUnavailable/);
    const d = JSON.parse((await cluster.kubectl(['get', 'deployment', 'capped', '-n', 'quota-bound', '-o', 'json'])).stdout);
    const rf = d.status.conditions.find((c: any) => c.type === 'ReplicaFailure');
    expect(rf.message).toMatch(/^pods "capped-[a-z0-9]{10}-[a-z0-9]{5}" is forbidden: exceeded quota: q/);
    // After the first ten seconds of exponential back-off (5 ms doubling), at most a few more tries in the next ten.
    await new Promise((r) => setTimeout(r, 10_000));
    const before = (await failedCreates()).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(40);
    await new Promise((r) => setTimeout(r, 10_000));
    expect((await failedCreates()).length - before).toBeLessThanOrEqual(3);
    // The RS's condition keeps its first message: no status write per refusal.
    const rs = JSON.parse((await cluster.kubectl(['get', 'rs', '-n', 'quota-bound', '-o', 'json'])).stdout).items[0];
    expect(rs.status.conditions).toEqual([expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: rf.message })]);
    expect((await cluster.kubectl(['delete', 'namespace', 'quota-bound', '--wait=false'])).code).toBe(0);
  }, 180_000);

  it('deleting the Deployment takes its ReplicaSets and pods with it', async () => {
    expect((await cluster.kubectl(['delete', 'deployment', 'web'])).code).toBe(0);
    await eventually(async () => {
      expect((await cluster.kubectl(['get', 'rs', '-l', 'app=web', '-o', 'name'])).stdout).toBe('');
      expect(await pods()).toHaveLength(0);
    }, { timeoutMs: 60_000 });
  }, 90_000);
});
