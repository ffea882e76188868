import { resolve } from 'node:path';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { secretKeyFrom } from '@openpacific/objects';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { ClusterController } from './clusters/cluster-controller';
import type { ClusterApiConfig } from './cluster-api.config';

/** The elected replica turns TanzuKubernetesClusters into Cluster API objects and those into VMs. */
@Injectable()
export class ClusterApiLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private clusters?: ClusterController;

  constructor(@Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext<ClusterApiConfig>) {}

  async onApplicationBootstrap(): Promise<void> {
    const { store, pool, nats, names, logger, config } = this.ctx;
    const secretKey = config.SECRETS_ENCRYPTION_KEY ? secretKeyFrom(config.SECRETS_ENCRYPTION_KEY) : undefined;
    this.election = new LeaderElection(pool, {
      name: 'cluster-api',
      logger,
      onElected: async () => {
        this.clusters = new ClusterController({ store, pool, nats, names, logger, secretKey, databaseUrl: config.DATABASE_URL, natsUrl: config.NATS_URL, supervisorIssuerKeyFile: config.SUPERVISOR_ISSUER_PUBLIC_KEY_FILE, datastoreDir: config.DATASTORE_DIR && resolve(config.DATASTORE_DIR) });
        await this.clusters.start();
      },
      onDeposed: async () => {
        await this.clusters?.stop();
        this.clusters = undefined;
      },
    });
    await this.election.start();
    logger.info('ready', { leader: this.election.isLeader });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.election?.stop();
  }
}
