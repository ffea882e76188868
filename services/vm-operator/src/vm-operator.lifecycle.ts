import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { secretKeyFrom } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { clusterDnsAddress } from '@openpacific/contracts';
import { ClusterDns } from './dns/cluster-dns';
import { NetworkPolicyController } from './network-policy/network-policy-controller';
import { PodServiceController } from './pod-services/pod-service-controller';
import { makeServiceRangesLocal } from './services/local-ranges';
import { VmServiceController } from './vm-service-controller';
import { VmController } from './vms/vm-controller';
import { vmOperatorNetwork, type VmOperatorConfig } from './vm-operator.config';

/** The elected replica runs the VirtualMachine, VirtualMachineService and (pod) Service controllers; the others wait to take over. */
@Injectable()
export class VmOperatorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private vms?: VmController;
  private services?: VmServiceController;
  private podServices?: PodServiceController;
  private networkPolicies?: NetworkPolicyController;
  private dns?: ClusterDns;

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
        this.vms = new VmController({ store, pool, nats, names, logger, secretKey });
        await this.vms.start();
        this.services = new VmServiceController({ store, pool, nats, names, logger });
        await this.services.start();
        this.networkPolicies = new NetworkPolicyController({ store, pool, nats, names, logger, network });
        await this.networkPolicies.start();
        this.podServices = new PodServiceController({ store, pool, nats, names, logger, network, admit: this.networkPolicies.admit });
        await this.podServices.start();
        this.dns = new ClusterDns({ store, pool, nats, names, logger, address: clusterDnsAddress(network) });
        await this.dns.start();
      },
      onDeposed: async () => {
        await this.vms?.stop();
        await this.services?.stop();
        await this.podServices?.stop();
        await this.networkPolicies?.stop();
        this.networkPolicies = undefined;
        await this.dns?.stop();
        this.dns = undefined;
        this.podServices = undefined;
        this.vms = undefined;
        this.services = undefined;
      },
    });
    await this.election.start();
    logger.info('ready', { leader: this.election.isLeader });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.election?.stop();
  }
}
