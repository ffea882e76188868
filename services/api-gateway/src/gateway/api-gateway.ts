import { createServer, Server } from 'node:https';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { CRDS_RESOURCE, defaultIngressClass, defaultStorageClass, INGRESS_CLASSES_RESOURCE, snapshotCrds, ObjectEventTypes, PRIORITY_CLASSES_RESOURCE, qualifiedResource, STORAGE_CLASSES_RESOURCE, SYSTEM_PRIORITY_CLASSES, systemPriorityClassObject, rfc3339, setNodeHeartbeatSource } from '@openpacific/contracts';
import { LeaderElection } from '@openpacific/event-store';
import { ensureEventStream, EventRelay, HostMetricsCache } from '@openpacific/messaging';
import { methodNotAllowed, precompileSchemas, usePrecompiledValidators, validatorCounts } from '@openpacific/kube-api';
import { serviceMetrics, type ServiceContext } from '@openpacific/service-kit';
import { type GatewayConfig, tlsSans } from '../api-gateway.config';
import { ensureAdminToken, ensurePki, ensureServiceAccountKey, publishServiceAccountPublicKey, servingCertificateSans, writeKubeconfig } from '../pki';
import type { Subscription } from 'nats';
import { defaultCrd } from './customresources/crd.validation';
import { DefaultServiceAccounts } from './controllers/default-service-accounts';
import { GatewayEndpoint, gatewayEndpoint, KubernetesServiceController } from './controllers/kubernetes-service';
import { RootCaPublisher } from './controllers/root-ca-publisher';
import { apiserverIdentity, IdentityLease } from './controllers/identity-lease';
import { RoleAggregator } from './controllers/role-aggregator';
import { GarbageCollector } from './controllers/garbage-collector';
import { CrdController } from './customresources/crd.controller';
import { CsrSigner } from './controllers/csr-signer';
import { CustomResourceKinds } from './customresources/custom-resource-kinds';
import { GatewayCore } from './core';
import { prepareForCreate, prepareForUpdate } from './handlers/object-rules';
import { lacksNamespaceNameLabel } from './handlers/object-meta.validation';
import { setStorageClassLookup } from './handlers/storage.strategy';
import { setPriorityClassesLookup } from './handlers/scheduling.strategy';
import { GatewayHealth } from './http/health';
import { ApiRequestHandler } from './http/api-server';
import { RequestMetrics } from './http/request-metrics';
import { Authenticator } from './http/authenticator';
import { AuditLog } from './audit/audit-log';
import { auditHook, consoleAudit, upgradeAudit } from './audit/audit-hook';
import { readModelLookups } from './auth/rbac-lookups';
import { ensureBootstrapPolicy } from './auth/ensure-bootstrap-policy';
import { localUserTokens } from './auth/local-user-tokens';
import { boundTokenSource } from './auth/bound-tokens';
import { servePodTokens } from './auth/pod-tokens';
import { serviceAccountTokenSource } from './auth/service-account-tokens';
import { UsersFile } from './auth/users-file';
import { WcpApi } from './auth/wcp-api';
import { PostgresLoginLockout } from './auth/postgres-login-lockout';
import { guestSessionTokenSource, sessionTokenSource, supervisorSessionsOf } from './auth/wcp-sessions';
import { ResourceRegistry } from './registry/registry';
import { StreamUpgrades } from './streams/upgrade';
import { isConsoleTicketPath, VmConsoleUpgrades } from './streams/vm-console';
import { AdmissionClient } from './store/admission-client';
import { AllocationLedger, decryptedEvent, LogFollower, pokedFollower, ReadModel, secretKeyFrom, WatchHub } from '@openpacific/objects';
import { ObjectWriter } from './store/object-writer';
import { webhookTimeBudgetMs } from './store/webhook-budget';
import { NODE_LEASE_NAMESPACE } from './node-leases/node-lease-object';
import { NodeLeaseView } from './node-leases/node-lease-view';
import { registeredAt } from './node-leases/host-run-start';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', NODE_LEASE_NAMESPACE];
const ADMIN = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };
/** The largest request line and headers taken: Go's http.DefaultMaxHeaderBytes, kube-apiserver's. */
export const MAX_HEADER_BYTES = 1 << 20;

