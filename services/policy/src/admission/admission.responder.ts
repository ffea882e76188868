import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { AdmissionRequest, AdmissionResponse } from '@openpacific/contracts';
import { serveJson } from '@openpacific/messaging';
import { SERVICE_CONTEXT, ServiceContext } from '@openpacific/service-kit';
import { AdmissionBatch, isAdmissionBatch, reviewBatch } from './admission-batch';
import { AdmissionChain } from './admission-chain';
import type { AdmissionContext } from './admitter';

/** Queue group: each admission request is answered by exactly one policy instance. */
export const ADMISSION_QUEUE = 'policy';

/** Answers the api-gateway's admission requests on names.admission, one review or a batch (admission-batch.ts) per message. */
@Injectable()
export class AdmissionResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private subscription?: ReturnType<typeof serveJson>;

  constructor(
    @Inject(SERVICE_CONTEXT) private readonly ctx: ServiceContext,
    private readonly chain: AdmissionChain,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const logger = this.ctx.logger.child({ component: 'admission' });
    const review = async (request: AdmissionRequest, context: AdmissionContext = {}): Promise<AdmissionResponse> => {
      const response = await this.chain.review(request, context);
      logger.debug('admission reviewed', {
        uid: request.uid,
        operation: request.operation,
        kind: request.kind,
        namespace: request.namespace,
        name: request.name,
        allowed: response.allowed,
      });
      return response;
    };
    this.subscription = serveJson<AdmissionRequest | AdmissionBatch, unknown>(this.ctx.nats, this.ctx.names.admission, ADMISSION_QUEUE, (message) =>
      isAdmissionBatch(message) ? reviewBatch(message, review) : review(message),
      // A review of a large object (or a batch of many) comes, and its answer goes, through the object store.
      { payloads: this.ctx.names.payloads },
    );
    // The service is ready only once the server knows the subscription: a request before that gets "no responders".
    await this.ctx.nats.flush();
    this.ctx.logger.info('ready', { subject: this.ctx.names.admission });
  }

  // Stop taking requests but finish the ones in flight before NATS is drained.
  async beforeApplicationShutdown(): Promise<void> {
    await this.subscription?.drain();
  }
}
