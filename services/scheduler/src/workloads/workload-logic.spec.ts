import { claimObjects, deletionOrder, deploymentStatus, ownedPodEvent, podTemplateHash, selectedByAny, progressDeadlineAt, resolveFenceposts, rollingStep, sameTemplateIgnoringHash } from './workload-logic';

const rs = (name: string, replicas: number, available: number, revision: number) => ({ name, replicas, available, revision, created: `2026-01-0${revision}T00:00:00Z` });
const pod = (name: string, opts: { node?: string; phase?: string; ready?: boolean; created?: string } = {}) => ({
  metadata: { name, creationTimestamp: opts.created ?? '2026-01-01T00:00:00Z' },
  spec: opts.node ? { nodeName: opts.node } : {},
  status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }] },
});

describe('workload logic', () => {
  it('resolves maxSurge up and maxUnavailable down from percents, as Kubernetes does', () => {
    expect(resolveFenceposts(10, {})).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveFenceposts(3, { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } })).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(resolveFenceposts(1, { rollingUpdate: { maxSurge: '0%', maxUnavailable: '10%' } })).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('hashes a template stably, whatever the key order or the hash label', () => {
    const a = { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const b = { spec: { containers: [{ image: 'busybox', name: 'c' }] }, metadata: { labels: { tier: 'x', app: 'web', 'pod-template-hash': 'zzz' } } };
    expect(podTemplateHash(a)).toBe(podTemplateHash(b));
    expect(podTemplateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(sameTemplateIgnoringHash(a, b)).toBe(true);
    expect(sameTemplateIgnoringHash(a, { ...a, spec: { containers: [{ name: 'c', image: 'other' }] } })).toBe(false);
  });

  it('rolls with maxSurge 1 / maxUnavailable 0: surge first, scale an old pod down only once a new one is available', () => {
    const strategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    let step = rollingStep(3, strategy, rs('new', 0, 0, 2), [rs('old', 3, 3, 1)]);
    expect(step.newReplicas).toBe(1);
    expect(step.oldReplicas.get('old')).toBe(3);
    step = rollingStep(3, strategy, rs('new', 1, 0, 2), [rs('old', 3, 3, 1)]);
    expect([step.newReplicas, step.oldReplicas.get('old')]).toEqual([1, 3]);
    step = rollingStep(3, strategy, rs('new', 1, 1, 2), [rs('old', 3, 3, 1)]);
    expect([step.newReplicas, step.oldReplicas.get('old')]).toEqual([1, 2]);
    step = rollingStep(3, strategy, rs('new', 3, 3, 2), [rs('old', 1, 1, 1)]);
    expect([step.newReplicas, step.oldReplicas.get('old')]).toEqual([3, 0]);
  });

  it('never plans fewer available pods than desired - maxUnavailable', () => {
    for (let avail = 0; avail <= 4; avail++) {
      for (let newAvail = 0; newAvail <= 2; newAvail++) {
        const step = rollingStep(4, { rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, rs('new', 2, newAvail, 2), [rs('old', 4, avail, 1)]);
        const kept = newAvail + Math.min(avail, step.oldReplicas.get('old')!);
        expect(kept).toBeGreaterThanOrEqual(Math.min(3, newAvail + avail));
      }
    }
  });

  it('removes unscheduled, then pending, then not-ready, then newest pods first', () => {
    const order = deletionOrder([
      pod('old-ready', { node: 'h1', created: '2026-01-01T00:00:00Z' }),
      pod('new-ready', { node: 'h1', created: '2026-01-02T00:00:00Z' }),
      pod('not-ready', { node: 'h1', ready: false }),
      pod('pending', { node: 'h1', phase: 'Pending', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
    ]).map((p) => p.metadata.name);
    expect(order).toEqual(['unscheduled', 'pending', 'not-ready', 'new-ready', 'old-ready']);
  });

  it('reports a complete rollout as NewReplicaSetAvailable and a partial one as ReplicaSetUpdated', () => {
    const d = { metadata: { generation: 4 }, spec: { replicas: 3, strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } };
    const done = deploymentStatus(d, { replicas: 3, updated: 3, ready: 3, available: 3 }, 'web-abc', undefined, 'now');
    expect(done).toMatchObject({ observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(done.unavailableReplicas).toBeUndefined();
    expect(done.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual([
      ['Available', 'True', 'MinimumReplicasAvailable'],
      ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const partial = deploymentStatus(d, { replicas: 4, updated: 1, ready: 3, available: 3 }, 'web-abc', done.conditions, 'later');
    expect(partial.conditions[1]).toMatchObject({ reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.' });
    expect(partial.conditions[0].lastTransitionTime).toBe('now');
    const short = deploymentStatus(d, { replicas: 3, updated: 3, ready: 2, available: 2 }, 'web-abc', undefined, 'now');
    expect(short).toMatchObject({ unavailableReplicas: 1 });
    expect(short.conditions[0]).toMatchObject({ status: 'False', reason: 'MinimumReplicasUnavailable' });
  });

  describe('progress deadline', () => {
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const stalled = { replicas: 1, updated: 1, ready: 0, available: 0 };
    const d = (status: any) => ({ metadata: { generation: 1 }, spec: { replicas: 1, progressDeadlineSeconds: 5 }, status });
    const progressing = (at: string) => ({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.', lastUpdateTime: at, lastTransitionTime: at });

    it('times a rollout out once it made no progress for progressDeadlineSeconds, and keeps it timed out', () => {
      const first = deploymentStatus(d(undefined), stalled, 'web-abc', undefined, t(0));
      expect(first.conditions[1]).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: t(0) });
      expect(progressDeadlineAt(d(first), first)).toBe(Date.parse(t(5)));
      expect(deploymentStatus(d(first), stalled, 'web-abc', first.conditions, t(5)).conditions[1]).toMatchObject({ reason: 'ReplicaSetUpdated', lastUpdateTime: t(0) });
      const late = deploymentStatus(d(first), stalled, 'web-abc', first.conditions, t(6));
      expect(late.conditions[1]).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' });
      expect(deploymentStatus(d(late), stalled, 'web-abc', late.conditions, t(60)).conditions[1].reason).toBe('ProgressDeadlineExceeded');
      expect(progressDeadlineAt(d(late), late)).toBeUndefined();
    });

    it('starts the deadline again on new available or updated replicas, or a new ReplicaSet', () => {
      const before = { replicas: 2, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0, conditions: [progressing(t(0))] };
      const two = { ...d(before), spec: { replicas: 2, progressDeadlineSeconds: 5 } };
      const more = deploymentStatus(two, { replicas: 2, updated: 2, ready: 0, available: 0 }, 'web-abc', before.conditions, t(10));
      expect(more.conditions[1]).toMatchObject({ reason: 'ReplicaSetUpdated', lastUpdateTime: t(10) });
      const ready = deploymentStatus(two, { replicas: 2, updated: 1, ready: 1, available: 1 }, 'web-abc', before.conditions, t(10));
      expect(ready.conditions[1]).toMatchObject({ reason: 'ReplicaSetUpdated', lastUpdateTime: t(10) });
      const timedOut = [{ ...progressing(t(0)), status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.' }];
      const rolledAgain = deploymentStatus(d({ ...before, conditions: timedOut }), stalled, 'web-def', timedOut, t(20));
      expect(rolledAgain.conditions[1]).toMatchObject({ status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-def" is progressing.', lastUpdateTime: t(20) });
    });

    it('never times out a complete rollout or one without a deadline', () => {
      const done = { replicas: 1, updated: 1, ready: 1, available: 1 };
      expect(deploymentStatus(d(undefined), done, 'web-abc', [progressing(t(0))], t(60)).conditions[1].reason).toBe('NewReplicaSetAvailable');
      const none = { metadata: {}, spec: { replicas: 1 }, status: { replicas: 1, updatedReplicas: 1 } };
      expect(deploymentStatus(none, stalled, 'web-abc', [progressing(t(0))], t(6000)).conditions[1].reason).toBe('ReplicaSetUpdated');
    });
  });
});

describe('which pod events a controller of one owner kind reads', () => {
  const owned = (kind: string) => ({ metadata: { ownerReferences: [{ kind, name: 'o', uid: 'u', controller: true }] } });
  it('reads its own kind\'s pods, orphans one of its owners may adopt, any other resource, and pod events that carry only the fields they set', () => {
    expect(ownedPodEvent({ data: { resource: 'pods', object: owned('Job') } }, 'Job')).toBe(true);
    expect(ownedPodEvent({ data: { resource: 'pods', object: owned('ReplicaSet') } }, 'Job')).toBe(false);
    expect(ownedPodEvent({ data: { resource: 'pods', object: { metadata: {} } } }, 'Job')).toBe(false);
    const orphan = { metadata: { namespace: 'ns', labels: { app: 'agent' } } };
    const ds = (selector: any, extra: any = {}) => ({ metadata: { name: 'd', ...extra }, spec: { selector } });
    expect(ownedPodEvent({ data: { resource: 'pods', object: orphan } }, 'DaemonSet', (p) => selectedByAny([ds({ matchLabels: { app: 'agent' } })], p))).toBe(true);
    expect(ownedPodEvent({ data: { resource: 'pods', object: orphan } }, 'DaemonSet', (p) => selectedByAny([ds({ matchLabels: { app: 'web' } }), ds({})], p))).toBe(false);
    expect(selectedByAny([ds({ matchLabels: { app: 'agent' } }, { deletionTimestamp: '2026-01-01T00:00:00Z' })], orphan)).toBe(false);
    expect(ownedPodEvent({ data: { resource: 'pods', object: { metadata: { ownerReferences: [{ kind: 'ReplicaSet', uid: 'u' }] } } } }, 'Job')).toBe(false);
    expect(ownedPodEvent({ data: { resource: 'jobs.batch', object: owned('CronJob') } }, 'Job')).toBe(true);
    expect(ownedPodEvent({ data: { resource: 'pods', set: { status: { phase: 'Succeeded' } } } }, 'Job')).toBe(true);
  });
});

describe('claimObjects (adoption and release by selector)', () => {
  const owner = { kind: 'ReplicaSet', metadata: { uid: 'rs-1', namespace: 'ns' }, spec: { selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['db'] }] } } };
  const pod = (name: string, labels: Record<string, string>, controller?: string, extra: Record<string, unknown> = {}) => ({
    metadata: { name, labels, ...(controller ? { ownerReferences: [{ kind: 'ReplicaSet', uid: controller, controller: true }] } : {}), ...extra },
  });

  it('keeps its own matching objects, releases its own that no longer match, adopts matching orphans', () => {
    const mine = pod('a', { app: 'web' }, 'rs-1');
    const relabelled = pod('b', { app: 'debug' }, 'rs-1');
    const orphan = pod('c', { app: 'web', tier: 'front' });
    const claim = claimObjects(owner, [mine, relabelled, orphan]);
    expect(claim.owned.map((p) => p.metadata.name)).toEqual(['a', 'c']);
    expect(claim.release.map((p) => p.metadata.name)).toEqual(['b']);
    expect(claim.adopt.map((p) => p.metadata.name)).toEqual(['c']);
  });

  it("never touches another controller's objects, orphans being deleted or orphans the selector does not match", () => {
    const others = pod('d', { app: 'web' }, 'rs-2');
    const leaving = pod('e', { app: 'web' }, undefined, { deletionTimestamp: '2026-12-03T00:00:00Z' });
    const excluded = pod('f', { app: 'web', tier: 'db' });
    expect(claimObjects(owner, [others, leaving, excluded])).toEqual({ owned: [], adopt: [], release: [] });
  });

  it('with a membership rule, adopts only members and releases its own that stop being members', () => {
    const member = (p: any) => /^web-\d+$/.test(p.metadata.name);
    const orphanMember = pod('web-3', { app: 'web' });
    const orphanStranger = pod('web-x', { app: 'web' });
    const claim = claimObjects(owner, [orphanMember, orphanStranger, pod('other', { app: 'web' }, 'rs-1')], member);
    expect(claim.adopt.map((p) => p.metadata.name)).toEqual(['web-3']);
    expect(claim.release.map((p) => p.metadata.name)).toEqual(['other']);
  });

  it('a selector that requires nothing adopts and releases nothing', () => {
    const empty = { ...owner, spec: { selector: {} } };
    const mine = pod('a', { x: '1' }, 'rs-1');
    expect(claimObjects(empty, [mine, pod('o', {})])).toEqual({ owned: [mine], adopt: [], release: [] });
  });
});
