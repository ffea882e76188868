import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { secretKeyFrom, SharedFollower } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { ClusterNetwork, clusterDnsAddress, WEB_CONSOLE_RESOURCES } from '@openpacific/contracts';
import { ClusterDns } from './dns/cluster-dns';
import { NetworkPolicyController } from './network-policy/network-policy-controller';
import { PodServiceController } from './pod-services/pod-service-controller';
import { IngressController } from './ingress/ingress-controller';
import { makeServiceRangesLocal } from './services/local-ranges';
import { PublishRequestController } from './publish/publish-request-controller';
import { GroupPublishRequestController } from './publish/group-publish-request-controller';
import { LibraryItemController } from './content-libraries/library-item-controller';
import { SnapshotController } from './snapshots/snapshot-controller';
import { GroupController } from './groups/group-controller';
import { VmServiceController } from './vm-service-controller';
import { VmReplicaSetController } from './replicasets/vmrs-controller';
import { ReadinessProber } from './vms/readiness/readiness-prober';
import { VmController } from './vms/vm-controller';
import { ZoneController } from './zones/zone-controller';
import { VmUsageController } from './storage-usage/vm-usage.controller';
import { WebConsoleRequestController } from './web-console/web-console-request-controller';
import { vmOperatorNetwork, type VmOperatorConfig } from './vm-operator.config';

/**
 * The elected replica runs the VirtualMachine (and their readiness probes), VirtualMachineReplicaSet,
 * VirtualMachineService, VirtualMachinePublishRequest, VirtualMachineGroupPublishRequest, VirtualMachineSnapshot, VirtualMachineGroup, vSphere Zone, content
 * library item, VMs' StoragePolicyUsage and (pod) Service controllers; the others wait to take over. In a guest
 * cluster (`VM_OPERATOR_MODE=guest`) it runs only the Service, NetworkPolicy and DNS ones (`startGuest`).
 */
