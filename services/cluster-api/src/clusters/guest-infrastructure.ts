import { readFileSync } from 'node:fs';
import { guestSessionAudience } from '@openpacific/contracts';
import type { StreamAppend } from '@openpacific/event-store';
import { createCertificateAuthority } from '@openpacific/kube-api';
import { encryptSecret, ReadModel, SecretKey, StoredObject } from '@openpacific/objects';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import { GuestAccess, GuestNode, GuestNodeMonitor } from './guest-nodes';
import { bootstrapUserData, freePodSubnet, kubeconfigAccess, kubeconfigFor, newEncryptionKey, POD_SUBNET_ANNOTATION, secretNames, secretObject, secretValue } from './guest-secrets';
import { clusterHeldRanges, clusterServiceRanges, freeGuestServiceRange, SERVICE_CIDR_ANNOTATION } from './guest-network';
import { GuestStore } from './guest-store';
import { buildsTopologyClass, isTopologyCluster } from './cluster-spec';
import { CR, created, deleted, LABELS, updated } from './objects';

/** The Supervisor's ServiceAccount issuer (its gateway's `iss`, kube-apiserver's default --service-account-issuer). */
export const SUPERVISOR_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** Held on every Cluster until its guest's database and stream are removed (after its last machine). */
const CLUSTER_FINALIZER = 'cluster.cluster.x-k8s.io';

/**
 * What makes a Cluster a guest cluster one can use, beside the Cluster API objects: its CA, encryption key,
 * database and NATS prefix, its admin kubeconfig, each Machine's bootstrap data, and what the guest's own API
 * says of its nodes. The cluster controller calls it from its passes (same read model, same writes).
 */
export class GuestInfrastructure {
  readonly store: GuestStore;
  private readonly nodes: GuestNodeMonitor;
  /** Certificate authorities being generated, by cluster uid (RSA keys take a moment). */
  private readonly pendingCas = new Map<string, { ready?: { keyPem: string; certPem: string } }>();

  constructor(
    private readonly model: ReadModel,
    private readonly deps: { pool: Pool; nats: NatsConnection; logger: Logger; secretKey?: SecretKey; databaseUrl: string; natsUrl: string; supervisorIssuerKeyFile?: string; datastoreDir?: string },
    private readonly onChange: () => void,
  ) {
    this.store = new GuestStore({ ...deps, onMade: onChange });
    // A list of a few nodes is cheap; each poll interval is latency on a machine's way to Ready (issue 9).
    // A guest silent for 10 s is unreachable: its health checks wait for it rather than act on what was last seen.
    this.nodes = new GuestNodeMonitor({ intervalMs: 250, timeoutMs: 2000, staleMs: 10_000, logger: deps.logger, onChange });
  }

  stop(): void {
    this.nodes.stop();
  }

