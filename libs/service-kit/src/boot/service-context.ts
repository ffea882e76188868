import type { NatsNames } from '@openpacific/contracts';
import type { EventStore } from '@openpacific/event-store';
import type { NatsConnection } from 'nats';
import type { Pool } from 'pg';
import type { BaseConfig } from '../config/base-config';
import type { HealthRegistry } from '../health/health-registry';
import type { Logger } from '../logging/logger';

/** Everything a service's code is handed at boot; injected into Nest providers with SERVICE_CONTEXT. */
export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  service: string;
  config: C;
  logger: Logger;
  pool: Pool;
  nats: NatsConnection;
  names: NatsNames;
  store: EventStore;
  health: HealthRegistry;
}

// Symbol.for, so that two loaded copies of this library (sources and dist) still agree on the token.
export const SERVICE_CONTEXT: unique symbol = Symbol.for('openpacific.ServiceContext');
