import { hostname } from 'node:os';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What every service reads from its environment. */
export interface BaseConfig {
  DATABASE_URL: string;
  /** Most Postgres connections the service's pool opens. */
  DATABASE_POOL_SIZE: number;
  NATS_URL: string;
  NATS_PREFIX: string;
  LOG_LEVEL: LogLevel;
  HEALTH_PORT: number;
  INSTANCE_ID: string;
  /** 32 bytes, base64: the key Secrets are encrypted with in the event log (empty: stored as given). */
  SECRETS_ENCRYPTION_KEY: string;
}

/** The environment of every service, as JSON-schema properties to spread into a service's own schema. */
export const baseConfigProperties = {
  DATABASE_URL: { type: 'string', format: 'uri', default: 'postgres://postgres@127.0.0.1:5432/openpacific' },
  // Each service of a cluster has its own pool: a whole local cluster opens about 4 × this many connections per
  // service kind, against Postgres' max_connections (100 by default).
  DATABASE_POOL_SIZE: { type: 'integer', minimum: 2, maximum: 100, default: 10 },
  // Comma-separated for a NATS cluster.
  NATS_URL: { type: 'string', format: 'nats-urls', default: 'nats://127.0.0.1:4222' },
  // The prefix becomes part of subjects and stream names, so it stays plain lowercase.
  NATS_PREFIX: { type: 'string', pattern: '^[a-z][a-z0-9]*$', default: 'op' },
  LOG_LEVEL: { type: 'string', enum: ['debug', 'info', 'warn', 'error'], default: 'info' },
  // 0 asks the OS for a free port; the port actually bound is logged.
  HEALTH_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 0 },
  INSTANCE_ID: { type: 'string', minLength: 1, default: `${hostname()}-${process.pid}` },
  SECRETS_ENCRYPTION_KEY: { type: 'string', pattern: '^([A-Za-z0-9+/]{43}=)?$', default: '' },
} as const;

export interface ConfigSchema {
  type: 'object';
  properties: Record<string, object>;
  required: string[];
}

/** A service's config schema: the base properties plus its own. */
export function configSchema(extraProperties: Record<string, object> = {}, required: string[] = []): ConfigSchema {
  return {
    type: 'object',
    properties: { ...baseConfigProperties, ...extraProperties },
    required,
  };
}
