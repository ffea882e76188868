import { claimName, isHealthy, ordinalOf, planStatefulSet, SET_CREATES_PER_PASS, statefulSetMaxUnavailable } from './statefulset-logic';

const now = Date.parse('2026-12-03T08:00:00Z');
const revisions = { current: 'web-aaa', update: 'web-bbb' };
const OLD = revisions.current;
const NEW = revisions.update;

const sts = (spec: Record<string, unknown> = {}) => ({
  metadata: { name: 'web', namespace: 'default', generation: 4 },
  spec: { replicas: 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, ...spec },
});
const parallel = (spec: Record<string, unknown> = {}) => sts({ podManagementPolicy: 'Parallel', ...spec });

interface MemberOpts {
  rev?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  readySince?: string;
}
const member = (ordinal: number | string, { rev = NEW, ready = true, phase = 'Running', deleting = false, readySince = '2026-12-03T07:00:00Z' }: MemberOpts = {}) => ({
  metadata: {
    name: `web-${ordinal}`,
    labels: { app: 'web', 'controller-revision-hash': rev },
    ...(deleting ? { deletionTimestamp: '2026-12-03T07:59:59Z' } : {}),
  },
  status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: readySince }] },
});
const healthy = (...ordinals: number[]) => ordinals.map((o) => member(o));
const names = (pods: any[]) => pods.map((p) => p.metadata.name);
const ordinals = (plan: { create: Array<{ ordinal: number }> }) => plan.create.map((c) => c.ordinal);

describe('StatefulSet member names', () => {
  it('read the ordinal after `<set>-`, a plain non-negative integer', () => {
    const set = sts();
    expect(ordinalOf(set, 'web-0')).toBe(0);
    expect(ordinalOf(set, 'web-10')).toBe(10);
  });

  it('are not members when the ordinal is zero-padded, not a number, or the prefix differs', () => {
    const set = sts();
    expect(ordinalOf(set, 'web-01')).toBeUndefined();
    expect(ordinalOf(set, 'web-x')).toBeUndefined();
    expect(ordinalOf(set, 'web-')).toBeUndefined();
    expect(ordinalOf(set, 'web--1')).toBeUndefined();
    expect(ordinalOf(set, 'webx-1')).toBeUndefined();
    expect(ordinalOf(set, 'web')).toBeUndefined();
  });

  it("does not take another set's pod whose name starts with `<set>-` (web-api-0) for a member", () => {
    expect(ordinalOf(sts(), 'web-api-0')).toBeUndefined();
    expect(ordinalOf({ metadata: { name: 'web-api' } }, 'web-api-0')).toBe(0);
    const plan = planStatefulSet(sts({ replicas: 1 }), [member(0), member('api-0')], revisions, now);
    expect(plan.remove).toEqual([]);
    expect(plan.status.replicas).toBe(1);
  });

  it('name a claim `<claim template>-<set>-<ordinal>`', () => {
    expect(claimName({ metadata: { name: 'data' } }, sts(), 2)).toBe('data-web-2');
  });
});

describe('a StatefulSet member is healthy', () => {
  it('only when Running, Ready and not being deleted', () => {
    expect(isHealthy(member(0))).toBe(true);
    expect(isHealthy(member(0, { ready: false }))).toBe(false);
    expect(isHealthy(member(0, { phase: 'Pending' }))).toBe(false);
    expect(isHealthy(member(0, { deleting: true }))).toBe(false);
  });
});

