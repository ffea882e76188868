import { createHash } from 'node:crypto';
import { claimOwnedByPod, ContainerConfig, ContainerStatus, CrxErrorCodes, EventMetadata, FieldSet, NatsNames, ObjectEventTypes, POD_IP_ANNOTATION, PodSandbox, PodSandboxConfig, podFqdn, PodTokenReply, PodTokenRequest, podTokenSubject, PVCS_RESOURCE, PVS_RESOURCE, RUNTIME_CLASSES_RESOURCE, runtimeHandlerNames, notOwnedClaimMessage, volumeClaim, rfc3339 } from '@openpacific/contracts';
import { EventStore, NewEvent, StreamAppend, VersionConflictError } from '@openpacific/event-store';
import { milliValue, parseQuantity } from '@openpacific/kube-api';
import { CrxClient, requestJson } from '@openpacific/messaging';
import { controllerReadModel, bindingEpoch, decryptedEvent, EventCorrelator, LogFollower, objectEvent, objectKey, PassLoop, podUnbound, pokedFollower, ReadModel, sameJson, SecretKey, StoredObject, timerDelay } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { ConfigSources, containerEnv, HostAllocatable, volumeFiles } from './pod-config';
import { ContainerFacts, containerFieldPath, containerKind, containerStatuses, finishedPodStatus, HOST_IP, podPhase, podStatus } from './pod-status';
import { setUpHostPath } from './host-path';
import { podDns } from './pod-dns';
import type { PodRuntime } from './pod-runtime';
import { MINIMUM_GRACE_SECONDS, PodStop, StopDeadline } from './pod-stop';
import { ProbeMetrics, ProbeOwner } from './probe-metrics';
import { probeEvent, ProbeTracker } from './probe-tracker';
import { execProbeResult, ProbeTarget, runProbe } from './probes';
import { containerSecurity } from './security-context';
import { serviceEnvVars, withServiceEnv } from './service-env';
import { mountSubPaths } from './volume-mounts';

/**
 * How long a postStart hook may run before it counts as failed. kubelet sets no bound (a hook that hangs keeps its
 * container from running for good); an hour keeps that for any hook that means to finish, and ends one that never will.
 */
const POST_START_TIMEOUT_SECONDS = 3600;

/** `work`'s answer, or undefined when it takes longer than `seconds` (it runs on, unawaited). */
function withinSeconds<T>(seconds: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), seconds * 1000)));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * kubelet's message for a failed lifecycle hook, shown as the container's PostStartHookError (the Event says only
 * "PostStartHook failed"): which handler, of which container and pod, and how it failed.
 */
function hookFailure(hook: any, container: string, pod: any, timedOut: boolean): string {
  const where = `for Container "${container}" in Pod "${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})"`;
  const how = timedOut ? `did not finish within ${POST_START_TIMEOUT_SECONDS}s` : 'failed';
  if (hook.exec) return `Exec lifecycle hook (${JSON.stringify(hook.exec.command ?? [])}) ${where} ${how}`;
  if (hook.httpGet) return `HTTP lifecycle hook (${hook.httpGet.path ?? '/'}) ${where} ${how}`;
  return `Sleep lifecycle hook ${where} ${how}`;
}

const CONFIG_MAPS = 'configmaps';
const SECRETS = 'secrets';


/**
 * What a pod worker reads from the log (its own model and follower, or a shared feed's): pods, their claims and
 * volumes, Services for the pods' env vars, the ConfigMaps and Secrets pods take env vars and volumes from, and the
 * RuntimeClasses that name the runtime handler a pod's sandbox is made by.
 */
export const POD_WORKER_FOLLOWS: readonly string[] = ['pods', PVCS_RESOURCE, PVS_RESOURCE, 'services', CONFIG_MAPS, SECRETS, RUNTIME_CLASSES_RESOURCE];

/** `configScope`'s answer for a change every pod may care about. */
export const EVERY_POD = Symbol('every pod');

/**
 * Which pods a change to something other than a pod may concern:
 * - a ConfigMap, Secret or PersistentVolumeClaim: only pods of its own namespace can refer to it (their volumes'
 *   content, a waiting container's env, the claim a pod waits for), so those are looked at again. Any host's worker
 *   used to look at every pod of its host on any such write anywhere in the cluster, asking its runtime for every
 *   sandbox and container each time;
 * - a RuntimeClass (cluster-scoped, the handler a sandbox waits for): every pod (`EVERY_POD`);
 * - anything else (Services, PersistentVolumes): none; undefined.
 * Each pod looked at is reconciled only if what it reads changed (`configVersions`).
 */
export function configScope(resource: string, object: any): string | typeof EVERY_POD | undefined {
  if (resource === RUNTIME_CLASSES_RESOURCE) return EVERY_POD;
  if (resource === CONFIG_MAPS || resource === SECRETS || resource === PVCS_RESOURCE) return object?.metadata?.namespace ?? EVERY_POD;
  return undefined;
}

/**
 * A read model of the log that several workers share (the sim fleet: one follower for a hundred hosts instead of
 * a hundred followers each reading the whole log). It tells a worker when something it cares about changed and
 * lists the pods bound to its host without scanning every pod.
 */
export interface SharedPodFeed {
  readonly model: ReadModel;
  /**
   * Calls `changed` after events touching this host's pods (their keys, `namespace/name`; a ConfigMap, Secret or
   * claim names its namespace's pods) or a RuntimeClass (no keys: every pod may care); returns the unsubscribe.
   */
  subscribe(host: string, changed: (pods?: string[]) => void): () => void;
  /** The pods whose spec.nodeName is `host`. */
  podsOn(host: string): StoredObject[];
}

export interface PodWorkerOptions {
  host: string;
  epoch: number;
  /** First restart delay of a crashing container; doubles up to five minutes (CrashLoopBackOff). */
  backoffBaseMs: number;
  resyncMs: number;
  /** `netns`: pods wait for the address the scheduler gives them (POD_IP_ANNOTATION); `loopback`: the runtime picks one. */
  podNetwork?: 'netns' | 'loopback';
  /** What pods see in /etc/resolv.conf: the cluster DNS address (search path by namespace). */
  clusterDns?: string;
  /** The host's allocatable CPU and memory (Kubernetes quantities): a resourceFieldRef to a limit a container does not set reads it, as kubelet's does. */
  allocatable?: { cpu?: string; memory?: string };
  /**
   * false: configMap, secret, downwardAPI and projected volumes are not made (the sim fleet's hosts, whose containers
   * are records that read no files, as KWOK's are); their pods start as if mounted.
   */
  contentVolumes?: boolean;
  /**
   * false: a container's creation records only kubelet's `Started` Event, not `Pulled` and `Created` before it (the
   * sim fleet's hosts, so that a burst of simulated pods writes two Events per pod: Scheduled and Started), nor a
   * `Killing` for each container stopped when its pod is deleted. Ephemeral containers always record all three.
   */
  createEvents?: boolean;
}

/** A ServiceAccount token of a pod's projected volume, as the gateway issued it, and when to ask for a new one. */
interface PodToken {
  token: string;
  refreshAt: number;
}

/** A token's cache key: the pod, and the source's audience and lifetime. */
const tokenKey = (pod: any, source: { audience?: string; expirationSeconds?: number }) => `${pod.metadata.uid}/${source.audience ?? ''}/${source.expirationSeconds ?? 3600}`;

/** The serviceAccountToken sources of the pod's projected volumes. */
function tokenSources(pod: any): { audience?: string; expirationSeconds?: number; path: string }[] {
  const out: { audience?: string; expirationSeconds?: number; path: string }[] = [];
  for (const v of pod.spec?.volumes ?? []) for (const source of v.projected?.sources ?? []) if (source.serviceAccountToken) out.push(source.serviceAccountToken);
  return out;
}

/** Volume kinds whose content the worker writes (kubelet mounts them read-only whatever the mount says). */
const CONTENT_VOLUMES = ['configMap', 'secret', 'downwardAPI', 'projected'];

/** The ConfigMaps and Secrets a pod's volumes read (`configmaps/<name>`, `secrets/<name>`): a change to one rewrites the volume. */
function volumeReferences(pod: any): string[] {
  const refs: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) refs.push(`${CONFIG_MAPS}/${v.configMap.name}`);
    if (v.secret?.secretName) refs.push(`${SECRETS}/${v.secret.secretName}`);
    for (const source of v.projected?.sources ?? []) {
      if (source.configMap?.name) refs.push(`${CONFIG_MAPS}/${source.configMap.name}`);
      if (source.secret?.name) refs.push(`${SECRETS}/${source.secret.name}`);
    }
  }
  return refs;
}

