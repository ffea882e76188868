import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { PolicyState } from '../state/policy-state';
import { StoragePolicyUsageController } from '../storage-policy/storage-policy-usage.controller';
import { QuotaStatusController } from './quota-status.controller';

/**
 * The elected policy replica keeps the quotas' status, and the claims' StoragePolicyUsages and the
 * StoragePolicyQuotas' status; the others only admit.
 */
@Injectable()
export class QuotaStatusLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private controllers: { start(): void; stop(): void; kick(): void }[] = [];
  private readonly onChange = () => this.controllers.forEach((c) => c.kick());

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    private readonly state: PolicyState,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.ctx.logger.child({ component: 'quota-status' });
    this.state.listeners.add(this.onChange);
    this.election = new LeaderElection(this.ctx.pool, {
      name: 'policy-quota-status',
      logger,
      onElected: () => {
        this.controllers = [
          new QuotaStatusController(this.ctx, this.state, logger),
          new StoragePolicyUsageController({ store: this.ctx.store, state: this.state, logger: this.ctx.logger.child({ component: 'storage-policy-usage' }) }),
        ];
        for (const c of this.controllers) c.start();
      },
      onDeposed: () => {
        for (const c of this.controllers) c.stop();
        this.controllers = [];
      },
    });
    await this.election.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.state.listeners.delete(this.onChange);
    await this.election?.stop();
    for (const c of this.controllers) c.stop();
  }
}