describe('an OrderedReady StatefulSet pass', () => {
  it('creates ordinal 0 first, alone', () => {
    expect(planStatefulSet(sts(), [], revisions, now)).toMatchObject({ create: [{ ordinal: 0, revision: NEW }], remove: [] });
  });

  it('creates the next ordinal only once the one before is Running and Ready', () => {
    expect(ordinals(planStatefulSet(sts(), [member(0, { phase: 'Pending', ready: false })], revisions, now))).toEqual([]);
    expect(ordinals(planStatefulSet(sts(), [member(0, { ready: false })], revisions, now))).toEqual([]);
    expect(ordinals(planStatefulSet(sts(), [member(0)], revisions, now))).toEqual([1]);
    expect(ordinals(planStatefulSet(sts(), healthy(0, 1), revisions, now))).toEqual([2]);
    expect(planStatefulSet(sts(), healthy(0, 1, 2), revisions, now)).toMatchObject({ create: [], remove: [] });
  });

  it('waits while any member is not healthy', () => {
    expect(ordinals(planStatefulSet(sts(), [member(0), member(1, { ready: false })], revisions, now))).toEqual([]);
    expect(ordinals(planStatefulSet(sts(), [member(0), member(1, { deleting: true })], revisions, now))).toEqual([]);
    expect(ordinals(planStatefulSet(sts(), [member(0, { ready: false }), member(2)], revisions, now))).toEqual([]);
  });

  it('recreates a missing lower ordinal first', () => {
    expect(ordinals(planStatefulSet(sts(), [member(1), member(2)], revisions, now))).toEqual([0]);
  });

  it('removes a Failed member, one at a time, so that it is made again', () => {
    const failed = member(1, { phase: 'Failed', ready: false });
    expect(planStatefulSet(sts(), [member(0), failed, member(2, { phase: 'Succeeded', ready: false })], revisions, now)).toMatchObject({ create: [], remove: [failed] });
    expect(ordinals(planStatefulSet(sts(), [member(0), member(2)], revisions, now))).toEqual([1]);
  });

  it('waits for a Failed member already being deleted', () => {
    expect(planStatefulSet(sts(), [member(0), member(1, { phase: 'Failed', ready: false, deleting: true })], revisions, now)).toMatchObject({ create: [], remove: [] });
  });

  it('scales down from the highest ordinal, one at a time', () => {
    const pods = healthy(0, 1, 2, 3);
    const plan = planStatefulSet(sts({ replicas: 1 }), pods, revisions, now);
    expect(names(plan.remove)).toEqual(['web-3']);
    expect(planStatefulSet(sts({ replicas: 1 }), [...healthy(0, 1, 2), member(3, { deleting: true })], revisions, now).remove).toEqual([]);
  });

  it('scales down only when all remaining members are healthy', () => {
    expect(planStatefulSet(sts({ replicas: 2 }), [member(0), member(1, { ready: false }), member(2)], revisions, now).remove).toEqual([]);
    expect(names(planStatefulSet(sts({ replicas: 2 }), [...healthy(0, 1), member(2, { ready: false })], revisions, now).remove)).toEqual(['web-2']);
  });

  it('names members from spec.ordinals.start, condemning those below it', () => {
    const set = sts({ replicas: 2, ordinals: { start: 5 } });
    expect(ordinals(planStatefulSet(set, [], revisions, now))).toEqual([5]);
    expect(ordinals(planStatefulSet(set, [member(5)], revisions, now))).toEqual([6]);
    expect(planStatefulSet(set, healthy(5, 6), revisions, now)).toMatchObject({ create: [], remove: [] });
    expect(names(planStatefulSet(set, healthy(0, 5, 6), revisions, now).remove)).toEqual(['web-0']);
    expect(names(planStatefulSet(set, healthy(5, 6, 7), revisions, now).remove)).toEqual(['web-7']);
  });
});

describe('a Parallel StatefulSet pass', () => {
  it('creates every missing member at once, not waiting for health', () => {
    expect(ordinals(planStatefulSet(parallel(), [], revisions, now))).toEqual([0, 1, 2]);
    expect(ordinals(planStatefulSet(parallel(), [member(1, { phase: 'Pending', ready: false })], revisions, now))).toEqual([0, 2]);
  });

  it('plans at most SET_CREATES_PER_PASS members a pass, the lowest missing ones (2^31 - 1 replicas were all planned at once)', () => {
    const plan = planStatefulSet(parallel({ replicas: 2 ** 31 - 1 }), healthy(0, 1), revisions, now);
    expect(plan.create).toHaveLength(SET_CREATES_PER_PASS);
    expect(plan.create[0].ordinal).toBe(2);
    expect(plan.create[SET_CREATES_PER_PASS - 1].ordinal).toBe(SET_CREATES_PER_PASS + 1);
  });

  it('scales down all members beyond the replicas at once, highest first', () => {
    const plan = planStatefulSet(parallel({ replicas: 1 }), [member(0, { ready: false }), ...healthy(1, 2, 3)], revisions, now);
    expect(names(plan.remove)).toEqual(['web-3', 'web-2', 'web-1']);
  });

  it('removes every Failed member at once', () => {
    const failed = [member(0, { phase: 'Failed', ready: false }), member(2, { phase: 'Failed', ready: false })];
    expect(planStatefulSet(parallel(), [failed[0], member(1), failed[1]], revisions, now).remove).toEqual(failed);
  });
});

