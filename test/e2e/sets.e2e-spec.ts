import { eventually, startCluster, TestCluster } from '@openpacific/testing';

/**
 * apps/v1 DaemonSets and StatefulSets through the real kubectl: a daemon pod per eligible host, node selectors,
 * rolling updates with history and undo; members with stable names, storage and DNS names, made and removed in
 * order, rolled from the highest ordinal down, with a partition; bad input refused.
 */
const busybox = (command: string) => ({ name: 'c', image: 'busybox', command: ['sh', '-c', command] });

const daemonSet = (name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [busybox('sleep 3600')], ...podSpec } },
      ...spec,
    },
  });

const statefulSet = (name: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ ...busybox('hostname >> /data/names; exec sleep 3600'), volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } } }],
      ...spec,
    },
  });

describe('DaemonSets and StatefulSets', () => {
  let cluster: TestCluster;
  const kubectl = (args: string[], opts?: { input?: string; timeoutMs?: number }) => cluster.kubectl(args, opts);
  const getJson = async (...args: string[]) => JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout);
  const apply = async (manifest: string) => {
    const r = await kubectl(['apply', '-f', '-'], { input: manifest });
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
  };
  const podsOf = async (app: string): Promise<any[]> => (await getJson('pods', '-l', `app=${app}`)).items.filter((p: any) => !p.metadata.deletionTimestamp);
  const rolledOut = async (what: string) => {
    const r = await kubectl(['rollout', 'status', what, '--timeout=120s'], { timeoutMs: 130_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  /**
   * `kubectl delete --cascade=orphan` leaves the pods running, their owner references gone (the garbage collector's
   * orphan finalizer); the same manifest applied again adopts them and their history back, without a restart or a roll.
   */
  const orphanedAndAdoptedBack = async (resource: 'ds' | 'sts', kind: string, name: string, manifest: string) => {
    const uids = (pods: any[]) => pods.map((p) => p.metadata.uid).sort();
    const before = await podsOf(name);
    expect(before.length).toBeGreaterThan(0);
    expect((await kubectl(['delete', resource, name, '--cascade=orphan'])).code).toBe(0);
    await eventually(async () => {
      expect((await kubectl(['get', resource, name])).stderr).toContain('NotFound');
      const pods = await podsOf(name);
      expect(uids(pods)).toEqual(uids(before));
      for (const p of pods) {
        expect(p.metadata.ownerReferences).toBeUndefined();
        expect(p.status.phase).toBe('Running');
      }
      for (const rev of (await getJson('controllerrevisions', '-l', `app=${name}`)).items) expect(rev.metadata.ownerReferences).toBeUndefined();
    }, { timeoutMs: 60_000 });
    await apply(manifest);
    const owner = await getJson(resource, name);
    const ownedBy = [expect.objectContaining({ kind, name, uid: owner.metadata.uid, controller: true })];
    await eventually(async () => {
      const pods = await podsOf(name);
      expect(uids(pods)).toEqual(uids(before));
      for (const p of pods) {
        expect(p.metadata.ownerReferences).toEqual(ownedBy);
        expect(p.status.containerStatuses[0].restartCount).toBe(before.find((b) => b.metadata.uid === p.metadata.uid).status.containerStatuses[0].restartCount);
      }
      const revisions = (await getJson('controllerrevisions', '-l', `app=${name}`)).items;
      expect(revisions).toHaveLength(1);
      expect(revisions[0].metadata.ownerReferences).toEqual(ownedBy);
    }, { timeoutMs: 60_000 });
    await rolledOut(`${resource}/${name}`);
    expect(uids(await podsOf(name))).toEqual(uids(before));
    expect((await kubectl(['delete', resource, name])).code).toBe(0);
    await eventually(async () => expect(await podsOf(name)).toEqual([]), { timeoutMs: 60_000 });
  };

  beforeAll(async () => {
    cluster = await startCluster({ label: 'sets' });
    await cluster.hostsReady(3);
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  describe('DaemonSet', () => {
    it('runs one pod on every host, pinned there, and says so in the table and the rollout status', async () => {
      await apply(daemonSet('agents'));
      expect(await rolledOut('ds/agents')).toContain('daemon set "agents" successfully rolled out');
      const pods = await podsOf('agents');
      expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(['host-1', 'host-2', 'host-3']);
      for (const pod of pods) {
        expect(pod.status.phase).toBe('Running');
        expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'agents', controller: true })]);
        expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }]);
        expect(pod.spec.tolerations).toEqual(expect.arrayContaining([{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }]));
      }
      expect((await kubectl(['get', 'ds', 'agents', '--no-headers'])).stdout).toMatch(/^agents\s+3\s+3\s+3\s+3\s+3\s+<none>\s+\d+s\n$/);
      const ds = await getJson('ds', 'agents');
      expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
      expect(ds.status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0 });
    }, 150_000);

    it('follows node labels: a pod where the selector matches, gone where it stops matching', async () => {
      expect((await kubectl(['label', 'node', 'host-2', 'edge=true'])).code).toBe(0);
      await apply(daemonSet('edge', {}, { nodeSelector: { edge: 'true' } }));
      await eventually(async () => expect((await podsOf('edge')).map((p) => p.spec.nodeName)).toEqual(['host-2']), { timeoutMs: 60_000 });
      expect((await kubectl(['label', 'node', 'host-3', 'edge=true'])).code).toBe(0);
      expect((await kubectl(['label', 'node', 'host-2', 'edge-'])).code).toBe(0);
      await eventually(async () => expect((await podsOf('edge')).map((p) => p.spec.nodeName)).toEqual(['host-3']), { timeoutMs: 60_000 });
      await eventually(async () => expect((await kubectl(['get', 'ds', 'edge', '--no-headers'])).stdout).toMatch(/^edge\s+1\s+1\s+1\s+1\s+1\s+edge=true\s/), { timeoutMs: 60_000 });
    }, 150_000);

    it('rolls a new template out host by host, keeps the history, and rolls back', async () => {
      const before = await podsOf('agents');
      expect((await kubectl(['set', 'env', 'ds/agents', 'MODE=two'])).code).toBe(0);
      expect(await rolledOut('ds/agents')).toContain('daemon set "agents" successfully rolled out');
      const after = await podsOf('agents');
      expect(after).toHaveLength(3);
      expect(after.map((p) => p.metadata.name).filter((n) => before.some((b) => b.metadata.name === n))).toEqual([]);
      expect(new Set(after.map((p) => p.metadata.labels['controller-revision-hash'])).size).toBe(1);
      for (const pod of after) expect(pod.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'two' }]);
      const history = await kubectl(['rollout', 'history', 'ds/agents']);
      expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
      expect((await kubectl(['get', 'controllerrevisions', '--no-headers'])).stdout).toMatch(/^agents-\w+\s+daemonset\.apps\/agents\s+2\s+\d+s$/m);
      const undo = await kubectl(['rollout', 'undo', 'ds/agents']);
      expect(undo.stderr).toBe('');
      expect(undo.stdout.trim()).toBe('daemonset.apps/agents rolled back');
      expect(await rolledOut('ds/agents')).toContain('successfully rolled out');
      await eventually(async () => {
        const pods = await podsOf('agents');
        expect(pods).toHaveLength(3);
        for (const pod of pods) expect(pod.spec.containers[0].env).toBeUndefined();
      }, { timeoutMs: 60_000 });
      expect((await kubectl(['rollout', 'history', 'ds/agents'])).stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    }, 300_000);

    it('releases a relabelled pod and replaces it; relabelled back, adopts it and keeps one pod on its host', async () => {
      const [taken] = await podsOf('agents');
      const host = taken.spec.nodeName;
      // creationTimestamp has whole seconds: the replacement must be made in a later second than the pod taken out,
      // or the two are of one age and the one kept is the first by name, as in kube-controller-manager.
      const age = Date.now() - Date.parse(taken.metadata.creationTimestamp);
      if (age < 2000) await new Promise((resolve) => setTimeout(resolve, 2000 - age));
      expect((await kubectl(['label', 'pod', taken.metadata.name, 'app=debug', '--overwrite'])).code).toBe(0);
      await eventually(async () => {
        const pods = await podsOf('agents');
        expect(pods.filter((p) => p.spec.nodeName === host && p.status.phase === 'Running')).toHaveLength(1);
        const released = await getJson('pod', taken.metadata.name);
        expect(released.metadata.ownerReferences).toBeUndefined();
        expect(released.status.phase).toBe('Running');
      }, { timeoutMs: 60_000 });
      expect((await kubectl(['label', 'pod', taken.metadata.name, 'app=agents', '--overwrite'])).code).toBe(0);
      // Adopted again: two pods of one revision on a host, and the newer one goes (kube-controller-manager keeps the oldest).
      await eventually(async () => {
        const pods = await podsOf('agents');
        expect(pods.filter((p) => p.spec.nodeName === host).map((p) => p.metadata.name)).toEqual([taken.metadata.name]);
        expect(pods.find((p) => p.metadata.name === taken.metadata.name).metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'agents', controller: true })]);
      }, { timeoutMs: 60_000 });
    }, 150_000);

    it('refuses a DaemonSet whose selector does not match its template, or with nothing it may take down', async () => {
      const bad = JSON.parse(daemonSet('bad'));
      bad.spec.selector.matchLabels.app = 'other';
      const r = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(bad) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('The DaemonSet "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad"}: `selector` does not match template `labels`');
      const zero = await kubectl(['apply', '-f', '-'], { input: daemonSet('zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }) });
      expect(zero.code).not.toBe(0);
      expect(zero.stderr).toContain('spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0');
      expect((await kubectl(['get', 'ds', 'bad', 'zero'])).stderr).toContain('NotFound');
    });

    it('leaves its pods running without an owner when deleted with --cascade=orphan, and adopts them back unrestarted when applied again', async () => {
      await apply(daemonSet('keepers'));
      await rolledOut('ds/keepers');
      await orphanedAndAdoptedBack('ds', 'DaemonSet', 'keepers', daemonSet('keepers'));
    }, 200_000);

    it('takes its pods with it when deleted', async () => {
      expect((await kubectl(['delete', 'ds', 'edge'])).code).toBe(0);
      await eventually(async () => expect(await podsOf('edge')).toEqual([]), { timeoutMs: 60_000 });
    }, 90_000);
  });

  describe('StatefulSet', () => {
    const ordinalsReady = async (n: number) =>
      eventually(async () => {
        const pods = await podsOf('web');
        expect(pods.map((p) => p.metadata.name).sort()).toEqual(Array.from({ length: n }, (_, i) => `web-${i}`));
        for (const p of pods) expect(p.status.conditions?.find((c: any) => c.type === 'Ready')?.status).toBe('True');
      }, { timeoutMs: 120_000, intervalMs: 250 });

    it('makes members in order, each with its own name, host name, claim and DNS name', async () => {
      await apply(JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] } }));
      await apply(statefulSet('web'));
      // kubectl words every RollingUpdate with a partition (defaulted to 0) so, as it does against Kubernetes.
      expect(await rolledOut('sts/web')).toMatch(/partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/);
      await ordinalsReady(3);
      const pods = (await podsOf('web')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      // OrderedReady: each member was made only once the one before it was Ready.
      for (let i = 1; i < 3; i++) {
        const readyAt = Date.parse(pods[i - 1].status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
        expect(Date.parse(pods[i].metadata.creationTimestamp)).toBeGreaterThanOrEqual(readyAt);
      }
      for (const [i, pod] of pods.entries()) {
        expect(pod.spec).toMatchObject({ hostname: `web-${i}`, subdomain: 'web' });
        expect(pod.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i) });
        expect(pod.spec.volumes).toEqual(expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: `data-web-${i}` } }]));
        expect((await kubectl(['exec', `web-${i}`, '--', 'hostname'])).stdout.trim()).toBe(`web-${i}`);
        expect((await kubectl(['exec', `web-${i}`, '--', 'cat', '/etc/hosts'])).stdout).toContain(`${pod.status.podIP}\tweb-${i}.web.default.svc.cluster.local\tweb-${i}\n`);
      }
      const claims = (await kubectl(['get', 'pvc', '--no-headers'])).stdout;
      for (let i = 0; i < 3; i++) expect(claims).toMatch(new RegExp(`^data-web-${i}\\s+Bound\\s`, 'm'));
      expect((await kubectl(['get', 'sts', 'web', '--no-headers'])).stdout).toMatch(/^web\s+3\/3\s+\d+s\n$/);
      const sts = await getJson('sts', 'web');
      expect(sts.spec).toMatchObject({ podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
      expect(sts.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3 });
      expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
      if (cluster.network.podCIDR !== '') {
        // Cluster DNS answers each member's own name through the headless Service.
        const r = await kubectl(['exec', 'web-0', '--', 'nslookup', 'web-2.web.default.svc.cluster.local']);
        expect(r.stdout).toContain(pods[2].status.podIP);
      }
    }, 200_000);

    it('gives a deleted member back under the same name with the same storage', async () => {
      const old = await getJson('pod', 'web-1');
      expect((await kubectl(['delete', 'pod', 'web-1'])).code).toBe(0);
      await eventually(async () => {
        const pod = await getJson('pod', 'web-1');
        expect(pod.metadata.uid).not.toBe(old.metadata.uid);
        expect(pod.status.phase).toBe('Running');
      }, { timeoutMs: 90_000, intervalMs: 250 });
      await eventually(async () => expect((await kubectl(['exec', 'web-1', '--', 'cat', '/data/names'])).stdout).toBe('web-1\nweb-1\n'), { timeoutMs: 30_000 });
    }, 150_000);

    it('scales down from the highest ordinal, keeps the claims, and finds them again on the way up', async () => {
      expect((await kubectl(['scale', 'sts/web', '--replicas=1'])).stdout.trim()).toBe('statefulset.apps/web scaled');
      await ordinalsReady(1);
      expect((await kubectl(['get', 'pvc', 'data-web-2', '--no-headers'])).stdout).toMatch(/^data-web-2\s+Bound/);
      expect((await kubectl(['scale', 'sts/web', '--replicas=3'])).code).toBe(0);
      await ordinalsReady(3);
      expect((await kubectl(['exec', 'web-2', '--', 'cat', '/data/names'])).stdout).toBe('web-2\nweb-2\n');
    }, 300_000);

    it('rolls a new template from the highest ordinal down, honours a partition, and rolls back', async () => {
      expect((await kubectl(['patch', 'sts/web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}}}}'])).code).toBe(0);
      expect((await kubectl(['set', 'env', 'sts/web', 'MODE=two'])).code).toBe(0);
      expect(await rolledOut('sts/web')).toContain('partitioned roll out complete: 1 new pods have been updated...');
      const mode = async (i: number) => (await getJson('pod', `web-${i}`)).spec.containers[0].env;
      expect(await mode(2)).toEqual([{ name: 'MODE', value: 'two' }]);
      expect(await mode(1)).toBeUndefined();
      expect((await kubectl(['patch', 'sts/web', '-p', '{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}}}}'])).code).toBe(0);
      expect(await rolledOut('sts/web')).toMatch(/partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/);
      for (let i = 0; i < 3; i++) expect(await mode(i)).toEqual([{ name: 'MODE', value: 'two' }]);
      const sts = await getJson('sts', 'web');
      expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
      expect((await kubectl(['rollout', 'history', 'sts/web'])).stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
      expect((await kubectl(['rollout', 'undo', 'sts/web'])).stdout.trim()).toBe('statefulset.apps/web rolled back');
      expect(await rolledOut('sts/web')).toMatch(/partitioned roll out complete: 3 new pods have been updated\.\.\.\n$/);
      for (let i = 0; i < 3; i++) expect(await mode(i)).toBeUndefined();
    }, 400_000);

    it('with minReadySeconds, makes the next member only once the one before has been Ready that long', async () => {
      const slow = JSON.parse(statefulSet('slow', { replicas: 2, minReadySeconds: 3 }));
      delete slow.spec.volumeClaimTemplates;
      slow.spec.template.spec.containers = [busybox('exec sleep 3600')];
      await apply(JSON.stringify(slow));
      await eventually(async () => expect((await getJson('sts', 'slow')).status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 }), { timeoutMs: 90_000, intervalMs: 500 });
      const [first, second] = (await podsOf('slow')).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const readyAt = Date.parse(first.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
      expect(Date.parse(second.metadata.creationTimestamp)).toBeGreaterThanOrEqual(readyAt + 3000);
    }, 120_000);

    it('releases a relabelled member, which holds its name until it goes; then makes the member again', async () => {
      const taken = await getJson('pod', 'slow-1');
      expect((await kubectl(['label', 'pod', 'slow-1', 'app=debug', '--overwrite'])).code).toBe(0);
      // As in Kubernetes: the member's name is taken by the released pod, so the set cannot make it yet.
      await eventually(async () => {
        expect((await getJson('pod', 'slow-1')).metadata.ownerReferences).toBeUndefined();
        const events = (await getJson('events', '--field-selector', 'involvedObject.name=slow')).items;
        expect(events).toEqual(expect.arrayContaining([expect.objectContaining({
          type: 'Warning', reason: 'FailedCreate', message: 'create Pod slow-1 in StatefulSet slow failed error: pods "slow-1" already exists',
        })]));
      }, { timeoutMs: 60_000 });
      expect((await kubectl(['delete', 'pod', 'slow-1'])).code).toBe(0);
      await eventually(async () => {
        const pod = await getJson('pod', 'slow-1');
        expect(pod.metadata.uid).not.toBe(taken.metadata.uid);
        expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'StatefulSet', name: 'slow', controller: true })]);
      }, { timeoutMs: 60_000 });
      expect((await kubectl(['delete', 'sts', 'slow'])).code).toBe(0);
    }, 150_000);

    it('leaves its members running without an owner when deleted with --cascade=orphan, and adopts them back unrestarted when applied again', async () => {
      await apply(statefulSet('kept', { replicas: 2 }));
      await rolledOut('sts/kept');
      await orphanedAndAdoptedBack('sts', 'StatefulSet', 'kept', statefulSet('kept', { replicas: 2 }));
    }, 240_000);

    it('refuses a maxUnavailable of 0, naming the field, and writes nothing', async () => {
      const r = await kubectl(['apply', '-f', '-'], { input: statefulSet('zero', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('The StatefulSet "zero" is invalid: spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: 0: cannot be 0');
      expect((await kubectl(['get', 'sts', 'zero'])).stderr).toContain('NotFound');
    });

    it('refuses changes to what a StatefulSet may not change, and writes nothing', async () => {
      const r = await kubectl(['patch', 'sts/web', '-p', '{"spec":{"serviceName":"other"}}']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("The StatefulSet \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
      expect((await getJson('sts', 'web')).spec.serviceName).toBe('web');
      const noStorage = JSON.parse(statefulSet('nostore'));
      delete noStorage.spec.volumeClaimTemplates[0].spec.resources;
      const bad = await kubectl(['apply', '-f', '-'], { input: JSON.stringify(noStorage) });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('spec.volumeClaimTemplates[0].spec.resources[storage]: Required value');
    });
  });
});
