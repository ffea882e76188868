import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import { ClusterNetwork, clusterDnsAddress, ENDPOINT_SLICES_RESOURCE, INGRESS_CLASSES_RESOURCE, INGRESS_CONTROLLER_NAME, ingressClassOf, INGRESSES_RESOURCE, loadBalancerAddress, LOOPBACK_NETWORK, ObjectEventTypes, objectStreamId, SERVICES_RESOURCE, rfc3339 } from '@openpacific/contracts';
import { EventStore, RecordedEvent, VersionConflictError } from '@openpacific/event-store';
import { controllerReadModel, decryptedEvent, eventNameSuffix, PassLoop, type SecretKey, type SharedFollower, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import { servicePortKey } from '../pod-services/pod-endpoints';
import { sliceServiceBackends } from '../pod-services/slice-backends';
import type { Backend } from '../services/tcp-load-balancer';
import { hostRank, IngressBackendRef, ingressRoutes, IngressRoutes, routeRequest } from './ingress-routes';

const ACTOR = { actor: 'system:serviceaccount:kube-system:openpacific-ingress-controller', source: 'vm-operator' };
const COMPONENT = 'openpacific-ingress-controller';
const HTTP_PORT = 80;
const HTTPS_PORT = 443;
const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/**
 * The cluster's one ingress address: the load balancer range at the offset of the cluster DNS address, which the
 * cluster IP allocator never hands out, so no LoadBalancer Service's ingress can take it (127.203.0.10 on loopback).
 */
export function ingressAddress(network: ClusterNetwork = LOOPBACK_NETWORK): string {
  return loadBalancerAddress(network, clusterDnsAddress(network))!;
}

/**
 * networking.k8s.io/v1 Ingresses of the classes whose controller is `openpacific.io/ingress` (in the elected
 * vm-operator): one HTTP listener on the ingress address, port 80 (and 443 with the `tls` Secrets, chosen by SNI), routing each request by Host and path
 * (ingress-routes.ts) to the backend Service's ready endpoints, round robin, streaming the request and the answer.
 * No matching rule and no defaultBackend → 404; a backend Service without ready endpoints → 503; a backend that
 * fails → 502. Each Ingress gets `status.loadBalancer.ingress[{ip}]` and a `Sync` Event when it is first served.
 */
export class IngressController {
  private readonly model = controllerReadModel([INGRESSES_RESOURCE, INGRESS_CLASSES_RESOURCE, SERVICES_RESOURCE, ENDPOINT_SLICES_RESOURCE, 'secrets']);
  private readonly loop: PassLoop;
  private readonly address: string;
  private table: IngressRoutes = { routes: [] };
  private server?: http.Server;
  private secureServer?: https.Server;
  /** The TLS certificates of the served Ingresses' `tls` entries, by host (`*.foo.com` as written), first come first kept. */
  private certificates: Array<{ host?: string; context: tls.SecureContext }> = [];
  private readonly next = new Map<string, number>();
  /** Ingress uids whose `Sync` Event was given (one per Ingress and leadership). */
  private readonly synced = new Set<string>();

  constructor(private readonly deps: { store: EventStore; feed: SharedFollower; logger: Logger; network?: ClusterNetwork; secretKey?: SecretKey }) {
    this.address = ingressAddress(deps.network);
    this.loop = new PassLoop(() => this.pass(), {
      resyncMs: 2000,
      retryMs: 200,
      onError: (err) => deps.logger.warn('ingress pass failed', { error: (err as Error).message }),
    });
    deps.feed.add(this.model.follows, (events) => this.read(events));
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    const servers = [this.server, this.secureServer];
    this.server = this.secureServer = undefined;
    await Promise.all(servers.map((server) => server && new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); })));
  }

  private read(events: RecordedEvent[]): void {
    let changed = false;
    for (const e of events) if (this.model.apply(decryptedEvent(e, this.deps.secretKey))) changed = true;
    if (changed) this.loop.schedule();
  }

  /** The Ingresses this controller serves: of a class whose controller is ours. */
  private served(): StoredObject[] {
    const ours = new Set(this.model.list(INGRESS_CLASSES_RESOURCE).filter((c) => c.object.spec?.controller === INGRESS_CONTROLLER_NAME).map((c) => c.object.metadata.name));
    return this.model.list(INGRESSES_RESOURCE).filter((s) => !s.object.metadata.deletionTimestamp && ours.has(ingressClassOf(s.object) ?? ''));
  }

  private async pass(): Promise<void> {
    const served = this.served();
    this.table = ingressRoutes(served.map((s) => s.object));
    this.certificates = this.tlsCertificates(served.map((s) => s.object));
    if (served.length > 0) this.server ??= await this.listen(http.createServer((req, res) => this.handle(req, res, 'http')), HTTP_PORT);
    if (this.certificates.length > 0) {
      this.secureServer ??= await this.listen(https.createServer({ SNICallback: (name, cb) => cb(null, this.certificateFor(name)) }, (req, res) => this.handle(req, res, 'https')), HTTPS_PORT);
    }
    for (const stored of served) {
      try {
        await this.reportStatus(stored);
      } catch (err) {
        if (!(err instanceof VersionConflictError)) this.deps.logger.warn('ingress status not written', { ingress: stored.object.metadata.name, error: (err as Error).message });
        this.loop.schedule(300);
      }
    }
  }

  private async listen<S extends http.Server>(server: S, port: number): Promise<S | undefined> {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.address, () => resolve());
      });
    } catch (err) {
      this.deps.logger.warn('ingress listener failed', { address: `${this.address}:${port}`, error: (err as Error).message });
      return undefined;
    }
    server.on('error', (err) => this.deps.logger.warn('ingress listener error', { error: err.message }));
    return server;
  }

  /** Each `tls` entry's `kubernetes.io/tls` Secret (of the Ingress's namespace) as a context for its hosts; bad or missing Secrets are skipped. */
  private tlsCertificates(ingresses: any[]): Array<{ host?: string; context: tls.SecureContext }> {
    const out: Array<{ host?: string; context: tls.SecureContext }> = [];
    for (const ing of ingresses) {
      for (const entry of ing.spec?.tls ?? []) {
        const secret = entry?.secretName ? this.model.get('secrets', ing.metadata.namespace, entry.secretName)?.object : undefined;
        if (secret?.type !== TLS_SECRET_TYPE || !secret.data?.['tls.crt'] || !secret.data?.['tls.key']) continue;
        try {
          const context = tls.createSecureContext({ cert: Buffer.from(secret.data['tls.crt'], 'base64'), key: Buffer.from(secret.data['tls.key'], 'base64') });
          const hosts: string[] = entry.hosts?.length ? entry.hosts : [undefined];
          for (const host of hosts) out.push({ host, context });
        } catch {
          continue;
        }
      }
    }
    return out;
  }

  /** SNI: the exact host's certificate, else a wildcard's, else one without hosts, else the first. */
  private certificateFor(serverName: string): tls.SecureContext | undefined {
    const name = serverName.toLowerCase();
    for (const rank of [2, 1, 0]) {
      const found = this.certificates.find((c) => hostRank(c.host, name) === rank);
      if (found) return found.context;
    }
    return this.certificates[0]?.context;
  }

  /** The ready endpoints of the backend Service's port, as the Service proxy would use them. */
  private backends(ref: IngressBackendRef): Backend[] {
    const svc = this.model.get(SERVICES_RESOURCE, ref.namespace, ref.service)?.object;
    const port = (svc?.spec?.ports ?? []).find((p: any) => (ref.port.name ? p.name === ref.port.name : p.port === ref.port.number));
    if (!svc || !port) return [];
    const slices = this.model.list(ENDPOINT_SLICES_RESOURCE, ref.namespace).map((s) => s.object);
    return sliceServiceBackends(svc, slices).get(servicePortKey(port.protocol ?? 'TCP', port.port)) ?? [];
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, proto: 'http' | 'https'): void {
    const ref = routeRequest(this.table, req.headers.host, req.url ?? '/');
    if (!ref) return void answer(res, 404, '404 page not found\n');
    const backends = this.backends(ref);
    if (backends.length === 0) return void answer(res, 503, 'no endpoints available for service\n');
    const key = `${ref.namespace}/${ref.service}`;
    const i = this.next.get(key) ?? 0;
    this.next.set(key, i + 1);
    const backend = backends[i % backends.length];
    const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-host': req.headers.host ?? '', 'x-forwarded-proto': proto };
    const upstream = http.request({ host: backend.address, port: backend.port, method: req.method, path: req.url, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : answer(res, 502, '502 bad gateway\n')));
    req.on('error', () => upstream.destroy());
    req.pipe(upstream);
  }

  private async reportStatus(stored: StoredObject): Promise<void> {
    const ing = stored.object;
    const current = ing.status?.loadBalancer?.ingress ?? [];
    if (!(current.length === 1 && current[0].ip === this.address)) {
      const next = structuredClone(ing);
      delete next.metadata.resourceVersion;
      next.status = { ...next.status, loadBalancer: { ingress: [{ ip: this.address }] } };
      await this.deps.store.append(stored.streamId, [{ type: ObjectEventTypes.statusUpdated, data: { resource: INGRESSES_RESOURCE, object: next }, metadata: ACTOR }], { expectedVersion: stored.streamVersion });
    }
    if (this.synced.has(ing.metadata.uid)) return;
    this.synced.add(ing.metadata.uid);
    await this.event(ing, 'Sync', 'Scheduled for sync');
  }

  private async event(ing: any, reason: string, message: string): Promise<void> {
    const now = rfc3339();
    const name = `${ing.metadata.name}.${eventNameSuffix()}`;
    const object = {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name, namespace: ing.metadata.namespace, uid: randomUUID(), creationTimestamp: now },
      involvedObject: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: ing.metadata.name, namespace: ing.metadata.namespace, uid: ing.metadata.uid },
      reason, message, type: 'Normal', source: { component: COMPONENT }, reportingComponent: COMPONENT,
      firstTimestamp: now, lastTimestamp: now, count: 1,
    };
    await this.deps.store.append(objectStreamId('events', ing.metadata.namespace, name), [{ type: ObjectEventTypes.created, data: { resource: 'events', object }, metadata: ACTOR }], { expectedVersion: 'no_stream' });
  }
}

function answer(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
