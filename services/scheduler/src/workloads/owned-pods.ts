import type { Logger } from '@openpacific/service-kit';
import { randomBytes, randomUUID } from 'node:crypto';
import { AdmissionRequest, AdmissionResponse, applySchedulingGatedCondition, ObjectEventTypes, objectStreamId, PRIORITY_CLASSES_RESOURCE, RUNTIME_CLASSES_RESOURCE, SERVICE_ACCOUNTS_RESOURCE, markDeletion, rfc3339 } from '@openpacific/contracts';
import { admitRuntimeClass } from '@openpacific/kube-api';
import { NewEvent, RecordedEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { requestJson } from '@openpacific/messaging';
import { admitPriority, admitServiceAccount, eventNameSuffix, type FollowedReadModel, missingServiceAccount, type FollowerDeps, PassLoop, type ReadModel, readModelPriorityClasses, readModelServiceAccounts, type SharedFollower, type StoredObject, timerDelay } from '@openpacific/objects';
import { safeString } from './workload-logic';

/** What the workload controllers share: writing their objects and the pods they own, and core Events about them. */

/** What a controller's read model holds for admitting the pods it creates as kube-apiserver would (ServiceAccount, Priority, RuntimeClass). */
export const POD_ADMISSION_RESOURCES = [SERVICE_ACCOUNTS_RESOURCE, PRIORITY_CLASSES_RESOURCE, RUNTIME_CLASSES_RESOURCE];

/** The object to write next: the read model's copy without its resourceVersion (the log gives the new one). */
export function clean(obj: any): any {
  const next = structuredClone(obj);
  delete next.metadata.resourceVersion;
  return next;
}

/** Who writes, in the log's metadata and to the policy service. */
export interface Controller {
  /** `deployment-controller`: the Events' component. */
  component: string;
  actor: { actor: string; source: string };
  user: { username: string; groups: string[] };
}

export function controllerNamed(component: string): Controller {
  const actor = `system:serviceaccount:kube-system:${component}`;
  return { component, actor: { actor, source: 'scheduler' }, user: { username: actor, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] } };
}

export function append(resource: string, obj: any, type: string, expectedVersion: StreamAppend['expectedVersion'], by: Controller): StreamAppend {
  return { streamId: objectStreamId(resource, obj.metadata.namespace, obj.metadata.name), events: [{ type, data: { resource, object: obj }, metadata: by.actor } as NewEvent], expectedVersion };
}

export function ownerRef(owner: any) {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** A core v1 Event about a workload object (`kubectl describe` lists them). */
export function workloadEvent(obj: any, by: Controller, type: 'Normal' | 'Warning', reason: string, message: string): StreamAppend {
  const now = rfc3339();
  const namespace = obj.metadata.namespace;
  const name = `${obj.metadata.name}.${eventNameSuffix()}`;
  const object = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace, uid: randomUUID(), creationTimestamp: now },
    involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace, uid: obj.metadata.uid },
    reason, message, type,
    source: { component: by.component },
    reportingComponent: by.component,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  return { streamId: objectStreamId('events', namespace, name), events: [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: by.actor } as NewEvent], expectedVersion: 'no_stream' };
}

function qosClass(spec: any): string {
  const containers: any[] = spec.containers ?? [];
  const any = containers.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => ['cpu', 'memory'].every((r) => c.resources?.limits?.[r] !== undefined && String(c.resources.requests?.[r] ?? c.resources.limits[r]) === String(c.resources.limits[r])));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/**
 * A controller's passes over its read model: after every change in the log it follows, and every `resyncMs`.
 * `keep` passes over events the model need not hold (a Job controller's pods of other owners), but never over one
 * about an object the model holds: an orphan it read that another controller adopts, or deletes, must not stay.
 */
