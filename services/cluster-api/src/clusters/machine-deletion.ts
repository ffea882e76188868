import type { Logger } from '@openpacific/service-kit';
import type { GuestAccess } from './guest-nodes';
import { deleteGuestNode, DrainOutcome, drainNode } from './node-drain';
import { nodeVolumesDetached, VolumeDetachOutcome } from './node-volumes';
import { durationMs, LABELS } from './objects';

/** Holds a Machine until its node is drained, its infrastructure gone and its Node deleted. */
export const MACHINE_FINALIZER = 'machine.cluster.x-k8s.io';
/** A Machine with this annotation (any value) is deleted without draining its node. */
export const EXCLUDE_NODE_DRAINING = 'machine.cluster.x-k8s.io/exclude-node-draining';
/** A Machine with this annotation (any value) is deleted without waiting for its node's volumes to be detached. */
export const EXCLUDE_WAIT_FOR_NODE_VOLUME_DETACH = 'machine.cluster.x-k8s.io/exclude-wait-for-node-volume-detach';
/** Annotations with this prefix hold a Machine's deletion before its node is drained (lifecycle hooks). */
export const PRE_DRAIN_DELETE_HOOK = 'pre-drain.delete.hook.machine.cluster.x-k8s.io';
/** Annotations with this prefix hold a Machine's deletion before its infrastructure is deleted (lifecycle hooks). */
export const PRE_TERMINATE_DELETE_HOOK = 'pre-terminate.delete.hook.machine.cluster.x-k8s.io';
/** Cluster API's default `nodeDeletionTimeout` (its webhook sets it on every Machine). */
const DEFAULT_NODE_DELETION_TIMEOUT_MS = 10_000;

/**
 * Why the Machine's Node may not be drained nor deleted, in Cluster API's words (isDeleteNodeAllowed), or undefined
 * when it may: the cluster is being deleted (or is gone), the machine never had a node, its control plane is being
 * deleted, or no control-plane machine of the cluster is left that is not being deleted. A cluster with no guest API to
 * ask (Cluster API objects written by hand, without a kubeconfig) has no Node to act on either.
 */
export function nodeDeletionRefusal(m: any, cluster: any | undefined, opts: { hasGuestApi: boolean; controlPlane?: any; activeControlPlaneMachines: number }): string | undefined {
  if (!cluster) return 'cluster does not exist';
  if (cluster.metadata.deletionTimestamp) return 'cluster is being deleted';
  if (!m.status?.nodeRef?.name) return 'noderef is nil';
  if (!opts.hasGuestApi) return 'cluster has no kubeconfig';
  if (opts.controlPlane?.metadata?.deletionTimestamp) return 'control plane is being deleted';
  if (opts.activeControlPlaneMachines === 0) return 'no control plane members';
  return undefined;
}

/** A control-plane Machine of the named cluster. */
export function isControlPlaneMachine(m: any, clusterName: string): boolean {
  return m.spec?.clusterName === clusterName && m.metadata.labels?.[LABELS.controlPlane] !== undefined;
}

/** A deletion step's timeout (a duration in `spec`) has passed since the step began (a time in `status.deletion`); never when unset or 0. */
function stepTimedOut(m: any, timeoutField: string, startField: string, now: number): boolean {
  const timeout = durationMs(m.spec?.[timeoutField]);
  const started = Date.parse(m.status?.deletion?.[startField] ?? '');
  if (!timeout || timeout <= 0 || !Number.isFinite(started)) return false;
  return now - started >= timeout;
}

/** `spec.nodeDrainTimeout` has passed since the drain started (`status.deletion.nodeDrainStartTime`); never when unset or 0. */
export const nodeDrainTimeoutExceeded = (m: any, now: number): boolean => stepTimedOut(m, 'nodeDrainTimeout', 'nodeDrainStartTime', now);

/** Whether the node is drained: not when the Machine says `exclude-node-draining`, nor once `nodeDrainTimeout` is over. */
export function nodeDrainAllowed(m: any, now: number): boolean {
  return m.metadata.annotations?.[EXCLUDE_NODE_DRAINING] === undefined && !nodeDrainTimeoutExceeded(m, now);
}

/** The Machine's lifecycle hooks of one kind: its annotations whose keys start with the prefix, sorted. */
export function deleteHooks(m: any, prefix: typeof PRE_DRAIN_DELETE_HOOK | typeof PRE_TERMINATE_DELETE_HOOK): string[] {
  return Object.keys(m.metadata.annotations ?? {}).filter((k) => k.startsWith(prefix)).sort();
}

/** `spec.nodeVolumeDetachTimeout` has passed since the wait began (`status.deletion.waitForNodeVolumeDetachStartTime`); never when unset or 0. */
export const nodeVolumeDetachTimeoutExceeded = (m: any, now: number): boolean => stepTimedOut(m, 'nodeVolumeDetachTimeout', 'waitForNodeVolumeDetachStartTime', now);

/** Whether the drained node's volumes are waited for: not when the Machine says `exclude-wait-for-node-volume-detach`, nor once `nodeVolumeDetachTimeout` is over. */
export function nodeVolumeDetachAllowed(m: any, now: number): boolean {
  return m.metadata.annotations?.[EXCLUDE_WAIT_FOR_NODE_VOLUME_DETACH] === undefined && !nodeVolumeDetachTimeoutExceeded(m, now);
}

