import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { secretKeyFrom } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { PodServiceController } from './pod-services/pod-service-controller';
import { VmServiceController } from './vm-service-controller';
import { VmController } from './vms/vm-controller';
import type { VmOperatorConfig } from './vm-operator.config';

/** The elected replica runs the VirtualMachine, VirtualMachineService and (pod) Service controllers; the others wait to take over. */
@Injectable()
export class VmOperatorLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private vms?: VmController;
  private services?: VmServiceController;
  private podServices?: PodServiceController;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<VmOperatorConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { store, pool, nats, names, logger, config } = this.ctx;
    const secretKey = config.SECRETS_ENCRYPTION_KEY ? secretKeyFrom(config.SECRETS_ENCRYPTION_KEY) : undefined;
    this.election = new LeaderElection(pool, {
      name: 'vm-operator',
      logger,
      onElected: async () => {
        this.vms = new VmController({ store, pool, nats, names, logger, secretKey });
        await this.vms.start();
        this.services = new VmServiceController({ store, pool, nats, names, logger });
        await this.services.start();
        this.podServices = new PodServiceController({ store, pool, nats, names, logger });
        await this.podServices.start();
      },
      onDeposed: async () => {
        await this.vms?.stop();
        await this.services?.stop();
        await this.podServices?.stop();
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