export function passesOver(
  deps: FollowerDeps<Logger> & { log: SharedFollower },
  model: FollowedReadModel,
  what: string,
  pass: () => Promise<void>,
  opts: { resyncMs?: number; keep?: (event: RecordedEvent) => boolean } = {},
): PassLoop {
  const loop = new PassLoop(pass, { resyncMs: opts.resyncMs ?? 5000, onError: (err) => deps.logger.warn(`${what} pass failed; retrying`, { error: (err as Error).message }) });
  const keep = opts.keep;
  deps.log.add(model.follows, (events) => {
    let relevant = false;
    for (const e of events) if ((!keep || keep(e) || holds(model, e)) && model.apply(e)) relevant = true;
    if (relevant) loop.schedule();
  });
  return loop;
}

function holds(model: FollowedReadModel, event: RecordedEvent): boolean {
  const data = event.data as { resource?: string; object?: any } | undefined;
  const meta = data?.object?.metadata;
  return !!data?.resource && !!meta?.name && model.follows.includes(data.resource) && !!model.get(data.resource, meta.namespace, meta.name);
}

/** What an owner adds to a pod of its template (an Indexed Job: its index in the name, labels, env). */
export interface PodShape {
  /** The name before the random suffix (default: the owner's name). */
  namePrefix?: string;
  /** The whole name, without a random suffix (a StatefulSet's `<set>-<ordinal>`): created again at its stream's version once gone. */
  name?: string;
  /** The template the pod is made from (default: the owner's `spec.template`; a StatefulSet's pod of its current revision). */
  template?: any;
  /** The SuccessfulCreate Event's message (default: `Created pod: <name>`). */
  created?: string;
  apply(pod: any): void;
}

/** A pod create's outcome: its name, the policy service's refusal, or nothing (a lost race: another pass decides). */
export type PodCreated = { created: string } | { refused: string } | undefined;

/** Creates and deletes the pods of an owner (a ReplicaSet, a Job) as its controller, and writes atomically. */
export class OwnedPods {
  constructor(
    private readonly deps: FollowerDeps<Logger>,
    private readonly model: ReadModel,
    private readonly onConflict: () => void,
    private readonly admissionTimeoutMs = 5000,
  ) {}

