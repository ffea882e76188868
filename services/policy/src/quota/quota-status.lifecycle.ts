import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { LeaderElection } from '@openpacific/event-store';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { PolicyState } from '../state/policy-state';
import { QuotaStatusController } from './quota-status.controller';

/** The elected policy replica keeps the quotas' status; the others only admit. */
@Injectable()
export class QuotaStatusLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private election?: LeaderElection;
  private controller?: QuotaStatusController;
  private readonly onChange = () => this.controller?.kick();

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
        this.controller = new QuotaStatusController(this.ctx, this.state, logger);
        this.controller.start();
      },
      onDeposed: () => {
        this.controller?.stop();
        this.controller = undefined;
      },
    });
    await this.election.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.state.listeners.delete(this.onChange);
    await this.election?.stop();
    this.controller?.stop();
  }
}
