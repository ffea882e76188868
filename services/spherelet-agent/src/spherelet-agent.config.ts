import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface SphereletAgentConfig extends BaseConfig {
  /** The host this agent speaks for; it becomes a Node name, hence a DNS-1123 subdomain. */
  HOST_NAME: string;
  /** Capacity offered to workloads; empty = the machine's. CPU in cores or millicores (`2`, `1500m`), memory as a Kubernetes quantity. */
  HOST_CPU: string;
  HOST_MEMORY: string;
  HOST_PODS: number;
  /** Extra labels, `k=v,k2=v2`. */
  HOST_LABELS: string;
  /** Taints, `key=value:NoSchedule,key2:NoExecute`. */
  HOST_TAINTS: string;
  /** The Node's `InternalIP`: `127.0.0.1` for a Supervisor host (all run on the one machine), a guest node's VM address. */
  HOST_ADDRESS: string;
  /** How often the host heartbeats over NATS (each answered heartbeat renews the host lease). */
  HEARTBEAT_INTERVAL_MS: number;
  /** The scheduler's grace period (the same setting): the host lease is a little shorter. */
  HOST_GRACE_MS: number;
  /** First restart delay of a crashing container (CrashLoopBackOff doubles it up to 5 minutes). */
  RESTART_BACKOFF_MS: number;
  /** How often every bound pod is looked at even without a change. */
  POD_RESYNC_MS: number;
  /** Where the host's hypervisor keeps its VMs (the sim driver: one folder per VM). */
  HYPERVISOR_ROOT: string;
  /** How long a sim guest takes to boot before it answers on its ports. */
  SIM_VM_BOOT_MS: number;
  /**
   * How often the host samples the CPU and memory use of its containers and of itself and publishes them (core NATS) for
   * metrics.k8s.io and `kubectl top`; CPU rates are averaged over this window.
   */
  METRICS_INTERVAL_MS: number;
  /** Above 0: this process carries that many simulated hosts, `<HOST_NAME>-1`…, each with an in-process sim runtime (scale runs). */
  SIM_FLEET_HOSTS: number;
}

export const configSchema = baseSchema(
  {
    HOST_NAME: { type: 'string', format: 'dns1123-subdomain' },
    HOST_CPU: { type: 'string', pattern: '^(|\\d+(\\.\\d+)?|\\d+m)$', default: '' },
    HOST_MEMORY: { type: 'string', pattern: '^(|\\d+(Ki|Mi|Gi|Ti|k|M|G|T)?)$', default: '' },
    HOST_PODS: { type: 'integer', minimum: 1, maximum: 100000, default: 110 },
    HOST_LABELS: { type: 'string', pattern: '^([^=,]+=[^=,]*(,[^=,]+=[^=,]*)*)?$', default: '' },
    HOST_TAINTS: { type: 'string', pattern: '^([^:,]+:(NoSchedule|PreferNoSchedule|NoExecute)(,[^:,]+:(NoSchedule|PreferNoSchedule|NoExecute))*)?$', default: '' },
    HOST_ADDRESS: { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$', default: '127.0.0.1' },
    HEARTBEAT_INTERVAL_MS: { type: 'integer', minimum: 100, maximum: 60000, default: 1000 },
    HOST_GRACE_MS: { type: 'integer', minimum: 500, maximum: 600000, default: 3000 },
    RESTART_BACKOFF_MS: { type: 'integer', minimum: 100, maximum: 300000, default: 10000 },
    POD_RESYNC_MS: { type: 'integer', minimum: 100, maximum: 60000, default: 1000 },
    HYPERVISOR_ROOT: { type: 'string', minLength: 1, default: '.data/hypervisor' },
    SIM_VM_BOOT_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 1000 },
    SIM_FLEET_HOSTS: { type: 'integer', minimum: 0, maximum: 10000, default: 0 },
    METRICS_INTERVAL_MS: { type: 'integer', minimum: 500, maximum: 300000, default: 10000 },
  },
  ['HOST_NAME'],
);
