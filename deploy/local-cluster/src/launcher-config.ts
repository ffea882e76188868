import { resolve } from 'node:path';
import type { ClusterNetwork } from '@openpacific/contracts';
import { chooseClusterNetwork } from './pod-network';

/** Everything the launcher reads from its environment, resolved once at start. */
export interface LauncherConfig {
  repoRoot: string;
  dataDir: string;
  logDir: string;
  databaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
  gatewayPort: number;
  hostCount: number;
  /** SIM_FLEET_HOSTS: simulated hosts carried by one extra agent process (0: none). */
  simFleetHosts: number;
  logLevel: string;
  /** Instances of every control-plane service (1..3). */
  replicas: number;
  /** How long a host whose process group died stays down; 0 leaves it down. */
  hostRebootDelayMs: number;
  /** The key Secrets are encrypted with in the log: SECRETS_ENCRYPTION_KEY, else made once in DATA_DIR/secrets.key. */
  secretsKey?: string;
  /** Test knob: one script run for every service instead of services/<name>/dist/main.js. */
  serviceMain?: string;
  /** Pod, service and load balancer ranges (POD_CIDR, SERVICE_CIDR, LOADBALANCER_CIDR, POD_NETWORK). */
  network: ClusterNetwork;
  /** How the network was chosen, for the start-up log. */
  networkNote: string;
}

type Env = Record<string, string | undefined>;

export const defaultDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/openpacific';
export const defaultNatsUrl = 'nats://127.0.0.1:4222';

export function readLauncherConfig(env: Env, repoRoot: string): LauncherConfig {
  const dataDir = resolve(repoRoot, nonEmpty(env.DATA_DIR) ?? '.data');
  return {
    repoRoot,
    dataDir,
    logDir: resolve(dataDir, 'logs'),
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? defaultDatabaseUrl,
    natsUrl: nonEmpty(env.NATS_URL) ?? defaultNatsUrl,
    natsPrefix: nonEmpty(env.NATS_PREFIX) ?? 'op',
    gatewayPort: integer(env.GATEWAY_PORT, 6443, 'GATEWAY_PORT'),
    hostCount: integer(env.HOST_COUNT, 3, 'HOST_COUNT'),
    simFleetHosts: integer(env.SIM_FLEET_HOSTS, 0, 'SIM_FLEET_HOSTS'),
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
    replicas: replicas(env.REPLICAS),
    hostRebootDelayMs: integer(env.HOST_REBOOT_DELAY_MS, 10_000, 'HOST_REBOOT_DELAY_MS'),
    serviceMain: nonEmpty(env.SERVICE_MAIN) ? resolve(repoRoot, env.SERVICE_MAIN as string) : undefined,
    ...network(env),
  };
}

function network(env: Env): { network: ClusterNetwork; networkNote: string } {
  const chosen = chooseClusterNetwork(env);
  return { network: chosen.network, networkNote: chosen.note };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function integer(value: string | undefined, fallback: number, name: string): number {
  if (nonEmpty(value) === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function replicas(value: string | undefined): number {
  const n = integer(value, 1, 'REPLICAS');
  if (n < 1 || n > 3) throw new Error(`REPLICAS must be 1, 2 or 3, got "${value}"`);
  return n;
}