@Injectable()
export class VmOperatorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private vms?: VmController;
  private prober?: ReadinessProber;
  private replicaSets?: VmReplicaSetController;
  private services?: VmServiceController;
  private publishing?: PublishRequestController;
  private groupPublishing?: GroupPublishRequestController;
  private libraryItems?: LibraryItemController;
  private snapshots?: SnapshotController;
  private groups?: GroupController;
  private zones?: ZoneController;
  private storageUsage?: VmUsageController;
  private podServices?: PodServiceController;
  private ingresses?: IngressController;
  private networkPolicies?: NetworkPolicyController;
  private dns?: ClusterDns;
  private feed?: SharedFollower;
  private webConsoles: WebConsoleRequestController[] = [];

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<VmOperatorConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { store, pool, nats, names, logger, config } = this.ctx;
    const secretKey = config.SECRETS_ENCRYPTION_KEY ? secretKeyFrom(config.SECRETS_ENCRYPTION_KEY) : undefined;
    const network = vmOperatorNetwork(config);
    await makeServiceRangesLocal(network, logger);
    this.election = new LeaderElection(pool, {
      name: 'vm-operator',
      logger,
      onElected: async () => {
        // Every controller reads the log through one follower, which replays the log into all of them before they start.
        const feed = new SharedFollower({ store, pool, nats, names, logger });
        if (config.VM_OPERATOR_MODE === 'guest') return this.startGuest(feed, network);
        const vms = new VmController({ store, feed, logger, secretKey });
        const prober = new ReadinessProber({ store, feed, logger });
        const replicaSets = new VmReplicaSetController({ store, feed, logger, nats, names });
        const services = new VmServiceController({ store, feed, logger, network });
        const publishing = new PublishRequestController({ store, feed, logger });
        const groupPublishing = new GroupPublishRequestController({ store, feed, logger });
        const libraryItems = new LibraryItemController({ store, feed, logger });
        const snapshots = new SnapshotController({ store, feed, logger });
        const groups = new GroupController({ store, feed, logger });
        const zones = new ZoneController({ store, feed, logger });
        const storageUsage = new VmUsageController({ store, feed, logger });
        const webConsoles = WEB_CONSOLE_RESOURCES.map((r) => new WebConsoleRequestController({ store, feed, logger, ttlMs: config.WEB_CONSOLE_TTL_SECONDS * 1000 }, r));
        const networkPolicies = new NetworkPolicyController({ feed, logger, network });
        const podServices = new PodServiceController({ store, feed, logger, network, admit: networkPolicies.admit, nodePortAddress: config.NODE_PORT_ADDRESS });
        const ingresses = new IngressController({ store, feed, logger, network, secretKey });
        const dns = new ClusterDns({ feed, logger, address: clusterDnsAddress(network) });
        this.feed = feed;
        this.vms = vms;
        this.prober = prober;
        this.replicaSets = replicaSets;
        this.services = services;
        this.publishing = publishing;
        this.groupPublishing = groupPublishing;
        this.libraryItems = libraryItems;
        this.snapshots = snapshots;
        this.groups = groups;
        this.zones = zones;
        this.storageUsage = storageUsage;
        this.webConsoles = webConsoles;
        this.networkPolicies = networkPolicies;
        this.podServices = podServices;
        this.ingresses = ingresses;
        this.dns = dns;
        await feed.start();
        vms.start();
        prober.start();
        replicaSets.start();
        services.start();
        publishing.start();
        groupPublishing.start();
        libraryItems.start();
        snapshots.start();
        groups.start();
        zones.start();
        storageUsage.start();
        for (const c of webConsoles) c.start();
        networkPolicies.start();
        podServices.start();
        ingresses.start();
        await dns.start();
      },
      onDeposed: async () => {
        this.vms?.stop();
        this.prober?.stop();
        this.publishing?.stop();
        this.groupPublishing?.stop();
        this.libraryItems?.stop();
        this.snapshots?.stop();
        this.groups?.stop();
        this.zones?.stop();
        this.storageUsage?.stop();
        this.storageUsage = undefined;
        for (const c of this.webConsoles) c.stop();
        this.webConsoles = [];
        this.replicaSets?.stop();
        await this.services?.stop();
        await this.podServices?.stop();
        await this.ingresses?.stop();
        await this.networkPolicies?.stop();
        await this.dns?.stop();
        await this.feed?.stop();
        this.feed = this.vms = this.prober = this.replicaSets = this.services = this.publishing = this.groupPublishing = this.libraryItems = this.snapshots = this.groups = this.zones = this.podServices = this.ingresses = this.networkPolicies = this.dns = undefined;
      },
    });
    await this.election.start();
    logger.info('ready', { leader: this.election.isLeader, mode: config.VM_OPERATOR_MODE });
  }

  /**
   * A guest cluster's control plane: only the controllers a workload cluster has of these (Services' slices, Endpoints
   * and proxy, NetworkPolicy, cluster DNS). A LoadBalancer's ingress is not given here: the guest's cloud provider
   * (cluster-api's guest load balancers) asks the Supervisor for it and writes it. Nothing of the Supervisor's — VMs, zones, content libraries, web consoles —
   * is started, so nothing of theirs is written into the guest; nor per-host node-port addresses, which are loopback
   * addresses of the Supervisor's scheme (its hosts') on this shared machine.
   */
  private async startGuest(feed: SharedFollower, network: ClusterNetwork): Promise<void> {
    const { store, logger, config } = this.ctx;
    const networkPolicies = new NetworkPolicyController({ feed, logger, network });
    // Node ports on every Ready guest Node's address; LoadBalancer ingress is the cloud provider's (cluster-api's, from the Supervisor).
    const podServices = new PodServiceController({
      store, feed, logger, network, admit: networkPolicies.admit, nodePortAddress: config.NODE_PORT_ADDRESS, guestCluster: true,
    });
    const dns = new ClusterDns({ feed, logger, address: clusterDnsAddress(network) });
    this.feed = feed;
    this.networkPolicies = networkPolicies;
    this.podServices = podServices;
    this.dns = dns;
    await feed.start();
    networkPolicies.start();
    podServices.start();
    await dns.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.election?.stop();
  }
}