describe('a StatefulSet rolling update', () => {
  const olds = (...ordinals: number[]) => ordinals.map((o) => member(o, { rev: OLD }));

  it('deletes the highest-ordinal member of an old revision first, one per pass', () => {
    expect(names(planStatefulSet(sts(), olds(0, 1, 2), revisions, now).remove)).toEqual(['web-2']);
    expect(names(planStatefulSet(sts(), [...olds(0, 1), member(2)], revisions, now).remove)).toEqual(['web-1']);
    expect(names(planStatefulSet(sts(), [...olds(0), ...healthy(1, 2)], revisions, now).remove)).toEqual(['web-0']);
    expect(planStatefulSet(sts(), healthy(0, 1, 2), revisions, now)).toMatchObject({ create: [], remove: [] });
  });

  it('recreates a deleted member from the update revision', () => {
    expect(planStatefulSet(sts(), olds(0, 1), revisions, now).create).toEqual([{ ordinal: 2, revision: NEW }]);
  });

  it('deletes only when all members are healthy', () => {
    expect(planStatefulSet(sts(), [...olds(0, 1), member(2, { ready: false })], revisions, now).remove).toEqual([]);
    expect(planStatefulSet(sts(), [member(0, { rev: OLD, ready: false }), ...olds(1, 2)], revisions, now).remove).toEqual([]);
    expect(planStatefulSet(sts(), [...olds(0, 1), member(2, { rev: OLD, deleting: true })], revisions, now).remove).toEqual([]);
  });

  it('in a Parallel set waits for an updated member above to become healthy', () => {
    expect(planStatefulSet(parallel(), [...olds(0, 1), member(2, { ready: false })], revisions, now).remove).toEqual([]);
  });

  it('never deletes below the partition', () => {
    const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    expect(names(planStatefulSet(set, olds(0, 1, 2), revisions, now).remove)).toEqual(['web-2']);
    expect(planStatefulSet(set, [...olds(0, 1), member(2)], revisions, now)).toMatchObject({ create: [], remove: [] });
    const all = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 3 } } });
    expect(planStatefulSet(all, olds(0, 1, 2), revisions, now).remove).toEqual([]);
  });

  it('creates members below the partition from the current revision, the others from the update revision', () => {
    const set = parallel({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    expect(planStatefulSet(set, [], revisions, now).create).toEqual([{ ordinal: 0, revision: OLD }, { ordinal: 1, revision: OLD }, { ordinal: 2, revision: NEW }]);
    const shifted = parallel({ ordinals: { start: 3 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    expect(planStatefulSet(shifted, [], revisions, now).create).toEqual([{ ordinal: 3, revision: OLD }, { ordinal: 4, revision: NEW }, { ordinal: 5, revision: NEW }]);
  });

  it('with OnDelete never deletes for an update, and makes missing members from the update revision', () => {
    const set = sts({ updateStrategy: { type: 'OnDelete' } });
    expect(planStatefulSet(set, olds(0, 1, 2), revisions, now)).toMatchObject({ create: [], remove: [] });
    expect(planStatefulSet(set, olds(0, 1), revisions, now).create).toEqual([{ ordinal: 2, revision: NEW }]);
  });
});

describe('a StatefulSet with minReadySeconds', () => {
  const slow = (spec: Record<string, unknown> = {}) => sts({ minReadySeconds: 3, ...spec });
  const readyAgo = (ordinal: number, seconds: number, rev = NEW) => member(ordinal, { rev, readySince: new Date(now - seconds * 1000).toISOString() });

  it('makes the next member only once the one before has been Ready for minReadySeconds', () => {
    expect(ordinals(planStatefulSet(slow(), [readyAgo(0, 2)], revisions, now))).toEqual([]);
    expect(ordinals(planStatefulSet(slow(), [readyAgo(0, 3)], revisions, now))).toEqual([1]);
  });

  it('rolls the next member only once the updated one above it is available', () => {
    const olds = [member(0, { rev: OLD }), member(1, { rev: OLD })];
    expect(planStatefulSet(slow(), [...olds, readyAgo(2, 1)], revisions, now).remove).toEqual([]);
    expect(names(planStatefulSet(slow(), [...olds, readyAgo(2, 3)], revisions, now).remove)).toEqual(['web-1']);
  });

  it('scales down a Ready member only once it is available', () => {
    expect(planStatefulSet(slow({ replicas: 2 }), [...healthy(0, 1), readyAgo(2, 1)], revisions, now).remove).toEqual([]);
    expect(names(planStatefulSet(slow({ replicas: 2 }), [...healthy(0, 1), readyAgo(2, 5)], revisions, now).remove)).toEqual(['web-2']);
  });
});

describe('a StatefulSet rolling update with maxUnavailable', () => {
  const withMax = (maxUnavailable: unknown, spec: Record<string, unknown> = {}) => sts({ replicas: 5, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable } }, ...spec });
  const olds = (...ordinals: number[]) => ordinals.map((o) => member(o, { rev: OLD }));

  it('resolves an int, or a percent of the replicas rounded down, never below one', () => {
    expect(statefulSetMaxUnavailable(withMax(2))).toBe(2);
    expect(statefulSetMaxUnavailable(withMax('50%'))).toBe(2);
    expect(statefulSetMaxUnavailable(withMax('10%'))).toBe(1);
    expect(statefulSetMaxUnavailable(sts())).toBe(1);
  });

  it('deletes that many old members at once, from the highest ordinal down', () => {
    expect(names(planStatefulSet(withMax(2), olds(0, 1, 2, 3, 4), revisions, now).remove)).toEqual(['web-4', 'web-3']);
    expect(names(planStatefulSet(withMax('60%'), olds(0, 1, 2, 3, 4), revisions, now).remove)).toEqual(['web-4', 'web-3', 'web-2']);
  });

  it('counts members unavailable anywhere in the set against it', () => {
    const oneDown = [...olds(0, 1, 2), member(3, { ready: false }), ...olds(4)];
    expect(names(planStatefulSet(withMax(2, { podManagementPolicy: 'Parallel' }), oneDown, revisions, now).remove)).toEqual(['web-4']);
    const twoDown = [member(0, { rev: OLD, ready: false }), ...olds(1, 2), member(3, { ready: false }), ...olds(4)];
    expect(planStatefulSet(withMax(2, { podManagementPolicy: 'Parallel' }), twoDown, revisions, now).remove).toEqual([]);
  });

  it('keeps to the partition', () => {
    const set = withMax(3, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 4, maxUnavailable: 3 } } });
    expect(names(planStatefulSet(set, olds(0, 1, 2, 3, 4), revisions, now).remove)).toEqual(['web-4']);
  });
});