  /**
   * A pod from the owner's `spec.template`, admitted by the policy service as the API server would. A refusal is
   * recorded as a Warning Event, unless it is the one the owner already reports (`said`).
   */
  async create(owner: any, by: Controller, said?: string, shape?: PodShape): Promise<PodCreated> {
    const ns = owner.metadata.namespace;
    const template = shape?.template ?? owner.spec.template;
    const name = shape?.name ?? `${shape?.namePrefix ?? owner.metadata.name}-${safeString(randomBytes(5), 5)}`;
    let pod: any = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: ns,
        uid: randomUUID(),
        creationTimestamp: rfc3339(),
        ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
        ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ownerReferences: [ownerRef(owner)],
      },
      spec: structuredClone(template.spec),
    };
    shape?.apply(pod);
    // As kube-apiserver admits a controller's pods: the ServiceAccount and the API's credentials (the read model
    // follows ServiceAccounts for their automount opt-out), then the priority of its PriorityClass and its RuntimeClass.
    const serviceAccounts = readModelServiceAccounts(this.model);
    admitServiceAccount(pod, serviceAccounts);
    pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
    applySchedulingGatedCondition(pod);
    const missing =
      missingServiceAccount(pod, serviceAccounts) ??
      admitPriority(pod, readModelPriorityClasses(this.model)) ??
      admitRuntimeClass(pod, { get: (name) => this.model.get(RUNTIME_CLASSES_RESOURCE, undefined, name)?.object });
    const verdict: AdmissionResponse = missing ? { uid: '', allowed: false, status: { code: 403, reason: 'Forbidden', message: missing } } : await this.admit(pod, 'pods', by, `a pod of ${owner.kind} ${ns}/${owner.metadata.name}`);
    if (!verdict.allowed) {
      const message = `pods "${name}" is forbidden: ${verdict.status?.message ?? 'denied by the policy service'}`.replace(`pods "${name}" is forbidden: pods "${name}" is forbidden: `, `pods "${name}" is forbidden: `);
      if (said !== message) await this.write([workloadEvent(owner, by, 'Warning', 'FailedCreate', `Error creating: ${message}`)]);
      return { refused: message };
    }
    if (verdict.patchedObject) pod = verdict.patchedObject;
    const event = workloadEvent(owner, by, 'Normal', 'SuccessfulCreate', shape?.created ?? `Created pod: ${name}`);
    const streamId = objectStreamId('pods', ns, name);
    let expected: StreamAppend['expectedVersion'] = 'no_stream';
    if (shape?.name) {
      // A pod of this name may have lived before (a StatefulSet's member): its stream goes on after its deletion.
      const version = await this.deps.store.streamVersion(streamId);
      if (version > 0) {
        const [last] = await this.deps.store.readStream(streamId, { fromVersion: version });
        if (last?.type !== ObjectEventTypes.deleted) return { refused: `pods "${name}" already exists` };
        expected = version;
      }
    }
    const ok = await this.write([append('pods', pod, ObjectEventTypes.created, expected, by), event]);
    return ok ? { created: name } : undefined;
  }

  /** The policy service's verdict on creating `obj` (a core/v1 pod or claim) as the controller, as the API server would ask it. */
  async admit(obj: any, resource: string, by: Controller, what: string): Promise<AdmissionResponse> {
    let verdict: AdmissionResponse & { error?: { message: string } };
    try {
      verdict = await requestJson<AdmissionRequest, AdmissionResponse>(this.deps.nats, this.deps.names.admission, {
        uid: randomUUID(), operation: 'CREATE', user: by.user, resource: { group: '', version: 'v1', resource }, kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, object: obj, dryRun: false,
      }, this.admissionTimeoutMs, { payloads: this.deps.names.payloads });
    } catch (err) {
      throw new Error(`admission of ${what} failed: ${(err as Error).message}`);
    }
    if (verdict.error) throw new Error(`admission of ${what} failed: ${verdict.error.message}`);
    return verdict;
  }

  /** A bound pod goes gracefully (its host stops it, then finishes the deletion); an unbound one at once. */
  async delete(owner: any, pod: any, by: Controller, message = `Deleted pod: ${pod.metadata.name}`): Promise<boolean> {
    const stored = this.model.get('pods', pod.metadata.namespace, pod.metadata.name);
    if (!stored) return false;
    const next = clean(pod);
    const graceful = !!pod.spec?.nodeName || (pod.metadata.finalizers ?? []).length > 0;
    if (graceful) markDeletion(next.metadata, pod.spec?.nodeName ? (pod.spec.terminationGracePeriodSeconds ?? 30) : 0);
    return this.write([
      append('pods', next, graceful ? ObjectEventTypes.deletionStarted : ObjectEventTypes.deleted, stored.streamVersion, by),
      workloadEvent(owner, by, 'Normal', 'SuccessfulDelete', message),
    ]);
  }

  /** One atomic write; a conflict (someone changed the object meanwhile) only asks for another pass. */
  async write(writes: StreamAppend[]): Promise<boolean> {
    try {
      await this.deps.store.appendBatch(writes);
      return true;
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
      this.onConflict();
      return false;
    }
  }
}

/**
 * What the controllers of pod owners (Deployments and ReplicaSets, Jobs) share: a read model of what they follow,
 * passes over it, the pod writer, and one more pass at the nearest deadline a pass found.
 */
export abstract class PodOwnersController {
  protected readonly loop: PassLoop;
  protected readonly pods: OwnedPods;
  /** What `claim` (claims.ts) needs to adopt and release the owner's objects. */
  protected readonly claimContext: { model: ReadModel; pods: OwnedPods; logger: Logger };
  /** Pods created and not yet seen in the read model, by owner uid (kube-controller-manager's expectations). */
  protected readonly expected = new Map<string, { names: Set<string>; since: number }>();
  private deadlineTimer?: NodeJS.Timeout;

