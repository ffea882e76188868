import { JSONCodec, NatsConnection, Subscription } from 'nats';
import type { Logger } from '../logging/logger';
import type { ServiceHealth } from './health-registry';

export interface HealthReply {
  service: string;
  instance: string;
  ready: boolean;
}

const codec = JSONCodec<HealthReply>();

/**
 * Answers health pings on names.health(service). No queue group: every
 * instance answers, so a caller collecting replies sees all of them.
 */
export function serveHealthOverNats(
  nc: NatsConnection,
  subject: string,
  identity: { service: string; instance: string },
  health: ServiceHealth,
  logger: Logger,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) {
        logger.warn('health subscription failed', { error: err.message });
        return;
      }
      health
        .readiness()
        .then((r) => msg.respond(codec.encode({ ...identity, ready: r.ready })))
        .catch((e: Error) => logger.warn('health reply failed', { error: e.message }));
    },
  });
}
