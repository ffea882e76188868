import { join } from 'node:path';
import { clusterNetworkEnv, serviceBundlePath } from '@openpacific/contracts';
import type { LauncherConfig } from './launcher-config';

/** The cluster-wide services, in start order: policy must answer admission before the gateway takes writes. */
export const controlPlaneServices = ['policy', 'api-gateway', 'scheduler', 'vm-operator', 'cluster-api'] as const;
/** What runs on every host, under one host supervisor. */
export const hostServices = ['spherelet-agent', 'crx-runtime'] as const;

export type ControlPlaneService = (typeof controlPlaneServices)[number];
export type ServiceName = ControlPlaneService | (typeof hostServices)[number];

/** One running copy of a control-plane service (or the sim fleet, supervised like one). */
export interface ServiceInstance {
  /** `scheduler` with one replica (the names tests know), `scheduler-1`, `scheduler-2`… with more. */
  name: string;
  service: ControlPlaneService | typeof simFleetService;
  /** 0 for the first copy: the gateway that owns the kubeconfig. */
  index: number;
}

export function serviceInstances(service: ControlPlaneService, replicas: number): ServiceInstance[] {
  return Array.from({ length: replicas }, (_, index) => ({
    name: replicas === 1 ? service : `${service}-${index + 1}`,
    service,
    index,
  }));
}

/** Every instance, in start order (all policies first, then all gateways…). */
export function controlPlaneInstances(replicas: number): ServiceInstance[] {
  return controlPlaneServices.flatMap((service) => serviceInstances(service, replicas));
}

/** The i-th gateway's port: GATEWAY_PORT + i, or undefined (take a free one) when GATEWAY_PORT is 0. */
export function gatewayPortFor(config: Pick<LauncherConfig, 'gatewayPort'>, index: number): number | undefined {
  return config.gatewayPort === 0 ? undefined : config.gatewayPort + index;
}

/** Set for every gateway but the first, which alone writes the kubeconfig (the others reuse its PKI and token). */
export const skipKubeconfigVariable = 'GATEWAY_WRITE_KUBECONFIG';

export function hostNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `host-${i + 1}`);
}

/** The service bundled into one file by `npm run build` (it starts on about half the CPU of its module files), unless a test script replaces them all. */
export function serviceEntry(config: Pick<LauncherConfig, 'repoRoot' | 'serviceMain'>, service: ServiceName): string {
  return config.serviceMain ?? serviceBundlePath(config.repoRoot, service);
}

/** The environment every service shares; the launcher's own environment passes through underneath it. */
export function baseServiceEnv(config: LauncherConfig): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    NATS_URL: config.natsUrl,
    NATS_PREFIX: config.natsPrefix,
    LOG_LEVEL: config.logLevel,
    ...clusterNetworkEnv(config.network),
    ...(config.secretsKey ? { SECRETS_ENCRYPTION_KEY: config.secretsKey } : {}),
  };
}

/** The environment of one control-plane service. */
export function controlPlaneEnv(
  config: LauncherConfig,
  service: ControlPlaneService,
  healthPort: number,
  instance: { name: string; index: number; gatewayPort?: number } = { name: service, index: 0 },
): Record<string, string> {
  const env: Record<string, string> = {
    ...baseServiceEnv(config),
    HEALTH_PORT: String(healthPort),
    INSTANCE_ID: instance.name,
    OPENPACIFIC_SERVICE: service,
  };
  // The datastore every host reaches, as shared vSAN storage would be; cluster-api gives each guest cluster a folder of it.
  if (service === 'scheduler' || service === 'cluster-api') env.DATASTORE_DIR = join(config.dataDir, 'datastore');
  if (service === 'api-gateway') {
    env.GATEWAY_PORT = String(instance.gatewayPort ?? config.gatewayPort);
    env.DATA_DIR = config.dataDir;
    if (instance.index > 0) env[skipKubeconfigVariable] = 'false';
  }
  // The public half of the gateways' ServiceAccount issuer key (they write it at boot): guest clusters get it to take
  // the Supervisor's `kubectl vsphere login` sessions.
  if (service === 'cluster-api') env.SUPERVISOR_ISSUER_PUBLIC_KEY_FILE = join(config.dataDir, 'pki', 'sa.pub');
  return env;
}

/** SIM_FLEET_HOSTS=n: one more spherelet-agent process carrying n simulated hosts `sim-1`…`sim-n` (scale runs). */
export const simFleetService = 'spherelet-agent' as const;
export const simFleetInstance: ServiceInstance = { name: 'sim-fleet', service: simFleetService, index: 0 };

/** The sim fleet's environment: the agent's, with the host name as the fleet's prefix. */
export function simFleetEnv(config: LauncherConfig, healthPort: number): Record<string, string> {
  return {
    ...baseServiceEnv(config),
    HEALTH_PORT: String(healthPort),
    INSTANCE_ID: simFleetInstance.name,
    OPENPACIFIC_SERVICE: simFleetService,
    HOST_NAME: 'sim',
    SIM_FLEET_HOSTS: String(config.simFleetHosts),
  };
}

/** The environment of one service on a host; the host supervisor adds HEALTH_PORT per child. */
export function hostServiceEnv(config: LauncherConfig, host: string, service: (typeof hostServices)[number]) {
  return {
    ...baseServiceEnv(config),
    HOST_NAME: host,
    INSTANCE_ID: `${host}-${service}`,
    // Each host's sandboxes, logs and runtime state live in the cluster's data folder.
    CRX_ROOT: crxRoot(config, host),
    HYPERVISOR_ROOT: join(hostDir(config, host), 'hypervisor'),
    OPENPACIFIC_SERVICE: service,
  };
}

export function hostDir(config: Pick<LauncherConfig, 'dataDir'>, host: string): string {
  return join(config.dataDir, 'hosts', host);
}

export function crxRoot(config: Pick<LauncherConfig, 'dataDir'>, host: string): string {
  return join(hostDir(config, host), 'crx');
}
