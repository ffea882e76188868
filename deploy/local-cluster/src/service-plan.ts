import { join } from 'node:path';
import type { LauncherConfig } from './launcher-config';

/** The cluster-wide services, in start order: policy must answer admission before the gateway takes writes. */
export const controlPlaneServices = ['policy', 'api-gateway', 'scheduler', 'vm-operator', 'cluster-api'] as const;
/** What runs on every host, under one host supervisor. */
export const hostServices = ['spherelet-agent', 'crx-runtime'] as const;

export type ServiceName = (typeof controlPlaneServices)[number] | (typeof hostServices)[number];

export function hostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host-${i + 1}`);
}

export function serviceEntry(config: Pick<LauncherConfig, 'repoRoot' | 'serviceMain'>, service: ServiceName): string {
  return config.serviceMain ?? join(config.repoRoot, 'services', service, 'dist', 'main.js');
}

/** The environment every service shares; the launcher's own environment passes through underneath it. */
export function baseServiceEnv(config: LauncherConfig): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    NATS_URL: config.natsUrl,
    NATS_PREFIX: config.natsPrefix,
    LOG_LEVEL: config.logLevel,
  };
}

/** The environment of one control-plane service. */
export function controlPlaneEnv(
  config: LauncherConfig,
  service: (typeof controlPlaneServices)[number],
  healthPort: number,
): Record<string, string> {
  const env: Record<string, string> = {
    ...baseServiceEnv(config),
    HEALTH_PORT: String(healthPort),
    INSTANCE_ID: service,
    OPENPACIFIC_SERVICE: service,
  };
  if (service === 'api-gateway') {
    env.GATEWAY_PORT = String(config.gatewayPort);
    env.DATA_DIR = config.dataDir;
  }
  return env;
}

/** The environment of one service on a host; the host supervisor adds HEALTH_PORT per child. */
export function hostServiceEnv(config: LauncherConfig, host: string, service: (typeof hostServices)[number]) {
  return {
    ...baseServiceEnv(config),
    HOST_NAME: host,
    INSTANCE_ID: `${host}-${service}`,
    // Each host's sandboxes, logs and runtime state live in the cluster's data folder.
    CRX_ROOT: join(config.dataDir, 'hosts', host, 'crx'),
    OPENPACIFIC_SERVICE: service,
  };
}
