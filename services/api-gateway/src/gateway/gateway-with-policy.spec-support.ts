import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningService, startService } from '@openpacific/service-kit';
import { createTestDatabase, TestDatabase, testNatsUrl, uniqueNatsPrefix } from '@openpacific/testing';
import { configSchema as policyConfigSchema } from '../../../policy/src/policy.config';
import { PolicyModule } from '../../../policy/src/policy.module';
import { gatewayConfigSchema, GatewayConfig, prepareGatewayConfig } from '../api-gateway.config';
import { ApiGatewayModule } from '../api-gateway.module';

export interface GatewayWithPolicyOptions {
  /** The NATS prefix, for a spec that needs it before the services start; else a new one named by the label. */
  prefix?: string;
  /** Added to the gateway's environment (not the policy service's). */
  gatewayEnv?: Record<string, string>;
  /** false: only the policy service starts, and the spec starts its gateways itself with `startGateway()`. */
  startGateway?: boolean;
}

/** A spec's own database, data folder and NATS prefix, with the policy service and (unless asked not to) a gateway on them. */
export interface GatewayWithPolicy {
  db: TestDatabase;
  dataDir: string;
  prefix: string;
  /** What every service on these gets: database, NATS, quiet logs, a free health port. Extra services start with it too. */
  env(): Record<string, string>;
  /** The gateway's environment: `env()`, a free port, the data folder and `gatewayEnv`. */
  gatewayEnv(): Record<string, string>;
  policy: RunningService<any>;
  /** The gateway started with the rest; a spec that stops it early sets it to undefined. */
  gateway: RunningService<GatewayConfig> | undefined;
  /** Another gateway on the same database, NATS prefix and data folder; `stop()` leaves it to the caller. */
  startGateway(): Promise<RunningService<GatewayConfig>>;
  /** Stops the gateway and the policy service, drops the database and removes the data folder. */
  stop(): Promise<void>;
}

/**
 * Creates a database and a data folder named by `label`, and starts the policy service and a gateway on them, in this
 * process. When a start fails, what is already up is stopped and removed before the error is thrown.
 */
export async function startGatewayWithPolicy(label: string, opts: GatewayWithPolicyOptions = {}): Promise<GatewayWithPolicy> {
  const db = await createTestDatabase(label);
  const dataDir = mkdtempSync(join(tmpdir(), `op-${label}-`));
  const prefix = opts.prefix ?? uniqueNatsPrefix(label);
  const env = () => ({ DATABASE_URL: db.url, NATS_URL: testNatsUrl, NATS_PREFIX: prefix, LOG_LEVEL: 'warn', HEALTH_PORT: '0' });
  const gatewayEnv = () => ({ ...env(), GATEWAY_PORT: '0', DATA_DIR: dataDir, ...opts.gatewayEnv });
  const startGateway = () =>
    startService<GatewayConfig>(
      { name: 'api-gateway', configSchema: gatewayConfigSchema, prepareConfig: (c) => prepareGatewayConfig(c), module: () => ApiGatewayModule },
      gatewayEnv(),
    );
  let policy: RunningService<any> | undefined;
  const release = async (running: RunningService<GatewayConfig> | undefined) => {
    await running?.stop();
    await policy?.stop();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  let gateway: RunningService<GatewayConfig> | undefined;
  try {
    policy = await startService({ name: 'policy', configSchema: policyConfigSchema, module: () => PolicyModule }, env());
    if (opts.startGateway !== false) gateway = await startGateway();
  } catch (err) {
    await release(gateway);
    throw err;
  }
  const stack: GatewayWithPolicy = {
    db, dataDir, prefix, env, gatewayEnv, policy, gateway, startGateway,
    stop: () => release(stack.gateway),
  };
  return stack;
}