  constructor(
    deps: FollowerDeps<Logger> & { log: SharedFollower },
    protected readonly model: FollowedReadModel,
    what: string,
    opts: { resyncMs?: number; admissionTimeoutMs?: number; keep?: (event: RecordedEvent) => boolean },
  ) {
    this.pods = new OwnedPods(deps, model, () => this.loop.schedule(), opts.admissionTimeoutMs);
    this.loop = passesOver(deps, model, what, () => this.pass(), opts);
    this.claimContext = { model, pods: this.pods, logger: deps.logger };
  }

  protected abstract pass(): Promise<void>;

  /** What the controller follows, for another controller of the same process to read (the HPA controller reads pods here). */
  get readModel(): ReadModel {
    return this.model;
  }

  /** Passes from now on; `deps.log` has replayed the log into the read model. */
  start(): void {
    this.loop.start();
  }

  stop(): void {
    clearTimeout(this.deadlineTimer);
    this.loop.stop();
  }

  /**
   * Syncs every object of `resource` not being deleted, in turn, then asks for a pass `marginMs` after the
   * earliest time a sync named (a deadline, a schedule), and forgets what `expected` and `memos` hold of objects now gone.
   */
  protected async syncEach(resource: string, sync: (stored: StoredObject) => Promise<number | undefined>, marginMs: number, memos: Array<Map<string, unknown>> = []): Promise<void> {
    let next = Infinity;
    for (const stored of this.model.list(resource)) {
      if (stored.object.metadata.deletionTimestamp) continue;
      const at = await sync(stored);
      if (at !== undefined) next = Math.min(next, at);
    }
    for (const memo of [this.expected, ...memos]) for (const uid of memo.keys()) if (!this.model.findByUid(uid)) memo.delete(uid);
    this.passAt(next, marginMs);
  }

  /**
   * Whether the owner still waits to see pods it created (`expect`ed) in its `pods` from the read model: it decides
   * again only once it sees them all, or after `timeoutMs` (a create the log never showed).
   */
  protected awaitingCreates(owner: any, pods: any[], timeoutMs = 30_000): boolean {
    const waiting = this.expected.get(owner.metadata.uid);
    if (!waiting) return false;
    const seen = new Set(pods.map((p) => p.metadata.name));
    if ([...waiting.names].some((n) => !seen.has(n)) && Date.now() - waiting.since < timeoutMs) return true;
    this.expected.delete(owner.metadata.uid);
    return false;
  }

  /** Marks pods just created by the owner, to be seen before it decides again. */
  protected expect(owner: any, names: Set<string>): void {
    if (names.size > 0) this.expected.set(owner.metadata.uid, { names, since: Date.now() });
  }

  /** A pass `marginMs` after `at` (ms since the epoch), instead of the one asked before; none when `at` is Infinity. */
  protected passAt(at: number, marginMs: number): void {
    clearTimeout(this.deadlineTimer);
    if (!Number.isFinite(at)) return;
    this.deadlineTimer = setTimeout(() => this.loop.schedule(), timerDelay(at + marginMs));
    this.deadlineTimer.unref();
  }
}

/** When the next ready pod has been ready for minReadySeconds (it becomes available then), if one is still waiting. */
export function nextAvailable(owner: any, pods: any[], now: number): number | undefined {
  const minReady = owner.spec?.minReadySeconds ?? 0;
  if (!minReady) return undefined;
  let next: number | undefined;
  for (const p of pods) {
    const ready = (p.status?.conditions ?? []).find((c: any) => c.type === 'Ready' && c.status === 'True');
    const at = Date.parse(ready?.lastTransitionTime ?? '') + minReady * 1000;
    if (Number.isFinite(at) && at > now) next = Math.min(next ?? Infinity, at);
  }
  return next;
}