/** The pod's claimed volumes' directories (or what they wait for) and why its content volumes are not mounted, if they are not. */
interface ContainerMounts {
  claims: { paths: Map<string, string>; waitingFor?: string };
  unmounted?: string;
}

/** How many pods one pass reconciles at a time. */
const POD_CONCURRENCY = 32;

async function forEachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Where the last CreateContainerConfigError reported for a container is kept (`reportedFailures`). */
const configFailureKey = (pod: any, spec: any) => `${pod.metadata.uid}/container/${spec.name}`;

function keyOf(pod: any): string {
  return objectKey(pod.metadata.namespace, pod.metadata.name);
}

/**
 * kubelet's word for a container it stops for a failed probe (computePodActions): `Container c failed liveness probe,
 * will be restarted`, without the promise under `restartPolicy: Never`; a sidecar's `Init container c failed liveness
 * probe`, restarted as a sidecar always is.
 */
function killMessage(pod: any, spec: any, probe: 'startup' | 'liveness'): string {
  if (spec.restartPolicy === 'Always') return `Init container ${spec.name} failed ${probe} probe`;
  return `Container ${spec.name} failed ${probe} probe${pod.spec.restartPolicy === 'Never' ? '' : ', will be restarted'}`;
}

function isProbed(container: any): boolean {
  return !!(container.readinessProbe || container.livenessProbe || container.startupProbe);
}

/**
 * The pod as an event carries it: without its resourceVersion (the log's position is the version), with
 * `status` if given. A shallow copy: read-model objects are replaced, never changed in place, and a whole
 * structuredClone of the pod for every status write was a measurable share of the fleet's CPU.
 */
function podForEvent(pod: any, status: unknown = pod.status): any {
  const { resourceVersion: _, ...metadata } = pod.metadata;
  return { ...pod, metadata, status };
}

/**
 * The runtime's side of a pod in one string: its sandbox and each container attempt with their states. Equal
 * strings mean the runtime did nothing to the pod in between (a container that exits, a sandbox that stops,
 * change it).
 */
function runtimeState(sandbox: PodSandbox | undefined, containers: ContainerStatus[]): string {
  if (!sandbox) return '';
  return `${sandbox.id}:${sandbox.state} ${containers.map((c) => `${c.id}:${c.state}`).sort().join(' ')}`;
}

/**
 * Runs the pods bound to this host through crx-runtime: level-triggered
 * passes (after changes and every resync) that make the runtime match the
 * spec, restart containers per restartPolicy with exponential backoff, report
 * status when it changed, stop and finish deleting pods that are going, and
 * remove sandboxes no pod of this host owns.
 *
 * A pass after a change reconciles the pods that changed and those still
 * settling (probed, waiting, backing off); a resync, a claim change or a failed
 * pass looks at every pod of the host and reconciles those whose object or
 * runtime state moved since their last reconcile. Reconciling every Running pod of the
 * host on every change made a burst of P pods onto a host cost P² pod
 * reconciles there (the fleet's largest CPU share at 10,000 pods on 100 hosts).
 */
export class PodWorker {
  private readonly model: ReadModel;
  /** Uids of deleted pods whose containers are stopping through their grace period (see `finishDeletion`). */
  private readonly terminating = new Set<string>();
  /** The stops of deleted pods under way, by pod uid: a shorter grace period asked meanwhile cuts one short. */
  private readonly stops = new Map<string, PodStop>();
  /** Who the host's events say wrote them: one frozen object for every event (it is only ever serialized). */
  private readonly actor: EventMetadata;
  private follower?: LogFollower;
  private unsubscribe?: () => void;
  private readonly loop: PassLoop;
  private readonly crx: PodRuntime;
  /** Writes the pod's Events, counting up one said again instead of repeating it (as kubelet's recorder). */
  private readonly recorder: EventCorrelator;
  /** Start errors per pod uid and container name, with when to try again. */
  private readonly waiting = new Map<string, { reason: string; message: string; retryAt: number; failures: number }>();
  /** The runs of this host's probes, by result and duration: what its kubelet API's `/metrics/probes` answers with. */
  readonly probeMetrics = new ProbeMetrics();
  /** A probe's verdict or run to tell wants a pass; probed pods are settling, so every pass looks at them. */
  private readonly probes = new ProbeTracker(() => this.loop.schedule(), this.probeMetrics);
  /** Takes this worker's probe metrics off its host's `/metrics/probes` (set while it runs). */
  /**
   * The containers (by id) whose postStart hook is still running, or failed and is being killed for it (with
   * kubelet's PostStartHookError message). Until it ends the container is not running to the API, and the pod's
   * later containers are not started (kubelet starts them after the hook, in order).
   */
  private readonly postStarts = new Map<string, { failed?: string }>();
  /** Pods (uid) past their `activeDeadlineSeconds` whose containers are being stopped for it. */
  private readonly deadlineKills = new Set<string>();
  /** Per pod (uid), when its active deadline falls and the timer that wakes it then. */
  private readonly deadlines = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Pods (`namespace/name`) the next pass reconciles, when it does not reconcile them all. */
  private readonly changed = new Set<string>();
  /** Pods reconciled on every pass until they settle: probed, or a container waiting or backing off. */
  private readonly settling = new Set<string>();
  /**
   * What the last reconcile of each settled pod left: the pod's stream version (after its own status write)
   * and the runtime's state. A resync skips a pod where both are still so: its status is a function of the
   * two, and re-deriving and comparing it for every pod of every host was most of what a resync cost.
   */
  private readonly settled = new Map<string, { version: number; runtime: string; config: string }>();
  private everyPod = true;
  /** What each content volume last received, by `<sandbox id>/<volume>`: the digest of its files (an unchanged volume is not written again). */
  private readonly written = new Map<string, string>();
  /** The last mount failure and env failure reported in an Event, by `<pod uid>/<volume or container>`: each is told once until it changes. */
  private readonly reportedFailures = new Map<string, string>();
  private readonly allocatable: HostAllocatable;
  /** The pods' ServiceAccount tokens by `tokenKey`, renewed as kubelet renews them (at 80 % of their life). */
  private readonly tokens = new Map<string, PodToken>();
  private readonly sources: ConfigSources = {
    configMap: (namespace, name) => this.model.get(CONFIG_MAPS, namespace, name)?.object,
    secret: (namespace, name) => this.model.get(SECRETS, namespace, name)?.object,
  };