describe('the StatefulSet status', () => {
  it('counts the members, their readiness and their revisions, ignoring pods not named as members', () => {
    const pods = [member(0, { rev: OLD }), member(1), member(2, { ready: false }), member('api-0')];
    expect(planStatefulSet(sts(), pods, revisions, now).status).toEqual({
      observedGeneration: 4,
      replicas: 3,
      readyReplicas: 2,
      currentReplicas: 1,
      updatedReplicas: 2,
      currentRevision: OLD,
      updateRevision: NEW,
      collisionCount: 0,
      availableReplicas: 2,
    });
  });

  it('does not count a terminating member as current or updated', () => {
    const status = planStatefulSet(sts(), [member(0, { rev: OLD }), member(1), member(2, { rev: OLD, deleting: true })], revisions, now).status;
    expect(status).toMatchObject({ currentReplicas: 1, updatedReplicas: 1 });
    // …but as a replica, and a ready one while it is (kube-controller-manager counts every created member).
    expect(status).toMatchObject({ replicas: 3, readyReplicas: 3 });
  });

  it('makes the update revision current once every member is updated and ready', () => {
    expect(planStatefulSet(sts(), [...healthy(0, 1), member(2, { ready: false })], revisions, now).status).toMatchObject({ currentRevision: OLD, currentReplicas: 0, updatedReplicas: 3 });
    expect(planStatefulSet(sts(), healthy(0, 1), revisions, now).status).toMatchObject({ currentRevision: OLD });
    expect(planStatefulSet(sts(), healthy(0, 1, 2), revisions, now).status).toMatchObject({ currentRevision: NEW, updateRevision: NEW, currentReplicas: 3, updatedReplicas: 3 });
  });

  it('counts a member available only once ready for minReadySeconds', () => {
    const pods = [member(0), member(1, { readySince: '2026-12-03T07:59:50Z' })];
    expect(planStatefulSet(sts({ replicas: 2, minReadySeconds: 30 }), pods, revisions, now).status).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
  });
});
