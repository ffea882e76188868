import { ClusterNetwork, clusterNetworkFromEnv, LOOPBACK_NETWORK } from '@openpacific/contracts';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface VmOperatorConfig extends BaseConfig {
  /** The cluster network (libs/contracts pod-network): the balancer listens in the service and load balancer ranges, DNS at the service range's .10. */
  POD_CIDR: string;
  SERVICE_CIDR: string;
  LOADBALANCER_CIDR: string;
  /** How long a web console ticket lasts before its request is deleted (VM Operator's fixed 120 s). */
  WEB_CONSOLE_TTL_SECONDS: number;
}

const CIDR16 = '^\\d{1,3}(\\.\\d{1,3}){3}/16$';

export const configSchema = baseSchema({
  POD_CIDR: { type: 'string', pattern: `(${CIDR16})|^$`, default: LOOPBACK_NETWORK.podCIDR },
  SERVICE_CIDR: { type: 'string', pattern: CIDR16, default: LOOPBACK_NETWORK.serviceCIDR },
  LOADBALANCER_CIDR: { type: 'string', pattern: CIDR16, default: LOOPBACK_NETWORK.loadBalancerCIDR },
  WEB_CONSOLE_TTL_SECONDS: { type: 'integer', minimum: 1, default: 120 },
});

/** The cluster network this operator serves; throws, naming the variable, on an address with a bad octet. */
export function vmOperatorNetwork(config: Pick<VmOperatorConfig, 'POD_CIDR' | 'SERVICE_CIDR' | 'LOADBALANCER_CIDR'>): ClusterNetwork {
  return clusterNetworkFromEnv({ POD_CIDR: config.POD_CIDR, SERVICE_CIDR: config.SERVICE_CIDR, LOADBALANCER_CIDR: config.LOADBALANCER_CIDR });
}

/** Checked at boot, so a bad range stops the service with a clear message instead of failing later. */
export function prepareVmOperatorConfig(config: VmOperatorConfig): VmOperatorConfig {
  vmOperatorNetwork(config);
  return config;
}