  constructor(
    private readonly deps: {
      store: EventStore; pool: Pool; nats: NatsConnection; names: NatsNames; prefix: string; logger: Logger;
      /** Default: the host's crx-runtime over NATS. */
      runtime?: PodRuntime;
      /** Default: the worker's own read model and log follower. */
      feed?: SharedPodFeed;
      /** SECRETS_ENCRYPTION_KEY's key, for the worker's own follower (a shared feed decrypts for itself). */
      secretKey?: SecretKey;
    },
    private readonly opts: PodWorkerOptions,
  ) {
    this.crx = deps.runtime ?? new CrxClient(deps.nats, deps.prefix, opts.host);
    this.recorder = new EventCorrelator(deps.store);
    this.actor = Object.freeze({ actor: `system:node:${opts.host}`, source: 'spherelet-agent' });
    this.model = deps.feed?.model ?? controllerReadModel(POD_WORKER_FOLLOWS);
    this.allocatable = { cpuMillis: milliValue(opts.allocatable?.cpu ?? '1') ?? 1000, memoryBytes: parseQuantity(opts.allocatable?.memory ?? '1Gi') ?? 2 ** 30 };
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: opts.resyncMs,
      retryMs: 200,
      onError: (err) => deps.logger.warn('pod pass failed', { error: (err as Error).message }),
      onResync: () => (this.everyPod = true),
    });
  }

  async start(): Promise<void> {
    if (this.deps.feed) {
      this.unsubscribe = this.deps.feed.subscribe(this.opts.host, (pods) => (pods ? this.wake(pods) : this.wakeAll()));
      this.loop.start();
      return;
    }
    this.follower = pokedFollower(this.deps, (events) => {
      const pods: string[] = [];
      const namespaces = new Set<string>();
      let everyPod = false;
      for (const e of events) {
        const change = this.model.apply(decryptedEvent(e, this.deps.secretKey));
        if (!change) continue;
        if (change.resource === 'pods') {
          pods.push(keyOf(change.object));
          continue;
        }
        const scope = configScope(change.resource, change.object);
        if (scope === EVERY_POD) everyPod = true;
        else if (scope !== undefined) namespaces.add(scope);
      }
      if (everyPod) return this.wakeAll();
      for (const namespace of namespaces) pods.push(...this.podsOnHostIn(namespace));
      if (pods.length) this.wake(pods);
    }, { follows: POD_WORKER_FOLLOWS });
    await this.follower.start();
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    this.unsubscribe?.();
    await this.follower?.stop();
  }

  /** A pass soon for these pods. */
  private wake(pods: Iterable<string>): void {
    for (const key of pods) this.changed.add(key);
    this.loop.schedule();
  }

  /** A pass soon for every pod of the host. */
  private wakeAll(): void {
    this.everyPod = true;
    this.loop.schedule();
  }

  private async pass(): Promise<void> {
    const everyPod = this.everyPod;
    const changed = new Set(this.changed);
    this.everyPod = false;
    this.changed.clear();
    try {
      await this.reconcileHost(everyPod ? undefined : new Set([...changed, ...this.settling]));
    } catch (err) {
      this.everyPod = true;
      throw err;
    }
  }

  /**
   * Reconciles the pods named in `only` (`namespace/name`), or every pod of the host, skipping those unchanged
   * since their last reconcile; then removes the sandboxes, among those of the pods looked at, that no pod of
   * this host owns. A pass after a change looks only at the pods it names, and asks the runtime for their
   * sandboxes and those sandboxes' containers only: walking, or listing, every pod of the host on each of a
   * burst's passes grew as the square of its pods.
   */
  private async reconcileHost(only?: Set<string>): Promise<void> {
    const sandboxes = await this.crx.listPodSandboxes(only ? { pods: [...only] } : undefined);
    const containers = await this.crx.listContainers(only ? sandboxes.map((s) => s.id) : undefined);
    const mine = (only ? this.podsNamed(only) : this.podsOnHost()).filter((s) => this.boundHere(s.object));
    const wanted = new Set(mine.map((s) => s.object.metadata.uid));
    // Looked up once per pod below: a scan of the host's sandboxes and containers for each pod grew as its square.
    const sandboxOf = new Map<string, PodSandbox>();
    for (const s of sandboxes) if (!sandboxOf.has(s.config.podUid)) sandboxOf.set(s.config.podUid, s);
    const containersOf = new Map<string, ContainerStatus[]>();
    for (const c of containers) {
      const of = containersOf.get(c.sandboxId);
      if (of) of.push(c);
      else containersOf.set(c.sandboxId, [c]);
    }
    const runtimeOf = (stored: StoredObject) => {
      const sandbox = sandboxOf.get(stored.object.metadata.uid);
      return { sandbox, containers: sandbox ? (containersOf.get(sandbox.id) ?? []) : [] };
    };
    let retry = false;
    const due = mine.filter((stored) => {
      const { sandbox, containers } = runtimeOf(stored);
      return !this.unchanged(stored, runtimeState(sandbox, containers));
    });
    // Pods are independent (each its own stream and sandbox): a slow start of one must not hold up the rest.
    await forEachConcurrently(due, POD_CONCURRENCY, async (stored) => {
      const { sandbox, containers } = runtimeOf(stored);
      try {
        await this.reconcile(stored, sandbox, containers);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('reconciling a pod failed', { pod: stored.object.metadata.name, error: (err as Error).message });
        this.changed.add(keyOf(stored.object));
        retry = true;
      }
    });
    const mineKeys = new Set(mine.map((s) => keyOf(s.object)));
    for (const key of only ?? [...this.settling, ...this.settled.keys()]) {
      if (mineKeys.has(key)) continue;
      this.settling.delete(key);
      this.settled.delete(key);
    }
    // The probes (and their metrics) of pods no longer here, whose going no deletion told (bound elsewhere since).
    if (!only) this.probes.retainPods(wanted);
    // Sandboxes of pods that are gone or no longer bound here (another epoch, rescheduled) are killed. A runtime
    // older than the filter answers with every sandbox of the host: only those of the pods looked at may go.
    const looked = (s: PodSandbox) => !only || only.has(objectKey(s.config.podNamespace, s.config.podName));
    for (const s of sandboxes.filter((x) => !wanted.has(x.config.podUid) && looked(x))) {
      this.deps.logger.info('removing a sandbox no pod of this host owns', { sandbox: s.id, pod: `${s.config.podNamespace}/${s.config.podName}` });
      await this.crx.stopPodSandbox(s.id, 0);
      await this.crx.removePodSandbox(s.id);
    }
    if (retry) this.loop.schedule(200);
  }

  /** The pods this host runs (bound to it, in an epoch it has reached) as the log last said: what kubelet's `/pods` lists. */
  boundPods(): any[] {
    return this.podsOnHost().filter((s) => this.boundHere(s.object)).map((s) => s.object);
  }

  /** Every pod whose spec.nodeName is this host. */
  private podsOnHost(): StoredObject[] {
    return this.deps.feed ? this.deps.feed.podsOn(this.opts.host) : this.model.list('pods').filter((s) => s.object.spec?.nodeName === this.opts.host);
  }

  /** The keys of the pods of one namespace whose spec.nodeName is this host. */
  private podsOnHostIn(namespace: string): string[] {
    const keys: string[] = [];
    for (const stored of this.model.list('pods', namespace)) if (stored.object.spec?.nodeName === this.opts.host) keys.push(keyOf(stored.object));
    return keys;
  }

  /** The pods of these keys (`namespace/name`) that exist. */
  private podsNamed(keys: Set<string>): StoredObject[] {
    const out: StoredObject[] = [];
    for (const key of keys) {
      const slash = key.indexOf('/');
      const stored = this.model.get('pods', key.slice(0, slash), key.slice(slash + 1));
      if (stored) out.push(stored);
    }
    return out;
  }

  private boundHere(pod: any): boolean {
    if (pod.spec?.nodeName !== this.opts.host) return false;
    // A restarted agent starts a new epoch but keeps (adopts) what is still bound to its host;
    // work addressed to an epoch it has not reached is not for it.
    const epoch = bindingEpoch(pod);
    return epoch === undefined || epoch <= this.opts.epoch;
  }

  private async reconcile(stored: StoredObject, sandbox: PodSandbox | undefined, containers: ContainerStatus[]): Promise<void> {
    const pod = stored.object;
    const key = keyOf(pod);
    this.settling.delete(key);
    this.settled.delete(key);
    if (pod.metadata.deletionTimestamp) return this.finishDeletion(stored, sandbox, containers);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return this.finishPod(stored, sandbox);
    if (!sandbox && (bindingEpoch(pod) ?? this.opts.epoch) < this.opts.epoch) return this.release(stored);
    const events: StreamAppend[] = [];
    const ip = pod.metadata.annotations?.[POD_IP_ANNOTATION] as string | undefined;
    // On a host that networks pods, a pod needs the address the scheduler picks from its namespace's subnet (one on
    // the host's network has the host's).
    if (!sandbox && this.opts.podNetwork === 'netns' && !ip && !pod.spec?.hostNetwork) return;
    if (!sandbox) {
      const refused = this.sandboxRefusal(pod);
      if (refused) return this.sandboxRefused(stored, refused);
    }
    const box = sandbox ?? (await this.crx.runPodSandbox(this.sandboxConfig(pod, ip)));
    if (this.pastActiveDeadline(pod, box)) return this.deadlineExceeded(stored, box, containers);
    const facts: ContainerFacts[] = [];
    const claims = this.claimVolumes(pod, containers.length === 0);
    const unmounted = claims.waitingFor ? undefined : (this.setUpHostPaths(pod, claims.paths, events) ?? (await this.writeVolumes(pod, box, events)));
    const mounts = { claims, unmounted };
    // Init containers one after another, each to its successful end (a sidecar, restartPolicy Always, only to its
    // start), before any app container is made; a failed one runs again unless the pod's policy is Never.
    const initFacts: ContainerFacts[] = [];
    let initialized = true;
    for (const spec of (pod.spec.initContainers ?? []) as any[]) {
      const sidecar = spec.restartPolicy === 'Always';
      const fact = await this.stepContainer(pod, spec, box, containers, mounts, (c) => sidecar || (c.exitCode !== 0 && pod.spec.restartPolicy !== 'Never'), events);
      initFacts.push(fact);
      const latest = fact.attempts[fact.attempts.length - 1];
      const done = sidecar ? latest?.state === 'CONTAINER_RUNNING' && !fact.waiting && fact.started !== false : latest?.state === 'CONTAINER_EXITED' && latest.exitCode === 0;
      if (!done) {
        initialized = false;
        break;
      }
    }
    // A container whose postStart hook runs holds up the start of those after it, as kubelet's in-order start does.
    let hooking = false;
    for (const spec of pod.spec.containers as any[]) {
      const attempts = containers.filter((c) => c.name === spec.name);
      if (!initialized) facts.push({ name: spec.name, attempts, waiting: { reason: 'PodInitializing' } });
      else if (hooking && attempts.length === 0) facts.push({ name: spec.name, attempts, waiting: { reason: 'ContainerCreating' } });
      else {
        const fact = await this.stepContainer(pod, spec, box, containers, mounts, (c) => this.restarts(pod, c), events);
        facts.push(fact);
        hooking ||= this.hookRunning(fact);
      }
    }
    const ephemeralFacts = await this.stepEphemeralContainers(pod, box, containers, mounts, [...initFacts, ...facts], events);
    // Until its probes pass or nothing waits any more, the pod is looked at on every pass, not only when it changes.
    const waiting = [...facts, ...ephemeralFacts].some((f) => f.waiting);
    // A container seen exited in this very pass (one that ended before its start returned) is restarted by a later
    // pass: its exit was already seen here, so no change of the runtime's will ask for that pass.
    const exitedToRestart = facts.some((f) => {
      const latest = f.attempts[f.attempts.length - 1];
      return !f.waiting && latest?.state === 'CONTAINER_EXITED' && this.restarts(pod, latest);
    });
    const settling = !initialized || waiting || exitedToRestart || [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some(isProbed);
    if (settling) this.settling.add(key);
    if (exitedToRestart) this.wake([key]);
    const { version, phase } = await this.report(stored, box, { facts, initFacts, ephemeralFacts }, events);
    // A pod that has just finished is not settled: the pass that reads its status back stops its sandbox (finishPod).
    const finished = phase === 'Succeeded' || phase === 'Failed';
    if (!settling && !finished) this.settled.set(key, { version, runtime: runtimeState(box, [...initFacts, ...facts, ...ephemeralFacts].flatMap((f) => f.attempts)), config: this.configVersions(pod) });
  }

  /**
   * The pod's ephemeral containers (kubectl debug), as kubelet runs them: each started once, even before the pod is
   * initialized, never restarted whatever the pod's policy, none started on a pod whose containers have finished. One
   * with a target waits for that container to run, then joins its process namespace.
   */
  private async stepEphemeralContainers(
    pod: any, box: PodSandbox, containers: ContainerStatus[], mounts: ContainerMounts, others: ContainerFacts[], events: StreamAppend[],
  ): Promise<ContainerFacts[]> {
    const specs: any[] = pod.spec.ephemeralContainers ?? [];
    if (specs.length === 0) return [];
    // Names are unique among all of a pod's containers: each list's statuses pick their own facts from `others`.
    const finished = ['Succeeded', 'Failed'].includes(podPhase(pod, containerStatuses(pod, others), containerStatuses(pod, others, 'init')));
    const out: ContainerFacts[] = [];
    for (const spec of specs) {
      const attempts = containers.filter((c) => c.name === spec.name);
      if (attempts.length === 0 && finished) {
        out.push({ name: spec.name, attempts });
        continue;
      }
      let targetContainerId: string | undefined;
      if (spec.targetContainerName && attempts.length === 0) {
        const target = others.find((f) => f.name === spec.targetContainerName)?.attempts.find((a) => a.state === 'CONTAINER_RUNNING');
        if (!target) {
          out.push({ name: spec.name, attempts, waiting: { reason: 'ContainerCreating', message: `waiting for container "${spec.targetContainerName}" to run: it joins its process namespace` } });
          continue;
        }
        targetContainerId = target.id;
      }
      out.push(await this.stepContainer(pod, spec, box, containers, mounts, () => false, events, { targetContainerId }));
    }
    return out;
  }

  /**
   * One container of the pod one step on (app or init): start a created attempt, probe a running one, make a new
   * attempt when there is none or `restarts` says an exited one is to run again (after the CrashLoopBackOff
   * delay), or say why it waits (a start error's back-off, a volume not mounted, env it refers to missing).
   */
  private async stepContainer(
    pod: any, spec: any, box: PodSandbox, containers: ContainerStatus[], mounts: ContainerMounts,
    restarts: (exited: ContainerStatus) => boolean, events: StreamAppend[],
    /** An ephemeral container's (its target's process namespace to join): its creation is told in Events too. */
    ephemeral?: { targetContainerId?: string },
  ): Promise<ContainerFacts> {
    const attempts = containers.filter((c) => c.name === spec.name).sort((a, b) => a.attempt - b.attempt);
    const latest = attempts[attempts.length - 1];
    const key = `${pod.metadata.uid}/${spec.name}`;
    const fact: ContainerFacts = { name: spec.name, attempts };
    const exitedNeedsRestart = latest?.state === 'CONTAINER_EXITED' && restarts(latest);
    if (latest && !exitedNeedsRestart) {
      const hook = this.postStarts.get(latest.id);
      if (hook) fact.waiting = hook.failed === undefined ? { reason: 'ContainerCreating' } : { reason: 'PostStartHookError', message: hook.failed };
      else if (latest.state === 'CONTAINER_CREATED') await this.startContainer(pod, spec, box, latest, fact, events);
      else if (latest.state === 'CONTAINER_RUNNING') await this.probe(pod, spec, box, latest, fact, events);
      return fact;
    }
    const blocked = this.waiting.get(key);
    const now = Date.now();
    if (exitedNeedsRestart) {
      // As kubelet's back-off: the first exit restarts at once, the next waits the base (10 s), each one after twice as long.
      const delay = latest.attempt === 0 ? 0 : Math.min(this.opts.backoffBaseMs * 2 ** (latest.attempt - 1), 300_000);
      const readyAt = Date.parse(latest.finishedAt ?? latest.startedAt ?? latest.createdAt) + delay;
      if (now < readyAt) {
        fact.waiting = { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` };
        // Told once per back-off (kubelet tells it on every sync of the wait, folded into one Event's count).
        const backoffKey = `${key}/backoff`;
        if (this.reportedFailures.get(backoffKey) !== latest.id) {
          this.reportedFailures.set(backoffKey, latest.id);
          events.push(this.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, spec.name));
        }
        setTimeout(() => this.wake([keyOf(pod)]), timerDelay(readyAt + 5, now)).unref();
        return fact;
      }
    } else if (blocked && now < blocked.retryAt) {
      fact.waiting = { reason: blocked.reason === 'ErrImagePull' ? 'ImagePullBackOff' : blocked.reason, message: blocked.message };
      return fact;
    }
    if (mounts.claims.waitingFor || mounts.unmounted) {
      fact.waiting = { reason: 'ContainerCreating', message: (mounts.claims.waitingFor ?? mounts.unmounted)! };
      return fact;
    }
    const serviceEnv = serviceEnvVars(pod, this.model.list('services', pod.metadata.namespace).map((x) => x.object), this.model.get('services', 'default', 'kubernetes')?.object);
    const env = containerEnv(pod, spec, this.sources, { podIP: box.ip, hostIP: HOST_IP, allocatable: this.allocatable, extra: serviceEnv });
    if (!env.ok) return this.configError(pod, spec, fact, events, env.message);
    const containerEnvVars = withServiceEnv(env.value, serviceEnv);
    // After the env, as kubelet makes the mounts: a subPathExpr reads it.
    const subPaths = mountSubPaths(spec, containerEnvVars);
    if (!subPaths.ok) return this.configError(pod, spec, fact, events, subPaths.message);
    try {
      const config = this.containerConfig(pod, spec, mounts.claims.paths, containerEnvVars, subPaths.value);
      const created = await this.crx.createContainer(box.id, { ...config, ...(ephemeral?.targetContainerId ? { targetContainerId: ephemeral.targetContainerId } : {}) }, latest ? latest.attempt + 1 : 0);
      if (ephemeral || this.opts.createEvents !== false) {
        events.push(this.event(pod, 'Normal', 'Pulled', `Container image "${spec.image}" already present on machine`, spec.name));
        events.push(this.event(pod, 'Normal', 'Created', `Created container ${spec.name}`, spec.name));
      }
      this.waiting.delete(key);
      this.reportedFailures.delete(configFailureKey(pod, spec));
      fact.attempts = [...attempts, created];
      await this.startContainer(pod, spec, box, created, fact, events);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === CrxErrorCodes.containerConfig) {
        // The runtime refused a subPath or runAsNonRoot: not a start failure to back off from, but the container's config, as in kubelet.
        this.waiting.delete(key);
        return this.configError(pod, spec, fact, events, (err as Error).message);
      }
      this.reportedFailures.delete(configFailureKey(pod, spec));
      const reason = code === CrxErrorCodes.imageNotFound ? 'ErrImagePull' : 'RunContainerError';
      const failures = (blocked?.failures ?? 0) + 1;
      this.waiting.set(key, { reason, message: (err as Error).message, retryAt: now + Math.min(this.opts.backoffBaseMs * 2 ** (failures - 1), 300_000), failures });
      fact.waiting = { reason, message: (err as Error).message };
      if (failures === 1) events.push(this.event(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, spec.name));
    }
    return fact;
  }

  /**
   * kubelet's CreateContainerConfigError: the container waits (looked at on every pass, the pod settling) until what
   * its config refers to exists, or its volume lets its subPath be mounted; a Warning `Failed` Event once per message.
   */
  private configError(pod: any, spec: any, fact: ContainerFacts, events: StreamAppend[], message: string): ContainerFacts {
    const failureKey = configFailureKey(pod, spec);
    fact.waiting = { reason: 'CreateContainerConfigError', message };
    if (this.reportedFailures.get(failureKey) !== message) events.push(this.event(pod, 'Warning', 'Failed', `Error: ${message}`, spec.name));
    this.reportedFailures.set(failureKey, message);
    return fact;
  }

  /** Whether the pod and the runtime are as its last reconcile left them (or the pod's own status write is still on its way back). */
  private unchanged(stored: StoredObject, runtime: string): boolean {
    const last = this.settled.get(keyOf(stored.object));
    return !!last && stored.streamVersion <= last.version && last.runtime === runtime && last.config === this.configVersions(stored.object) && !this.tokenDue(stored.object);
  }

  /** Whether a token of the pod's projected volumes is missing or due for renewal. */
  private tokenDue(pod: any): boolean {
    if (this.opts.contentVolumes === false) return false;
    const now = Date.now();
    return tokenSources(pod).some((source) => (this.tokens.get(tokenKey(pod, source))?.refreshAt ?? 0) <= now);
  }

  /**
   * The tokens the pod's projected volumes need, asked of the gateway over NATS (it signs them, bound to the pod)
   * when missing or at 80 % of their life, as kubelet renews them; a pass is due then. A refusal or no answer
   * leaves the token missing, so the volume fails to mount (FailedMount) and the next pass asks again.
   */
  private async fetchTokens(pod: any): Promise<void> {
    const now = Date.now();
    for (const source of tokenSources(pod)) {
      const key = tokenKey(pod, source);
      if ((this.tokens.get(key)?.refreshAt ?? 0) > now) continue;
      const expirationSeconds = source.expirationSeconds ?? 3600;
      try {
        const request: PodTokenRequest = { namespace: pod.metadata.namespace, pod: pod.metadata.name, uid: pod.metadata.uid, host: this.opts.host, expirationSeconds, ...(source.audience ? { audience: source.audience } : {}) };
        const reply = await requestJson<PodTokenRequest, Partial<PodTokenReply> & { error?: { message?: string } }>(this.deps.nats, podTokenSubject(this.deps.prefix), request, 5000);
        if (!reply.token) throw new Error(reply.error?.message ?? 'no token in the reply');
        const expires = reply.expirationTimestamp ? Date.parse(reply.expirationTimestamp) : now + expirationSeconds * 1000;
        const refreshAt = now + 0.8 * (expires - now);
        this.tokens.set(key, { token: reply.token, refreshAt });
        setTimeout(() => this.wake([keyOf(pod)]), timerDelay(refreshAt + 5, now)).unref();
      } catch (err) {
        this.deps.logger.warn('no ServiceAccount token for a pod', { pod: keyOf(pod), error: (err as Error).message });
      }
    }
  }

  /** The stream versions of the ConfigMaps and Secrets the pod's volumes read ('' for a pod that reads none, most of them). */
  private configVersions(pod: any): string {
    if (this.opts.contentVolumes === false) return '';
    const refs = volumeReferences(pod);
    if (refs.length === 0) return '';
    return refs.map((r) => {
      const slash = r.indexOf('/');
      return `${r}@${this.model.get(r.slice(0, slash), pod.metadata.namespace, r.slice(slash + 1))?.streamVersion ?? 0}`;
    }).join(' ');
  }

  /**
   * Writes the content of the pod's configMap, secret, downwardAPI and projected volumes into its sandbox (only
   * those whose files changed since the last write); a volume that cannot be made (its ConfigMap or Secret
   * missing, a key it names absent) holds up every container, as kubelet's mount does, with a FailedMount Event
   * once per failure. Returns that failure.
   */
  private async writeVolumes(pod: any, box: PodSandbox, events: StreamAppend[]): Promise<string | undefined> {
    if (this.opts.contentVolumes === false) return undefined;
    await this.fetchTokens(pod);
    const serviceAccountToken = (source: { audience?: string; expirationSeconds: number }) => this.tokens.get(tokenKey(pod, source))?.token;
    for (const v of pod.spec.volumes ?? []) {
      const files = volumeFiles(pod, v, this.sources, { allocatable: this.allocatable, serviceAccountToken });
      if (!files) continue;
      const failureKey = `${pod.metadata.uid}/volume/${v.name}`;
      if (!files.ok) {
        const message = `MountVolume.SetUp failed for volume "${v.name}" : ${files.message}`;
        if (this.reportedFailures.get(failureKey) !== message) events.push(this.event(pod, 'Warning', 'FailedMount', message));
        this.reportedFailures.set(failureKey, message);
        return message;
      }
      this.reportedFailures.delete(failureKey);
      const digest = createHash('sha256').update(JSON.stringify(files.value)).digest('base64');
      const writtenKey = `${box.id}/${v.name}`;
      if (this.written.get(writtenKey) === digest) continue;
      const fsGroup = pod.spec.securityContext?.fsGroup;
      await this.crx.writeVolume(box.id, v.name, files.value, Number.isInteger(fsGroup) ? fsGroup : undefined);
      this.written.set(writtenKey, digest);
    }
    return undefined;
  }

  /**
   * Why the pod's sandbox cannot be made here, as kubelet finds it before asking the runtime: its RuntimeClass is
   * gone, or names a handler this host's runtime does not have (`crx`, and the default).
   */
  private sandboxRefusal(pod: any): string | undefined {
    const name = pod.spec?.runtimeClassName;
    if (!name) return undefined;
    const runtimeClass = this.model.get(RUNTIME_CLASSES_RESOURCE, undefined, name)?.object;
    if (!runtimeClass) return `RuntimeHandler for RuntimeClass "${name}": runtimeclass.node.k8s.io "${name}" not found`;
    const handler = runtimeClass.handler ?? '';
    if (!runtimeHandlerNames().includes(handler)) return `rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "${handler}" is configured`;
    return undefined;
  }

  /**
   * A pod whose sandbox cannot be made: its containers wait in ContainerCreating (no sandbox, no address), a
   * FailedCreatePodSandBox Event says why once per reason, and the pod is looked at again on every pass (a
   * RuntimeClass created or changed later lets it start).
   */
  private async sandboxRefused(stored: StoredObject, reason: string): Promise<void> {
    const pod = stored.object;
    const failureKey = `${pod.metadata.uid}/sandbox`;
    const events: StreamAppend[] = [];
    if (this.reportedFailures.get(failureKey) !== reason) events.push(this.event(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${reason}`));
    this.reportedFailures.set(failureKey, reason);
    this.settling.add(keyOf(pod));
    const waiting = (specs: any[] | undefined, reason: string): ContainerFacts[] => (specs ?? []).map((c) => ({ name: c.name, attempts: [], waiting: { reason } }));
    const init = waiting(pod.spec.initContainers, 'PodInitializing');
    await this.report(stored, undefined, { facts: waiting(pod.spec.containers, init.length ? 'PodInitializing' : 'ContainerCreating'), initFacts: init, ephemeralFacts: [] }, events);
  }

  /**
   * The preStop hooks of the containers about to be stopped, as kubelet runs them before the stop signal: all at
   * once, each bounded by the grace period (an exec in the container, an HTTP GET, or a sleep). A hook that fails is a
   * Warning `FailedPreStopHook` ("PreStopHook failed", kubelet's words: the output may hold secrets). What they take,
   * the stop's grace period loses (kubelet keeps at least two seconds of it).
   */
  private async preStop(pod: any, box: PodSandbox, running: ContainerStatus[], deadline: StopDeadline): Promise<void> {
    const specs = new Map<string, any>([...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])].map((c: any) => [c.name, c]));
    const hooked = running.map((c) => ({ c, hook: specs.get(c.name)?.lifecycle?.preStop })).filter((h) => h.hook);
    const grace = deadline.secondsLeft();
    if (hooked.length === 0 || grace <= 0) return;
    const failed: StreamAppend[] = [];
    await Promise.all(hooked.map(async ({ c, hook }) => {
      const ok = await deadline.within(this.runHook(hook, box, c, specs.get(c.name), grace));
      if (ok === false) failed.push(this.event(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', c.name));
    }));
    if (failed.length) await this.recorder.appendBatch(failed).catch((err) => this.deps.logger.warn('recording a failed preStop hook failed', { error: (err as Error).message }));
  }

  /** One lifecycle handler, as kubelet's hook runner: exec and httpGet as probes run them (`kube-lifecycle` agent), sleep as a wait. */
  private runHook(hook: any, box: PodSandbox, c: ContainerStatus, spec: any, timeoutSeconds: number): Promise<boolean> {
    if (hook.sleep) return new Promise((resolve) => setTimeout(() => resolve(true), Math.max(0, hook.sleep.seconds ?? 0) * 1000).unref());
    return runProbe({ ...hook, timeoutSeconds }, this.probeTarget(box, c, spec), 'kube-lifecycle');
  }

  /** Forgets what was written and reported for a pod that is going. */
  private forget(pod: any, sandbox: PodSandbox | undefined): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${pod.metadata.uid}/`)) this.tokens.delete(key);
    for (const key of this.reportedFailures.keys()) if (key.startsWith(`${pod.metadata.uid}/`)) this.reportedFailures.delete(key);
    if (sandbox) for (const key of this.written.keys()) if (key.startsWith(`${sandbox.id}/`)) this.written.delete(key);
    clearTimeout(this.deadlines.get(pod.metadata.uid)?.timer);
    this.deadlines.delete(pod.metadata.uid);
    // Its probes end with it (kubelet stops its liveness and startup workers as it starts to terminate), and so
    // do their series in /metrics/probes.
    this.probes.forgetPod(pod.metadata.uid);
  }

  /**
   * Where a container's probes and hooks go: its pod's address and ports, and exec through the runtime (ok on exit 0,
   * the command's output as a failure's message, `command "…" timed out` for one that ran out of its time, as
   * kubelet's exec prober reports them: execProbeResult).
   */
  private probeTarget(box: PodSandbox, c: ContainerStatus, spec: any): ProbeTarget {
    return {
      podIP: box.ip,
      ports: spec?.ports ?? [],
      exec: (command: string[], timeoutSeconds: number) => {
        const began = Date.now();
        return this.crx.execSync({ containerId: c.id, command, timeoutSeconds }).then(
          (r) => execProbeResult(command, timeoutSeconds, r, Date.now() - began),
          // Not the command's failure but the exec's (the container gone, the runtime not answering): kubelet's probe error.
          (err) => ({ ok: false, errored: true, message: (err as Error).message }),
        );
      },
    };
  }

  /**
   * Readiness and startup gate `ready`; a failed liveness or startup probe stops the container so the restart policy applies.
   * Every failed run is told in a Warning `Unhealthy` Event (a warning in a `ProbeWarning`), as kubelet's prober tells
   * it; the recorder counts the repeats up on one Event and its spam filter bounds them (EventCorrelator).
   */
  private async probe(pod: any, spec: any, box: PodSandbox, c: ContainerStatus, fact: ContainerFacts, events: StreamAppend[]): Promise<void> {
    const owner: ProbeOwner = { namespace: pod.metadata.namespace, pod: pod.metadata.name, podUid: pod.metadata.uid, container: spec.name };
    const verdict = this.probes.observe(owner, c.id, Date.parse(c.startedAt ?? c.createdAt), spec, this.probeTarget(box, c, spec));
    fact.ready = verdict.ready;
    fact.started = verdict.started;
    for (const report of verdict.reports) {
      const { reason, message } = probeEvent(report);
      events.push(this.event(pod, 'Warning', reason, message, spec.name));
    }
    // Told once per container: its liveness and startup probes are on hold while it is killed (kubelet's worker
    // `onHold`), so the passes of a long grace period neither probe it again nor kill it again.
    if (verdict.failed) {
      events.push(this.event(pod, 'Normal', 'Killing', killMessage(pod, spec, verdict.failed), spec.name));
      // Not awaited: a long grace period (and its preStop hook) must not hold up the other pods of the host.
      void this.kill(pod, box, c)
        .catch((err) => {
          this.deps.logger.warn(`stopping a container its ${verdict.failed} probe failed failed`, { container: c.id, error: (err as Error).message });
          // Still running: probed again from the start, and killed again if it fails again.
          this.probes.release(owner);
        })
        .finally(() => this.wake([keyOf(pod)]));
    }
  }

  private restarts(pod: any, c: ContainerStatus): boolean {
    const policy = pod.spec.restartPolicy ?? 'Always';
    return policy === 'Always' || (policy === 'OnFailure' && c.exitCode !== 0);
  }

  private async startContainer(pod: any, spec: any, box: PodSandbox, c: ContainerStatus, fact: ContainerFacts, events: StreamAppend[]): Promise<void> {
    const started = await this.crx.startContainer(c.id);
    fact.attempts = [...fact.attempts.filter((a) => a.id !== c.id), started];
    events.push(this.event(pod, 'Normal', 'Started', `Started container ${c.name}`, c.name));
    if (spec.lifecycle?.postStart && started.state === 'CONTAINER_RUNNING') {
      this.postStart(pod, spec, box, started);
      fact.waiting = { reason: 'ContainerCreating' };
    }
  }

  /** Whether this container's postStart hook is still running (not failed: a failed one's container is being stopped). */
  private hookRunning(fact: ContainerFacts): boolean {
    const latest = fact.attempts[fact.attempts.length - 1];
    const hook = latest && this.postStarts.get(latest.id);
    return !!hook && hook.failed === undefined;
  }

  /**
   * A container's postStart hook, as kubelet runs it right after the start: the container is not running to the API
   * until it ends. Run beside the passes (a hook may take long; the host's other pods must not wait for it), waking the
   * pod when it ends. One that fails is kubelet's Warning `FailedPostStartHook` ("PostStartHook failed": the output
   * may hold secrets) and a `Killing` with message `FailedPostStartHook`; the container is stopped as a liveness kill
   * stops it (its preStop hook first, the grace period) and shows `PostStartHookError` until then; the restart policy
   * takes it from there.
   */
  private postStart(pod: any, spec: any, box: PodSandbox, c: ContainerStatus): void {
    this.postStarts.set(c.id, {});
    const hook = spec.lifecycle.postStart;
    void withinSeconds(POST_START_TIMEOUT_SECONDS, this.runHook(hook, box, c, spec, POST_START_TIMEOUT_SECONDS))
      .then(async (ok) => {
        if (ok) return;
        // A pod deleted meanwhile (its containers stopping, the hook failing with them) is past caring.
        const now = this.model.get('pods', pod.metadata.namespace, pod.metadata.name)?.object;
        if (now?.metadata.uid !== pod.metadata.uid || now.metadata.deletionTimestamp) return;
        this.postStarts.set(c.id, { failed: hookFailure(hook, spec.name, pod, ok === undefined) });
        // Reported while the container is stopped (its grace period), as kubelet reports the hook's error.
        this.wake([keyOf(pod)]);
        const told = [this.event(pod, 'Warning', 'FailedPostStartHook', 'PostStartHook failed', spec.name), this.event(pod, 'Normal', 'Killing', 'FailedPostStartHook', spec.name)];
        await this.recorder.appendBatch(told).catch((err) => this.deps.logger.warn('recording a failed postStart hook failed', { error: (err as Error).message }));
        await this.kill(pod, box, c).catch((err) => this.deps.logger.warn('stopping a container whose postStart hook failed failed', { container: c.id, error: (err as Error).message }));
      })
      .finally(() => {
        this.postStarts.delete(c.id);
        this.wake([keyOf(pod)]);
      });
  }

  /**
   * Whether the pod has been active on the host longer than its `spec.activeDeadlineSeconds` (from its
   * `status.startTime`), as kubelet's active-deadline handler asks; until then a timer wakes the pod when it falls.
   */
  private pastActiveDeadline(pod: any, box: PodSandbox): boolean {
    const seconds = pod.spec.activeDeadlineSeconds;
    const uid = pod.metadata.uid;
    if (typeof seconds !== 'number') return false;
    const at = Date.parse(pod.status?.startTime ?? box.createdAt) + seconds * 1000;
    if (Date.now() >= at) return true;
    const known = this.deadlines.get(uid);
    if (known?.at !== at) {
      if (known) clearTimeout(known.timer);
      const key = keyOf(pod);
      // A settled pod is skipped while nothing about it changes: its deadline is such a change.
      const due = () => {
        this.settled.delete(key);
        this.wake([key]);
      };
      this.deadlines.set(uid, { at, timer: setTimeout(due, timerDelay(at + 5)).unref() });
    }
    return false;
  }

  /**
   * A pod past its active deadline, as kubelet ends it: its running containers stopped as a kill stops them (preStop
   * hooks, the grace period; none restarted), then phase `Failed`, reason `DeadlineExceeded`, message `Pod was active
   * on the node longer than the specified deadline`, and kubelet's Normal Event of those words.
   */
  private async deadlineExceeded(stored: StoredObject, box: PodSandbox, containers: ContainerStatus[]): Promise<void> {
    const pod = stored.object;
    const uid = pod.metadata.uid;
    const key = keyOf(pod);
    clearTimeout(this.deadlines.get(uid)?.timer);
    this.deadlines.delete(uid);
    const running = containers.filter((c) => c.state === 'CONTAINER_RUNNING');
    if (running.length > 0 || this.deadlineKills.has(uid)) {
      if (this.deadlineKills.has(uid)) return;
      this.deadlineKills.add(uid);
      void Promise.allSettled(running.map((c) => this.kill(pod, box, c))).finally(() => {
        this.deadlineKills.delete(uid);
        this.wake([key]);
      });
      return;
    }
    const message = 'Pod was active on the node longer than the specified deadline';
    const ended = (specs: any[] | undefined): ContainerFacts[] => (specs ?? []).map((c: any) => ({ name: c.name, attempts: containers.filter((x) => x.name === c.name) }));
    const status = { ...podStatus(pod, box, ended(pod.spec.containers), rfc3339(), ended(pod.spec.initContainers)), phase: 'Failed', reason: 'DeadlineExceeded', message };
    const write = { streamId: stored.streamId, events: [this.fieldsEvent(ObjectEventTypes.statusUpdated, { status })], expectedVersion: stored.streamVersion };
    await this.recorder.appendBatch([write, this.event(pod, 'Normal', 'DeadlineExceeded', message)]);
  }

  /** Stops a running container as kubelet's killContainer does: its preStop hook, then the stop with what is left of the pod's grace period (at least 2 s). */
  private async kill(pod: any, box: PodSandbox, c: ContainerStatus): Promise<void> {
    const deadline = new StopDeadline(pod.spec.terminationGracePeriodSeconds ?? 30);
    await this.preStop(pod, box, [c], deadline);
    await this.crx.stopContainer(c.id, Math.max(deadline.secondsLeft(), MINIMUM_GRACE_SECONDS));
  }

  /** What the runtime is told of the pod's sandbox: its name, address, resolver, and the host namespaces it shares. */
  private sandboxConfig(pod: any, ip: string | undefined): PodSandboxConfig {
    const spec = pod.spec ?? {};
    const dns = podDns(pod, this.opts.clusterDns);
    const address = spec.hostNetwork ? HOST_IP : ip;
    return {
      podUid: pod.metadata.uid, podName: pod.metadata.name, podNamespace: pod.metadata.namespace, epoch: this.opts.epoch,
      ...(address ? { ip: address } : {}), ...(dns ? { dns } : {}), ...(spec.hostname ? { hostname: spec.hostname } : {}), ...(podFqdn(pod) ? { fqdn: podFqdn(pod) } : {}),
      ...(spec.hostNetwork ? { hostNetwork: true } : {}), ...(spec.hostPID ? { hostPID: true } : {}), ...(spec.hostIPC ? { hostIPC: true } : {}),
      ...(spec.shareProcessNamespace && !spec.hostPID ? { shareProcessNamespace: true } : {}),
      ...(spec.hostAliases?.length ? { hostAliases: spec.hostAliases.map((a: any) => ({ ip: a.ip, hostnames: a.hostnames ?? [] })) } : {}),
    };
  }

  /**
   * The pod's hostPath volumes, checked against their `type` (and made, for the `OrCreate` ones) as kubelet's volume
   * plugin does, added to `paths`; a check that fails holds up every container with a FailedMount Event (once per
   * message), as kubelet's mount does, and is tried again on every pass. The sim fleet's hosts check nothing.
   */
  private setUpHostPaths(pod: any, paths: Map<string, string>, events: StreamAppend[]): string | undefined {
    for (const v of pod.spec.volumes ?? []) {
      if (typeof v.hostPath?.path !== 'string') continue;
      const failureKey = `${pod.metadata.uid}/volume/${v.name}`;
      const problem = this.opts.contentVolumes === false ? undefined : setUpHostPath(v.hostPath.path, v.hostPath.type);
      if (problem) {
        const message = `MountVolume.SetUp failed for volume "${v.name}" : ${problem}`;
        if (this.reportedFailures.get(failureKey) !== message) events.push(this.event(pod, 'Warning', 'FailedMount', message));
        this.reportedFailures.set(failureKey, message);
        return message;
      }
      this.reportedFailures.delete(failureKey);
      paths.set(v.name, v.hostPath.path);
    }
    return undefined;
  }

  /**
   * The directories of the pod's claimed volumes by volume name, or why a container cannot start yet. A pod none of
   * whose containers exist yet (`fresh`) is not started on a claim being deleted, as kubelet refuses to set up its
   * volumes; one already running keeps its volumes.
   */
  private claimVolumes(pod: any, fresh: boolean): { paths: Map<string, string>; waitingFor?: string } {
    const paths = new Map<string, string>();
    for (const v of pod.spec.volumes ?? []) {
      // A persistentVolumeClaim volume names its claim; a generic ephemeral one is the pod's own `<pod>-<volume>`.
      const named = volumeClaim(pod, v);
      if (!named) continue;
      const claimName = named.name;
      const claim = this.model.get(PVCS_RESOURCE, pod.metadata.namespace, claimName)?.object;
      if (named.ephemeral && claim && !claimOwnedByPod(claim, pod)) return { paths, waitingFor: notOwnedClaimMessage(pod, claimName) };
      if (fresh && claim?.metadata.deletionTimestamp) {
        const ref = `${pod.metadata.namespace}/${claimName}`;
        return { paths, waitingFor: `error processing PVC ${ref}: can't start pod because PVC ${ref} is being deleted` };
      }
      const volume = claim?.status?.phase === 'Bound' && claim.spec?.volumeName ? this.model.get(PVS_RESOURCE, undefined, claim.spec.volumeName)?.object : undefined;
      const path = volume?.spec?.hostPath?.path ?? volume?.spec?.local?.path;
      if (!path) return { paths, waitingFor: claim ? `waiting for PersistentVolumeClaim "${claimName}" to be bound` : `persistentvolumeclaim "${claimName}" not found` };
      paths.set(v.name, path);
    }
    return { paths };
  }

  private containerConfig(pod: any, spec: any, claimPaths: Map<string, string>, env: { name: string; value: string }[], subPaths: (string | undefined)[]): ContainerConfig {
    const readOnly = new Set((pod.spec.volumes ?? []).filter((v: any) => CONTENT_VOLUMES.some((kind) => v[kind])).map((v: any) => v.name));
    const limits = spec.resources?.limits ?? {};
    const security = containerSecurity(pod, spec);
    return {
      name: spec.name,
      image: spec.image,
      command: spec.command,
      args: spec.args,
      env,
      workingDir: spec.workingDir,
      ports: spec.ports,
      limits: {
        ...(limits.memory !== undefined ? { memoryBytes: parseQuantity(limits.memory) } : {}),
        ...(limits.cpu !== undefined ? { cpuMillis: milliValue(limits.cpu) } : {}),
      },
      mounts: (spec.volumeMounts ?? []).map((m: any, i: number) => ({
        name: m.name,
        mountPath: m.mountPath,
        ...(claimPaths.has(m.name) ? { hostPath: claimPaths.get(m.name) } : {}),
        ...(m.readOnly || readOnly.has(m.name) ? { readOnly: true } : {}),
        ...(subPaths[i] ? { subPath: subPaths[i] } : {}),
      })),
      ...(spec.stdin ? { stdin: true, ...(spec.stdinOnce ? { stdinOnce: true } : {}) } : {}),
      ...(spec.tty ? { tty: true } : {}),
      ...(security ? { security } : {}),
      // The API defaults both (`/dev/termination-log`, `File`); a pod written before that was defaulted has neither.
      ...(spec.terminationMessagePath ? { terminationMessagePath: spec.terminationMessagePath } : {}),
      ...(spec.terminationMessagePolicy ? { terminationMessagePolicy: spec.terminationMessagePolicy } : {}),
    };
  }

  /** Writes the pod's status (and any events) when it changed, at the pod's stream version; returns the version the pod's stream is at then and the pod's phase. */
  private async report(stored: StoredObject, sandbox: PodSandbox | undefined, all: { facts: ContainerFacts[]; initFacts: ContainerFacts[]; ephemeralFacts: ContainerFacts[] }, events: StreamAppend[]): Promise<{ version: number; phase: string }> {
    const pod = stored.object;
    const status = podStatus(pod, sandbox, all.facts, rfc3339(), all.initFacts, all.ephemeralFacts);
    if (sameJson(status, pod.status)) {
      if (events.length) await this.recorder.appendBatch(events);
      return { version: stored.streamVersion, phase: status.phase };
    }
    // The status alone: the rest of the pod is what the stream holds at the version written at.
    const write = { streamId: stored.streamId, events: [this.fieldsEvent(ObjectEventTypes.statusUpdated, { status })], expectedVersion: stored.streamVersion };
    // The status write is no Event, so it is written as it is and has its result.
    const [written] = await this.recorder.appendBatch([write, ...events]);
    return { version: written!.streamVersion, phase: status.phase };
  }

  /**
   * A pod bound to an earlier epoch of this host whose sandbox is gone (the runtime fenced that epoch, or the
   * host restarted before starting it) is not started again here: it goes back to the scheduler.
   */
  private async release(stored: StoredObject): Promise<void> {
    const pod = stored.object;
    const message = `host ${this.opts.host} restarted in epoch ${this.opts.epoch} without the pod's sandbox of epoch ${bindingEpoch(pod)}`;
    await this.recorder.appendBatch([
      podUnbound(pod, stored.streamVersion, { reason: 'HostEpochEnded', message }, this.actor),
      this.event(pod, 'Warning', 'HostFailover', `${message}; the pod will be placed again`),
    ]);
  }

  /**
   * A pod that has finished (Succeeded or Failed: nothing of it runs again): as kubelet, its sandbox is stopped, apart
   * from the pass (a sidecar still running gets the pod's grace period), which ends its network namespace and frees
   * its address for the scheduler to give again; then its status says `PodReadyToStartContainers` False. The
   * sandbox's directory stays until the pod is deleted, so its logs are still read.
   */
  private async finishPod(stored: StoredObject, sandbox: PodSandbox | undefined): Promise<void> {
    const pod = stored.object;
    // Nothing of it is probed again: kubelet's prober workers end with the pod's phase, their metrics with them.
    this.probes.forgetPod(pod.metadata.uid);
    if (this.terminating.has(pod.metadata.uid)) return;
    if (sandbox?.state === 'SANDBOX_READY') {
      const key = keyOf(pod);
      this.terminating.add(pod.metadata.uid);
      void this.crx.stopPodSandbox(sandbox.id, pod.spec.terminationGracePeriodSeconds ?? 30)
        .catch((err) => this.deps.logger.warn('stopping a finished pod\'s sandbox failed', { pod: key, error: (err as Error).message }))
        .finally(() => {
          this.terminating.delete(pod.metadata.uid);
          this.wake([key]);
        });
      return;
    }
    const status = finishedPodStatus(pod, rfc3339());
    if (!status) return;
    await this.deps.store.append(stored.streamId, [this.fieldsEvent(ObjectEventTypes.statusUpdated, { status })], { expectedVersion: stored.streamVersion });
  }

  /**
   * A pod being deleted: its containers are stopped through its grace period apart from the pass (as kubelet's
   * per-pod workers do: a pod taking its 30 s to stop must not hold up every other pod of the host), and once its
   * sandbox is gone a pass writes the deletion. A shorter grace period asked while it stops (`kubectl delete
   * --grace-period` again) cuts the stop short to end by then (`PodStop`); 0, which only finalizers leave a pod
   * with, is no shorter one to kubelet, nor here.
   */
  private async finishDeletion(stored: StoredObject, sandbox: PodSandbox | undefined, containers: ContainerStatus[] = []): Promise<void> {
    const pod = stored.object;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    if (this.terminating.has(pod.metadata.uid)) {
      if (grace > 0) this.stops.get(pod.metadata.uid)?.shorten(grace);
      return;
    }
    this.forget(pod, sandbox);
    if (sandbox) {
      const uid = pod.metadata.uid;
      const key = keyOf(pod);
      this.terminating.add(uid);
      const running = containers.filter((c) => c.state === 'CONTAINER_RUNNING');
      // kubelet's word for each container it stops (sim containers, which the burst deletes by the thousand, excepted).
      if (running.length && this.opts.createEvents !== false) {
        const stopping = running.map((c) => this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`, c.name));
        void this.recorder.appendBatch(stopping).catch((err) => this.deps.logger.warn('recording a pod\'s stop failed', { pod: key, error: (err as Error).message }));
      }
      const stop = new PodStop(grace, (seconds) => this.crx.stopPodSandbox(sandbox.id, seconds));
      this.stops.set(uid, stop);
      void stop.run((deadline) => this.preStop(pod, sandbox, running, deadline))
        .then(() => this.crx.removePodSandbox(sandbox.id))
        .catch((err) => this.deps.logger.warn('stopping a deleted pod failed', { pod: key, error: (err as Error).message }))
        .finally(() => {
          this.terminating.delete(uid);
          this.stops.delete(uid);
          this.wake([key]);
        });
      return;
    }
    if ((pod.metadata.finalizers ?? []).length > 0) return this.endGracePeriod(stored);
    await this.deps.store.append(stored.streamId, [this.objectEvent(ObjectEventTypes.deleted, podForEvent(pod))], { expectedVersion: stored.streamVersion });
  }

  /**
   * A stopped pod that finalizers still hold (a Job's pod its controller has not counted yet): as kubelet's final
   * delete, its grace period ends and a pod that had not finished is Failed; whoever removes the last finalizer
   * then deletes it.
   */
  private async endGracePeriod(stored: StoredObject): Promise<void> {
    const pod = stored.object;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (finished && pod.metadata.deletionGracePeriodSeconds === 0) return;
    const next = podForEvent(pod, finished ? pod.status : { ...pod.status, phase: 'Failed' });
    next.metadata = { ...next.metadata, deletionGracePeriodSeconds: 0 };
    await this.deps.store.append(stored.streamId, [this.objectEvent(ObjectEventTypes.updated, next)], { expectedVersion: stored.streamVersion });
  }

  private objectEvent(type: string, object: any): NewEvent {
    return { type, data: { resource: 'pods', object }, metadata: this.actor };
  }

  /** An event that sets some fields of the pod (`FieldSet`), leaving the rest as its stream holds it. */
  private fieldsEvent(type: string, set: FieldSet): NewEvent {
    return { type, data: { resource: 'pods', set }, metadata: this.actor };
  }

  /**
   * A core v1 Event about the pod, named at random from objectEvent's page of random bytes (not a draw each). One about
   * a single container (`container`, its name) says which in its fieldPath, as kubelet's do: `kubectl get events -o
   * wide` shows it, and it keeps two containers' Events apart; one about the whole pod (its sandbox, its volumes) has none.
   */
  private event(pod: any, type: 'Normal' | 'Warning', reason: string, message: string, container?: string): StreamAppend {
    const { name, namespace, uid } = pod.metadata;
    const kind = container === undefined ? undefined : containerKind(pod, container);
    return objectEvent(
      { apiVersion: 'v1', kind: 'Pod', name, namespace, uid, ...(container !== undefined && kind ? { fieldPath: containerFieldPath(kind, container) } : {}) },
      { type, reason, message, component: 'spherelet', host: this.opts.host, actor: this.actor },
    );
  }
}
