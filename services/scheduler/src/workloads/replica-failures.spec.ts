import { deploymentReplicaFailure, deploymentStatus, recreateStep, REVISION_HISTORY_ANNOTATION, revisedAnnotations, replicaFailureConditions } from './workload-logic';
import { SyncFailureBackoff } from './sync-backoff';

const refusal = (pod: string) => `pods "${pod}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1`;

describe('a ReplicaSet that cannot create its pods', () => {
  it('is synced again after kube\'s exponential back-off: 5 ms doubling up to 1000 s, forgotten on success', () => {
    const b = new SyncFailureBackoff();
    const t0 = 1_000_000;
    expect(b.waiting('rs', 'v1', t0)).toBe(false);
    expect(b.failed('rs', 'v1', t0)).toBe(t0 + 5);
    expect(b.waiting('rs', 'v1', t0 + 4)).toBe(true);
    expect(b.waiting('rs', 'v1', t0 + 5)).toBe(false);
    expect(b.failed('rs', 'v1', t0 + 5)).toBe(t0 + 15);
    expect(b.failed('rs', 'v1', t0 + 15)).toBe(t0 + 35);
    for (let i = 4; i <= 30; i++) b.failed('rs', 'v1', t0);
    expect(b.failures('rs')).toBe(30);
    expect(b.until('rs')).toBe(t0 + 1_000_000);
    // The failures run from about 22 minutes to 1000 s apart: not a flood.
    const fresh = new SyncFailureBackoff();
    let t = 0;
    let tries = 0;
    while (t < 3600_000) {
      t = fresh.failed('rs', 'v1', t);
      tries++;
    }
    expect(tries).toBeLessThan(25);
    b.succeeded('rs');
    expect(b.failures('rs')).toBe(0);
    expect(b.waiting('rs', 'v1', t0)).toBe(false);
  });

  it('is synced at once when it or its pods change (an informer event bypasses the delay), its failures still counted', () => {
    const b = new SyncFailureBackoff();
    b.failed('rs', 'v1', 0);
    b.failed('rs', 'v1', 0);
    expect(b.waiting('rs', 'v1', 1)).toBe(true);
    expect(b.waiting('rs', 'v2', 1)).toBe(false);
    expect(b.failed('rs', 'v2', 1)).toBe(1 + 20);
    b.gc((key) => key !== 'rs');
    expect(b.failures('rs')).toBe(0);
  });

  it('reports ReplicaFailure FailedCreate with its first refusal until a sync creates what it needs', () => {
    const first = replicaFailureConditions(undefined, refusal('web-1'), 't1');
    expect(first).toEqual([{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: 't1', reason: 'FailedCreate', message: refusal('web-1') }]);
    // Another refusal (another pod name) leaves the condition as it was: no new status, no new pass.
    expect(replicaFailureConditions(first, refusal('web-2'), 't2')).toEqual(first);
    expect(replicaFailureConditions(first, undefined, 't3')).toEqual([]);
  });

  it('gives its Deployment ReplicaFailure True FailedCreate, the new ReplicaSet\'s first, removed once it clears', () => {
    const failing = (name: string, message: string) => ({ metadata: { name }, status: { conditions: replicaFailureConditions(undefined, message, '2026-01-01T00:00:00Z') } });
    const newRs = failing('web-new', refusal('web-new-1'));
    const old = failing('web-old', refusal('web-old-1'));
    const expected = { type: 'ReplicaFailure', status: 'True', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z', reason: 'FailedCreate', message: refusal('web-new-1') };
    expect(deploymentReplicaFailure(newRs, [old, newRs])).toEqual(expected);
    expect(deploymentReplicaFailure({ metadata: { name: 'web-new' }, status: {} }, [old])?.message).toBe(refusal('web-old-1'));
    expect(deploymentReplicaFailure(undefined, [{ status: {} }])).toBeUndefined();

    const d = { metadata: { generation: 1 }, spec: { replicas: 3 } };
    const counts = { replicas: 1, updated: 1, ready: 1, available: 1 };
    const failed = deploymentStatus(d, counts, 'web-new', undefined, '2026-01-01T00:00:01Z', expected);
    expect(failed.conditions.map((c: any) => `${c.type}:${c.status}:${c.reason}`)).toEqual(['Available:False:MinimumReplicasUnavailable', 'Progressing:True:ReplicaSetUpdated', 'ReplicaFailure:True:FailedCreate']);
    // Same status and reason: kept as it was (SetDeploymentCondition).
    const again = deploymentStatus(d, counts, 'web-new', failed.conditions, '2026-01-01T00:00:05Z', { ...expected, message: 'other', lastTransitionTime: 'x' });
    expect(again.conditions[2]).toEqual(expected);
    const cleared = deploymentStatus(d, counts, 'web-new', again.conditions, '2026-01-01T00:00:09Z', undefined);
    expect(cleared.conditions.map((c: any) => c.type)).toEqual(['Available', 'Progressing']);
  });
});

describe('a Deployment', () => {
  it('with Recreate scales the old ReplicaSets to 0, waits for their pods, and only then makes or grows the new one', () => {
    const pod = (phase: string, deleting = false) => ({ metadata: deleting ? { deletionTimestamp: 'now' } : {}, status: { phase } });
    expect(recreateStep([{ replicas: 3, statusReplicas: 3, pods: [pod('Running')] }])).toBe('scaleDownOld');
    expect(recreateStep([{ replicas: 0, statusReplicas: 0, pods: [pod('Running', true)] }])).toBe('waitForOldPods');
    expect(recreateStep([{ replicas: 0, statusReplicas: 1, pods: [] }])).toBe('waitForOldPods');
    expect(recreateStep([{ replicas: 0, statusReplicas: 0, pods: [pod('Pending')] }])).toBe('waitForOldPods');
    expect(recreateStep([{ replicas: 0, statusReplicas: 0, pods: [pod('Succeeded'), pod('Failed')] }])).toBe('scaleUpNew');
    expect(recreateStep([])).toBe('scaleUpNew');
  });

  it('taken back to an old ReplicaSet keeps that ReplicaSet\'s former revisions in revision-history', () => {
    const rev = 'deployment.kubernetes.io/revision';
    expect(revisedAnnotations({ [rev]: '1', a: 'b' }, 3)).toEqual({ [rev]: '3', [REVISION_HISTORY_ANNOTATION]: '1', a: 'b' });
    expect(revisedAnnotations({ [rev]: '3', [REVISION_HISTORY_ANNOTATION]: '1' }, 5)).toEqual({ [rev]: '5', [REVISION_HISTORY_ANNOTATION]: '1,3' });
    // Not below: nothing changes; no revision before: no history.
    expect(revisedAnnotations({ [rev]: '5' }, 5)).toEqual({ [rev]: '5' });
    expect(revisedAnnotations({}, 2)).toEqual({ [rev]: '2' });
    // Beyond 2000 characters the oldest revisions go.
    const long = Array.from({ length: 400 }, (_, i) => String(1000 + i)).join(',');
    const next = revisedAnnotations({ [rev]: '9999', [REVISION_HISTORY_ANNOTATION]: long }, 10000)[REVISION_HISTORY_ANNOTATION];
    expect(next.length).toBeLessThanOrEqual(2000);
    expect(next.endsWith(',1399,9999')).toBe(true);
    expect(next.startsWith('1001,')).toBe(true);
  });
});