/**
 * Whether failing to delete the Node may be given up: once `nodeDeletionTimeout` (10s when unset, as Cluster API
 * defaults it) has passed since the Machine's deletion began; never when it is 0 (keep trying).
 */
export function nodeDeletionTimeoutExpired(m: any, now: number): boolean {
  const timeout = m.spec?.nodeDeletionTimeout === undefined ? DEFAULT_NODE_DELETION_TIMEOUT_MS : durationMs(m.spec.nodeDeletionTimeout);
  const since = Date.parse(m.metadata.deletionTimestamp ?? '');
  if (!timeout || !Number.isFinite(since)) return false;
  return since + timeout < now;
}

interface Operation<T> {
  inFlight: boolean;
  last?: T;
  finishedAt?: number;
  timer?: NodeJS.Timeout;
}

/** How long after an unfinished round the next one is made, by kind: Cluster API drains and looks at volumes every 20 s, and retries a Node deletion every 2 s. */
export interface NodeOperationRetries {
  drainMs: number;
  volumesMs: number;
  deletionMs: number;
}

/** Cluster API's intervals (drainRetryInterval, waitForVolumeDetachRetryInterval, its Node deletion poll). */
export const CAPI_NODE_OPERATION_RETRIES: NodeOperationRetries = { drainMs: 20_000, volumesMs: 20_000, deletionMs: 2000 };

/**
 * The guest API calls of Machine deletions, made beside the controller's passes (a drain round can take seconds):
 * one drain round, look at the node's volumes, or Node deletion per machine at a time; what the last one found is
 * kept for the passes to read, and a round that left work (pods still going, volumes attached, an error) is tried
 * again its kind's retry interval after it ended. `onChange` is called whenever a call ends.
 */
export class GuestNodeOperations {
  private readonly drains = new Map<string, Operation<DrainOutcome>>();
  private readonly volumeChecks = new Map<string, Operation<VolumeDetachOutcome>>();
  private readonly deletions = new Map<string, Operation<{ ok: true } | { ok: false; message: string }>>();

  constructor(private readonly opts: { retries: NodeOperationRetries; timeoutMs: number; logger: Logger; onChange: () => void }) {}

  /** The last drain round's outcome for this machine (undefined before the first ends); starts a round when one is due. */
  drain(key: string, access: GuestAccess, nodeName: string): DrainOutcome | undefined {
    return this.run(this.drains, key, this.opts.retries.drainMs, (o) => o.done, () => drainNode(access, nodeName, { timeoutMs: this.opts.timeoutMs }), (err) => ({ done: false, failed: true, message: (err as Error).message }));
  }

  /** What the last look at the node's attached volumes found (undefined before the first ends); looks again when due. */
  volumes(key: string, access: GuestAccess, nodeName: string): VolumeDetachOutcome | undefined {
    return this.run(this.volumeChecks, key, this.opts.retries.volumesMs, (o) => o.done, () => nodeVolumesDetached(access, nodeName, { timeoutMs: this.opts.timeoutMs }), (err) => ({ done: false, failed: true, message: (err as Error).message }));
  }

  /** The last Node deletion's result for this machine (undefined before the first ends); starts one when due. */
  deleteNode(key: string, access: GuestAccess, nodeName: string): { ok: true } | { ok: false; message: string } | undefined {
    return this.run(
      this.deletions,
      key,
      this.opts.retries.deletionMs,
      (r) => r.ok,
      () => deleteGuestNode(access, nodeName, { timeoutMs: this.opts.timeoutMs }).then(() => ({ ok: true as const })),
      (err) => ({ ok: false as const, message: (err as Error).message }),
    );
  }

  /** Forget the machines no longer being deleted here. */
  keepOnly(keys: Set<string>): void {
    for (const ops of [this.drains, this.volumeChecks, this.deletions] as Map<string, Operation<unknown>>[]) {
      for (const [key, op] of ops) {
        if (keys.has(key)) continue;
        clearTimeout(op.timer);
        ops.delete(key);
      }
    }
  }

  stop(): void {
    this.keepOnly(new Set());
  }

  private run<T>(ops: Map<string, Operation<T>>, key: string, retryMs: number, finished: (t: T) => boolean, call: () => Promise<T>, failed: (err: unknown) => T): T | undefined {
    let op = ops.get(key);
    if (!op) ops.set(key, (op = { inFlight: false }));
    const due = !op.inFlight && (op.last === undefined || (!finished(op.last) && Date.now() - (op.finishedAt ?? 0) >= retryMs));
    if (due) {
      const started = op;
      started.inFlight = true;
      call()
        .catch(failed)
        .then((result) => {
          started.inFlight = false;
          started.last = result;
          started.finishedAt = Date.now();
          if (ops.get(key) !== started) return;
          if (!finished(result)) {
            clearTimeout(started.timer);
            started.timer = setTimeout(() => this.opts.onChange(), retryMs).unref();
          }
          this.opts.onChange();
        })
        .catch((err) => this.opts.logger.warn('guest node operation failed', { error: (err as Error).message }));
    }
    return op.last;
  }
}