/**
 * The Kubernetes-compatible HTTPS API. Reads come from an in-memory read model
 * rebuilt from the event log at start and kept current by following it;
 * writes are admitted by the policy service and appended to the log.
 */
export class ApiGateway {
  private server?: Server;
  private follower?: LogFollower;
  private gc?: GarbageCollector;
  private aggregator?: RoleAggregator;
  private serviceAccounts?: DefaultServiceAccounts;
  private kubernetesService?: KubernetesServiceController;
  private rootCa?: RootCaPublisher;
  /** This replica's identity Lease in kube-system, renewed from the moment it listens. */
  private identityLease?: IdentityLease;
  private crds?: CrdController;
  private csrSigner?: CsrSigner;
  /** Where this gateway listens, as the `kubernetes` EndpointSlice names it; known once it listens. */
  private endpoint?: GatewayEndpoint;
  private podTokens?: Subscription;
  private gcElection?: LeaderElection;
  private relay?: EventRelay;
  private metrics?: HostMetricsCache;
  private nodeLeases?: NodeLeaseView;
  private audit?: AuditLog;
  private users?: UsersFile;
  private ready = false;
  /** Set once the gateway has served (ready), never cleared: the health endpoints' `informer-sync`. */
  private synced = false;
  private stopping = false;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly ctx: ServiceContext<GatewayConfig>) {}

  async start(): Promise<void> {
    try {
      await this.boot();
    } catch (err) {
      // Whatever started before the failure (follower, relay, collector) must not keep the process alive.
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  private async boot(): Promise<void> {
    const { config, logger, pool, store, nats, names } = this.ctx;
    // TLS_SANS, and the names pods use through the `kubernetes` Service (kubernetes.default.svc, its cluster IP).
    const pki = await ensurePki(config.DATA_DIR, servingCertificateSans(tlsSans(config), config.SERVICE_CIDR));
    const adminToken = await ensureAdminToken(config.DATA_DIR);
    const serviceAccountKey = await ensureServiceAccountKey(config.DATA_DIR);
    await publishServiceAccountPublicKey(config.DATA_DIR, serviceAccountKey);

    const registry = new ResourceRegistry();
    // The built-in kinds' schema validators, written by the build beside the program's entry (dist/main.js or
    // dist/main.bundle.js: this file's own folder differs between the two), loaded at the first validation.
    const entryDir = require.main ? dirname(require.main.filename) : __dirname;
    usePrecompiledValidators(join(entryDir, 'schema-validators.js'), (reason) => logger.info('schema validators are compiled at run time: no precompiled ones', { reason }));
    const readModel = new ReadModel();
    const hub = new WatchHub(config.WATCH_CACHE_SIZE);
    const secretKey = config.SECRETS_ENCRYPTION_KEY ? secretKeyFrom(config.SECRETS_ENCRYPTION_KEY) : undefined;
    if (!secretKey) logger.warn('SECRETS_ENCRYPTION_KEY is not set: Secrets are stored in the event log as given');
    // CustomResourceDefinitions' kinds join the registry as the log establishes them, before their changes are published.
    const customKinds = new CustomResourceKinds(registry, logger);
    const allocations = new AllocationLedger();
    const follower = pokedFollower({ store, pool, nats, names, logger }, (events) => {
      for (const e of events) {
        allocations.apply(e);
        const change = readModel.apply(decryptedEvent(e, secretKey));
        if (!change) continue;
        customKinds.apply(change);
        hub.publish(change);
      }
    });
    this.follower = follower;
    const started = Date.now();
    await follower.start();
    logger.info('read model rebuilt from the log', { ms: Date.now() - started });
    const writer = new ObjectWriter(store, follower, readModel, new AdmissionClient(nats, names, config.ADMISSION_TIMEOUT_MS, () => webhookTimeBudgetMs(readModel)), secretKey,
      config.ADMISSION_SKIP_WHEN_NOTHING_APPLIES);
    // Every replica hears every host's samples (core NATS, no queue group), as each serves metrics.k8s.io.
    this.metrics = new HostMetricsCache(nats, config.NATS_PREFIX);
    this.metrics.start();
    // And every host's heartbeats, which kube-node-lease's Leases are made from (never stored: heartbeats are not events).
    const nodeLeases = new NodeLeaseView(readModel, () => follower.current, { runStart: (host) => registeredAt(store, host) });
    this.nodeLeases = nodeLeases;
    // A Node's conditions say when its host last heartbeat, as the Lease does.
    setNodeHeartbeatSource((host) => {
      const at = nodeLeases.lastRenewed(host);
      return at === undefined ? undefined : rfc3339(new Date(at));
    });
    hub.subscribe((change) => nodeLeases.hostChanged(change));
    nodeLeases.start(nats, config.NATS_PREFIX);
    const core: GatewayCore = {
      registry, readModel, hub, follower, writer, allocations, store, logger, nats, natsPrefix: config.NATS_PREFIX, serviceCIDR: config.SERVICE_CIDR, serviceAccountKey, metrics: this.metrics,
      nodeLeases,
    };
    await this.ensureSystemNamespaces(core);
    await ensureBootstrapPolicy(core);
    // Expanding a claim depends on its class, which the PVC rules look up here.
    setStorageClassLookup((name) => core.readModel.get(STORAGE_CLASSES_RESOURCE, undefined, name)?.object);
    // One global default PriorityClass: the Priority admission looks at the others.
    setPriorityClassesLookup(() => core.readModel.list(PRIORITY_CLASSES_RESOURCE).map((s) => s.object));
    // Pods' ServiceAccount tokens for their hosts' agents (NATS request/reply): every replica, in one queue group.
    this.podTokens = servePodTokens(nats, config.NATS_PREFIX, { readModel, serviceAccountKey, catchUp: () => follower.kick() });
    // One garbage collector (and namespace finalizer, ClusterRole aggregator, default ServiceAccounts, the `kubernetes`
    // Service and the root CA ConfigMaps) per cluster: the leader among the gateway replicas.
    this.gcElection = new LeaderElection(pool, {
      name: 'garbage-collector',
      logger,
      onElected: () => {
        this.gc = new GarbageCollector(core, logger);
        this.gc.start();
        this.aggregator = new RoleAggregator(core, logger);
        this.aggregator.start();
        this.serviceAccounts = new DefaultServiceAccounts(core, logger);
        this.serviceAccounts.start();
        const identity = apiserverIdentity(config.INSTANCE_ID);
        this.kubernetesService = new KubernetesServiceController(core, logger, () => this.endpoint && { lease: identity, endpoint: this.endpoint });
        this.kubernetesService.start();
        this.rootCa = new RootCaPublisher(core, logger, pki.caCertPem);
        this.rootCa.start();
        this.crds = new CrdController(core, logger);
        this.crds.start();
        this.csrSigner = new CsrSigner(core, logger, { certPem: pki.caCertPem, keyPem: pki.caKeyPem });
        this.csrSigner.start();
      },
      onDeposed: () => {
        this.gc?.stop();
        this.aggregator?.stop();
        this.serviceAccounts?.stop();
        this.kubernetesService?.stop();
        this.rootCa?.stop();
        this.crds?.stop();
        this.crds = undefined;
        this.csrSigner?.stop();
        this.csrSigner = undefined;
        this.gc = undefined;
        this.aggregator = undefined;
        this.serviceAccounts = undefined;
        this.kubernetesService = undefined;
        this.rootCa = undefined;
      },
    });
    await this.gcElection.start();
    // Committed events go to JetStream for the services' controllers; one relay per database leads.
    await ensureEventStream(nats, names, { replicas: config.EVENT_STREAM_REPLICAS });
    this.relay = new EventRelay({ pool, nc: nats, names, logger });
    await this.relay.start();

    const auth = new Authenticator();
    auth.addToken(adminToken, ADMIN);
    // Users of DATA_DIR/users.json (re-read when it changes), then ServiceAccount token Secrets.
    const users = new UsersFile(join(config.DATA_DIR, 'users.json'), (message) => logger.warn(message));
    users.start();
    this.users = users;
    auth.addSource((_token, d) => users.lookup(d.toString('hex')));
    auth.addSource(serviceAccountTokenSource(readModel));
    auth.addSource(boundTokenSource(serviceAccountKey, readModel));
    // `kubectl vsphere login` sessions: users.json's password users, signed with the same key.
    auth.addSource(sessionTokenSource(serviceAccountKey, users));
    // A guest cluster's gateway also takes the Supervisor's sessions for this cluster (sso: users).
    const supervisorSessions = await supervisorSessionsOf(config);
    if (supervisorSessions) auth.addSource(guestSessionTokenSource(supervisorSessions));
    this.audit = new AuditLog(pool, logger.child({ component: 'audit' }));
    const metrics = new RequestMetrics(serviceMetrics(), { resources: () => registry.definitions.filter((d) => !d.viewOf).map(qualifiedResource), count: (r) => readModel.count(r) });
    const auditDeps = { log: this.audit, registry, auth, rbac: readModelLookups(readModel), logger, metrics };
    const audit = auditHook(auditDeps);
    const wcp = new WcpApi({
      users, signer: serviceAccountKey, authenticate: (req) => auth.authenticate(req), rbac: () => readModelLookups(readModel),
      namespaces: () => readModel.list('namespaces').map((s) => s.object.metadata.name),
      namespaced: (groups, resource) => registry.namespacedResources().some((d) => (resource === '*' || d.plural === resource) && (groups.includes('*') || groups.includes(d.group))),
      object: (resource, namespace, name) => readModel.get(resource, namespace, name)?.object,
      lockout: new PostgresLoginLockout(pool, { maxFailures: config.WCP_LOGIN_MAX_FAILURES, failureWindowSeconds: config.WCP_LOGIN_FAILURE_WINDOW_SECONDS, lockoutSeconds: config.WCP_LOGIN_LOCKOUT_SECONDS }),
    });
    const health = new GatewayHealth({
      postgres: () => pool.query('select 1').then(() => undefined),
      nats: () => nats.flush(),
      synced: () => this.synced,
      stopping: () => this.stopping,
    }, logger);
    const handler = new ApiRequestHandler(core, auth, health, audit, wcp);
    // Clients may show a certificate the cluster's CA signed (an approved CertificateSigningRequest): asked for, never required.
    // Request line and headers up to 1 MiB, as Go's HTTP server takes them (Node's 16 KiB default answered 431 to the
    // GET or DELETE of an RBAC object whose name, a path segment of any length, it had taken on create).
    const server = createServer({ key: pki.keyPem, cert: pki.certPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: false, maxHeaderSize: MAX_HEADER_BYTES,
      // A request must be received whole within the timeout (a body that never ends held its connection and socket
      // for ever, unauthenticated ones too), checked every 5 s. Given to the constructor: a value set on the server
      // afterwards was not the one Node.js checked.
      requestTimeout: config.GATEWAY_REQUEST_TIMEOUT_SECONDS * 1000, connectionsCheckingInterval: 5_000 }, handler.handle);
    // kubectl exec / port-forward: WebSocket and SPDY upgrades (streams/upgrade.ts); VM web consoles (streams/vm-console.ts).
    const streams = new StreamUpgrades(core, auth, upgradeAudit(auditDeps));
    const consoles = new VmConsoleUpgrades(core, consoleAudit(auditDeps));
    server.on('upgrade', (req, socket, head) => (isConsoleTicketPath(req.url) ? consoles.handle : streams.handle)(req, socket, head));
    // CONNECT (a proxy tunnel) is no method of the API: Node hands it to a 'connect' listener or drops the connection.
    // Answered as any method the API does not take, with a 405 Status, and the connection closed.
    server.on('connect', (req, socket: Socket) => {
      const body = JSON.stringify(methodNotAllowed(req.method ?? 'CONNECT').status);
      socket.end(`HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
    // Watches stay open for as long as the client wants them: requestTimeout bounds receiving a request, not answering it.
    server.keepAliveTimeout = 65_000;
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.GATEWAY_PORT, config.GATEWAY_BIND, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const publicUrl = config.GATEWAY_PUBLIC_URL || `https://127.0.0.1:${port}`;
    core.publicUrl = publicUrl;
    this.endpoint = gatewayEndpoint(publicUrl, port);
    this.identityLease = new IdentityLease(core, logger, config.INSTANCE_ID, this.endpoint, config.GATEWAY_LEASE_DURATION_SECONDS);
    this.identityLease.start();
    this.kubernetesService?.schedule();
    const kubeconfig = join(config.DATA_DIR, 'kubeconfig');
    if (config.GATEWAY_WRITE_KUBECONFIG) await writeKubeconfig(kubeconfig, {
      server: publicUrl,
      caCertPem: pki.caCertPem,
      clusterName: 'openpacific',
      users: [{ name: 'admin', token: adminToken }, ...(await localUserTokens(config.DATA_DIR))],
      contextName: 'openpacific',
      namespace: 'default',
    });
    this.ready = true;
    this.synced = true;
    logger.info('api-gateway serving', { url: publicUrl, kubeconfig });
    // The first object of each kind would otherwise wait for its schema's validator to compile (100-200 ms
    // on a fresh gateway, measured in docs/benchmarks.md): make them all now, between requests. The built-in kinds'
    // come from the build (deploy/precompile-validators.mjs) in a file beside main.js and main.bundle.js; without it,
    // or for a schema it does not hold, they are compiled.
    // A schema that fails to compile here fails its kind's requests later, as before; it must not end the gateway.
    if (config.GATEWAY_PRECOMPILE_SCHEMAS) void precompileSchemas(registry.definitions, () => !this.ready).then(
      (count) => logger.debug('schema validators ready', { count, ...validatorCounts() }),
      (err: Error) => logger.warn('compiling the schema validators ahead of use stopped', { error: err.message }),
    );
  }

  async stop(): Promise<void> {
    this.ready = false;
    this.stopping = true;
    this.users?.stop();
    this.podTokens?.unsubscribe();
    // Out of the `kubernetes` endpoints at once, while the log is still followed (a write waits for it).
    await this.identityLease?.release();
    await this.metrics?.stop();
    this.nodeLeases?.stop();
    await this.gcElection?.stop();
    await this.relay?.stop();
    if (this.server) {
      const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      await closed;
    }
    await this.audit?.stop();
    await this.follower?.stop();
  }

  /**
   * The system namespaces, the default StorageClass and IngressClass, the system PriorityClasses and the volume snapshot
   * CRDs exist from the first start, as on any Supervisor.
   */
  private async ensureSystemNamespaces(core: GatewayCore): Promise<void> {
    const wanted: [string, any][] = [
      ...SYSTEM_NAMESPACES.map((name) => ['namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }] as [string, any]),
      [STORAGE_CLASSES_RESOURCE, defaultStorageClass()],
      [INGRESS_CLASSES_RESOURCE, defaultIngressClass()],
      ...SYSTEM_PRIORITY_CLASSES.map((c) => [PRIORITY_CLASSES_RESOURCE, systemPriorityClassObject(c)] as [string, any]),
      // The CSI snapshot kinds, CRDs as on any cluster with a snapshot controller (the scheduler's).
      ...snapshotCrds().map((crd) => [CRDS_RESOURCE, defaultCrd(crd)] as [string, any]),
    ];
    for (const [resource, manifest] of wanted) {
      const served = core.registry.storage(resource);
      if (core.readModel.streamVersion(resource, undefined, manifest.metadata.name) > 0) continue;
      const object = prepareForCreate(served.def, structuredClone(manifest), undefined);
      object.metadata.creationTimestamp = rfc3339();
      try {
        await core.writer.write({
          served, operation: 'CREATE', eventType: ObjectEventTypes.created, object, expectedVersion: 0,
          actor: { username: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, skipAdmission: true,
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EVENTSTORE.VERSION_CONFLICT') throw err;
      }
    }
    // Namespaces stored before the gateway labelled them `kubernetes.io/metadata.name` get the label now, as
    // kube-apiserver shows it on every namespace (NetworkPolicy namespaceSelectors match on it).
    const namespaces = core.registry.storage('namespaces');
    for (const stored of core.readModel.list('namespaces')) {
      if (!lacksNamespaceNameLabel(stored.object)) continue;
      try {
        await core.writer.write({
          served: namespaces, operation: 'UPDATE', eventType: ObjectEventTypes.updated, object: prepareForUpdate(namespaces.def, stored.object, stored.object),
          oldObject: stored.object, expectedVersion: stored.streamVersion,
          actor: { username: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, skipAdmission: true,
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'EVENTSTORE.VERSION_CONFLICT') throw err;
      }
    }
  }
}
