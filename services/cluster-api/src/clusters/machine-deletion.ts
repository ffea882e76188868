import type { Logger } from '@openpacific/service-kit';
import type { GuestAccess } from './guest-nodes';
import { deleteGuestNode, DrainOutcome, drainNode } from './node-drain';
import { durationMs, LABELS } from './objects';

/** Holds a Machine until its node is drained, its infrastructure gone and its Node deleted. */
export const MACHINE_FINALIZER = 'machine.cluster.x-k8s.io';
/** A Machine with this annotation (any value) is deleted without draining its node. */
export const EXCLUDE_NODE_DRAINING = 'machine.cluster.x-k8s.io/exclude-node-draining';
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

/** `spec.nodeDrainTimeout` has passed since the drain started (`status.deletion.nodeDrainStartTime`); never when unset or 0. */
export function nodeDrainTimeoutExceeded(m: any, now: number): boolean {
  const timeout = durationMs(m.spec?.nodeDrainTimeout);
  const started = Date.parse(m.status?.deletion?.nodeDrainStartTime ?? '');
  if (!timeout || timeout <= 0 || !Number.isFinite(started)) return false;
  return now - started >= timeout;
}

/** Whether the node is drained: not when the Machine says `exclude-node-draining`, nor once `nodeDrainTimeout` is over. */
export function nodeDrainAllowed(m: any, now: number): boolean {
  if (m.metadata.annotations?.[EXCLUDE_NODE_DRAINING] !== undefined) return false;
  return !nodeDrainTimeoutExceeded(m, now);
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

/**
 * The guest API calls of Machine deletions, made beside the controller's passes (a drain round can take seconds):
 * one drain round or Node deletion per machine at a time; what the last one found is kept for the passes to read, and
 * a round that left work (pods still going, an error) is tried again `retryMs` after it ended. `onChange` is called
 * whenever a call ends.
 */
export class GuestNodeOperations {
  private readonly drains = new Map<string, Operation<DrainOutcome>>();
  private readonly deletions = new Map<string, Operation<{ ok: true } | { ok: false; message: string }>>();

  constructor(private readonly opts: { retryMs: number; timeoutMs: number; logger: Logger; onChange: () => void }) {}

  /** The last drain round's outcome for this machine (undefined before the first ends); starts a round when one is due. */
  drain(key: string, access: GuestAccess, nodeName: string): DrainOutcome | undefined {
    return this.run(this.drains, key, (o) => o.done, () => drainNode(access, nodeName, { timeoutMs: this.opts.timeoutMs }), (err) => ({ done: false, failed: true, message: (err as Error).message }));
  }

  /** The last Node deletion's result for this machine (undefined before the first ends); starts one when due. */
  deleteNode(key: string, access: GuestAccess, nodeName: string): { ok: true } | { ok: false; message: string } | undefined {
    return this.run(
      this.deletions,
      key,
      (r) => r.ok,
      () => deleteGuestNode(access, nodeName, { timeoutMs: this.opts.timeoutMs }).then(() => ({ ok: true as const })),
      (err) => ({ ok: false as const, message: (err as Error).message }),
    );
  }

  /** Forget the machines no longer being deleted here. */
  keepOnly(keys: Set<string>): void {
    for (const ops of [this.drains, this.deletions] as Map<string, Operation<unknown>>[]) {
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

  private run<T>(ops: Map<string, Operation<T>>, key: string, finished: (t: T) => boolean, call: () => Promise<T>, failed: (err: unknown) => T): T | undefined {
    let op = ops.get(key);
    if (!op) ops.set(key, (op = { inFlight: false }));
    const due = !op.inFlight && (op.last === undefined || (!finished(op.last) && Date.now() - (op.finishedAt ?? 0) >= this.opts.retryMs));
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
            started.timer = setTimeout(() => this.opts.onChange(), this.opts.retryMs).unref();
          }
          this.opts.onChange();
        })
        .catch((err) => this.opts.logger.warn('guest node operation failed', { error: (err as Error).message }));
    }
    return op.last;
  }
}