  private get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.model.get(resource, namespace, name);
  }

  /** The node named after a machine, as its guest's API last listed it. */
  nodeOf(guest: any, name: string): GuestNode | undefined {
    return this.nodes.nodes(guest.metadata.uid)?.get(name);
  }

  /** The guest's nodes by name when its API answers now; undefined while it is unreachable. */
  reachableNodes(guest: any): Map<string, GuestNode> | undefined {
    return this.nodes.reachableNodes(guest.metadata.uid);
  }

  /** The admin kubeconfig, once the Cluster has its endpoint and CA: what `kubectl --kubeconfig` uses to reach the guest. */
  kubeconfig(c: any): StreamAppend | undefined {
    const ca = this.secret(c.metadata.namespace, secretNames.ca(c.metadata.name));
    if (!c.spec.controlPlaneEndpoint?.host || !ca || this.secret(c.metadata.namespace, secretNames.kubeconfig(c.metadata.name))) return undefined;
    return this.createdSecret(secretObject(c, secretNames.kubeconfig(c.metadata.name), { value: kubeconfigFor(c.metadata.name, c.spec.controlPlaneEndpoint, secretValue(ca, 'tls.crt')!) }, c.metadata.name));
  }

  /**
   * What a guest cluster needs before its first machine boots, and what it leaves behind: the cluster's CA
   * (`<cluster>-ca`) and Secrets encryption key (`<cluster>-encryption`), its database and NATS prefix, the
   * finalizer that holds the Cluster until its last machine is gone and then removes them. Also points the
   * node monitor at every guest with a kubeconfig.
   */
  reconcile(): (StreamAppend | undefined)[] {
    const writes: (StreamAppend | undefined)[] = [];
    const access = new Map<string, GuestAccess>();
    for (const stored of this.model.list(CR.clusters)) {
      const c = stored.object;
      const ns = c.metadata.namespace;
      const name = c.metadata.name;
      if (c.metadata.deletionTimestamp) {
        writes.push(this.finishClusterDeletion(stored));
        continue;
      }
      // A topology no machine will be made of yet (its ClusterClass missing, or one cluster-api does not build) takes
      // no guest Service range, CA or database: ten such Pending Clusters held every range of the Supervisor.
      const waiting = !clusterServiceRanges(c) && this.awaitsItsClass(c);
      // The CA's RSA key takes a while (a second on a busy machine): it is made beside the passes, which go on
      // creating the cluster's other objects, and the pass after it is ready writes it.
      const ca = waiting || this.secret(ns, secretNames.ca(name)) ? undefined : this.certificateAuthority(c);
      if (!(c.metadata.finalizers ?? []).includes(CLUSTER_FINALIZER)) {
        writes.push(updated(CR.clusters, stored, (o) => (o.metadata.finalizers = [...(o.metadata.finalizers ?? []), CLUSTER_FINALIZER])));
        continue;
      }
      if (waiting) {
        this.pendingCas.delete(c.metadata.uid);
        continue;
      }
      if (!clusterServiceRanges(c)) {
        writes.push(this.serviceRanges(stored));
        continue;
      }
      if (ca?.ready) writes.push(this.createdSecret(secretObject(c, secretNames.ca(name), { 'tls.crt': ca.ready.certPem, 'tls.key': ca.ready.keyPem }, name)));
      if (!ca) this.pendingCas.delete(c.metadata.uid);
      if (!this.secret(ns, secretNames.encryption(name))) writes.push(this.createdSecret(secretObject(c, secretNames.encryption(name), { key: newEncryptionKey() }, name)));
      // Likewise the database (CREATE DATABASE copies a template): machines wait for it in `bootstrap`.
      this.store.ensureDatabase(c);
      const kubeconfig = kubeconfigAccess(this.secret(ns, secretNames.kubeconfig(name)));
      if (kubeconfig) access.set(c.metadata.uid, kubeconfig);
    }
    this.nodes.track(access);
    return writes;
  }

  /** A topology Cluster whose ClusterClass does not exist, or is not the one cluster-api builds. */
  private awaitsItsClass(c: any): boolean {
    if (!isTopologyCluster(c)) return false;
    const classNamespace = c.spec.topology.classNamespace || c.metadata.namespace;
    return !this.model.get(CR.clusterClasses, classNamespace, c.spec.topology.class) || !buildsTopologyClass(c);
  }

  /**
   * The guest's own Service /16 (`freeGuestServiceRange`), recorded on its Cluster once and kept for its life; held
   * while any Cluster (one being deleted too) records it. A Cluster made when each guest took a pair holds its old
   * LoadBalancer /16 too, so no new Cluster takes either.
   */
  private serviceRanges(stored: StoredObject): StreamAppend | undefined {
    const used = new Set<string>();
    for (const other of this.model.list(CR.clusters)) for (const cidr of clusterHeldRanges(other.object)) used.add(cidr);
    const free = freeGuestServiceRange(used, stored.object.metadata.uid);
    if (!free) {
      this.deps.logger.warn('no guest service range is free', { cluster: `${stored.object.metadata.namespace}/${stored.object.metadata.name}` });
      return undefined;
    }
    return updated(CR.clusters, stored, (o) => (o.metadata.annotations = { ...o.metadata.annotations, [SERVICE_CIDR_ANNOTATION]: free }));
  }

  /** The cluster's CA being made (started on first call), with the keys once they are ready. */
  private certificateAuthority(c: any): { ready?: { keyPem: string; certPem: string } } {
    let pending = this.pendingCas.get(c.metadata.uid);
    if (!pending) {
      const entry: { ready?: { keyPem: string; certPem: string } } = {};
      pending = entry;
      this.pendingCas.set(c.metadata.uid, entry);
      createCertificateAuthority(`${c.metadata.name}-ca`).then(
        (ca) => {
          entry.ready = ca;
          this.onChange();
        },
        (err: Error) => {
          this.deps.logger.warn('making a guest cluster CA failed', { cluster: `${c.metadata.namespace}/${c.metadata.name}`, error: err.message });
          this.pendingCas.delete(c.metadata.uid);
          this.onChange();
        },
      );
    }
    return pending;
  }

  /** Once no Machine and no VM of the cluster is left: its database and stream go, then the finalizer. */
  private finishClusterDeletion(stored: StoredObject): StreamAppend | undefined {
    const c = stored.object;
    if (!(c.metadata.finalizers ?? []).includes(CLUSTER_FINALIZER)) return undefined;
    const ns = c.metadata.namespace;
    const machinesLeft = this.model.list(CR.machines, ns).some((m) => m.object.spec?.clusterName === c.metadata.name);
    const vmsLeft = this.model.list(CR.vms, ns).some((v) => v.object.metadata.labels?.[LABELS.vmCluster] === c.metadata.name);
    // A database still being created is dropped once it exists; either wakes the next pass when done.
    if (machinesLeft || vmsLeft || !this.store.ensureRemoved(c)) return undefined;
    const finalizers = c.metadata.finalizers.filter((f: string) => f !== CLUSTER_FINALIZER);
    if (finalizers.length === 0) return deleted(CR.clusters, stored);
    return updated(CR.clusters, stored, (o) => (o.metadata.finalizers = finalizers));
  }

  /**
   * What a control plane needs to take the Supervisor's sessions for its cluster: the issuer's public key (read from
   * the file the Supervisor's gateway writes, which may not exist for a moment at a first start) and the cluster's
   * audience. Nothing when this service was given no key file.
   */
  private supervisorSessions(c: any): { issuer: string; audience: string; publicKeyPem: string } | { waitingFor: string } | undefined {
    const file = this.deps.supervisorIssuerKeyFile;
    if (!file) return undefined;
    let publicKeyPem: string;
    try {
      publicKeyPem = readFileSync(file, 'utf8');
    } catch (err) {
      return { waitingFor: `the Supervisor's issuer public key ${file} is not readable: ${(err as Error).message}` };
    }
    if (!publicKeyPem.includes('PUBLIC KEY')) return { waitingFor: `the Supervisor's issuer public key ${file} holds no PEM public key` };
    const audience = guestSessionAudience({ namespace: c.metadata.namespace, name: c.metadata.name, uid: c.metadata.uid });
    return { issuer: SUPERVISOR_ISSUER, audience, publicKeyPem };
  }

  secret(namespace: string, name: string): any | undefined {
    return this.model.get('secrets', namespace, name)?.object;
  }

  /** Secrets are encrypted before they reach the log, as the gateway stores them. */
  createdSecret(secret: any): StreamAppend {
    return created('secrets', this.deps.secretKey ? encryptSecret(secret, this.deps.secretKey) : secret);
  }

  /** The Cluster of a machine when it is a guest cluster this service runs (it has a kubeconfig). */
  guestOf(m: any): any | undefined {
    const c = this.get(CR.clusters, m.metadata.namespace, m.spec.clusterName ?? '')?.object;
    return c && this.secret(c.metadata.namespace, secretNames.kubeconfig(c.metadata.name)) ? c : undefined;
  }

  /**
   * The Machine's bootstrap data, as a bootstrap provider makes it: a Secret named after the machine with the
   * node's configuration under `value` (role, the guest's database, NATS prefix and encryption key, the
   * endpoint, the CA and admin token for a control plane, the /24 for its pods, the Service ranges), made once the cluster has its
   * endpoint, CA and kubeconfig; then `spec.bootstrap.dataSecretName` names it. A Machine that names a data
   * Secret itself (written by hand) boots what that Secret holds, once it exists.
   */
  bootstrap(stored: StoredObject, role: 'controlplane' | 'worker'): { dataSecretName?: string; write?: StreamAppend; waitingFor?: string } {
    const m = stored.object;
    const ns = m.metadata.namespace;
    const given = m.spec.bootstrap?.dataSecretName;
    if (given) return this.secret(ns, given) ? { dataSecretName: given } : { waitingFor: `Secret "${given}" does not exist` };
    const c = this.get(CR.clusters, ns, m.spec.clusterName ?? '')?.object;
    if (!c || c.metadata.deletionTimestamp) return { waitingFor: `Cluster "${m.spec.clusterName}" does not exist` };
    const endpoint = c.spec.controlPlaneEndpoint;
    const ca = this.secret(ns, secretNames.ca(c.metadata.name));
    const key = secretValue(this.secret(ns, secretNames.encryption(c.metadata.name)), 'key');
    const access = kubeconfigAccess(this.secret(ns, secretNames.kubeconfig(c.metadata.name)));
    if (!endpoint?.host || !ca || !key || !access) return { waitingFor: 'the cluster has no control-plane endpoint, CA and kubeconfig yet' };
    if (!this.store.isMade(c)) return { waitingFor: 'the guest cluster database is being created' };
    const ranges = clusterServiceRanges(c);
    if (!ranges) return { waitingFor: 'the cluster has no Service address range yet' };
    const podSubnet = m.metadata.annotations?.[POD_SUBNET_ANNOTATION];
    if (!podSubnet) {
      const used = new Set(this.model.list(CR.machines).map((x) => x.object.metadata.annotations?.[POD_SUBNET_ANNOTATION]).filter(Boolean));
      const free = freePodSubnet(used);
      if (!free) return { waitingFor: 'no pod address range is free' };
      return { write: updated(CR.machines, stored, (o) => (o.metadata.annotations = { ...o.metadata.annotations, [POD_SUBNET_ANNOTATION]: free })) };
    }
    const name = m.metadata.name;
    if (!this.secret(ns, name)) {
      const sessions = role === 'controlplane' ? this.supervisorSessions(c) : undefined;
      if (sessions && 'waitingFor' in sessions) return sessions;
      const datastoreDir = this.store.datastoreDir(c);
      const userData = bootstrapUserData({
        role: role === 'controlplane' ? 'control-plane' : 'worker',
        cluster: { name: c.metadata.name, namespace: ns, uid: c.metadata.uid },
        nodeName: name,
        databaseUrl: this.store.databaseUrl(c),
        natsUrl: this.deps.natsUrl,
        natsPrefix: GuestStore.natsPrefix(c),
        secretsEncryptionKey: key,
        controlPlaneEndpoint: { host: endpoint.host, port: endpoint.port ?? 6443 },
        podSubnet,
        serviceCIDR: ranges.serviceCIDR,
        // Only a Cluster made when each guest took a pair of /16s has one: its nodes keep what they had.
        ...(ranges.loadBalancerCIDR ? { loadBalancerCIDR: ranges.loadBalancerCIDR } : {}),
        ...(role === 'controlplane' ? { caCertPem: secretValue(ca, 'tls.crt'), caKeyPem: secretValue(ca, 'tls.key'), adminToken: access.token } : {}),
        ...(sessions ? { supervisorSessions: sessions } : {}),
        ...(datastoreDir ? { datastoreDir } : {}),
      });
      return { write: this.createdSecret(secretObject(m, name, { value: userData, format: 'cloud-config' }, c.metadata.name)) };
    }
    // The control plane first, then the workers: a worker joins a control plane that is up (kubeadm join needs
    // one). Its address range and data are made while it waits, so only this last step follows initialization.
    const kcp = c.spec.controlPlaneRef?.name ? this.get(CR.kcps, ns, c.spec.controlPlaneRef.name)?.object : undefined;
    if (role === 'worker' && kcp && !kcp.status?.initialized) return { waitingFor: 'the control plane is not initialized yet' };
    return { write: updated(CR.machines, stored, (o) => (o.spec.bootstrap = { ...o.spec.bootstrap, dataSecretName: name })) };
  }
}
