import { ClusterNetwork, clusterNetworkFromEnv, isIPv4, LOOPBACK_NETWORK } from '@openpacific/contracts';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface VmOperatorConfig extends BaseConfig {
  /** The cluster network (libs/contracts pod-network): the balancer listens in the service and load balancer ranges, DNS at the service range's .10. */
  POD_CIDR: string;
  SERVICE_CIDR: string;
  LOADBALANCER_CIDR: string;
  /** How long a web console ticket lasts before its request is deleted (VM Operator's fixed 120 s). */
  WEB_CONSOLE_TTL_SECONDS: number;
  /**
   * `supervisor`: every controller. `guest` (a guest cluster's control plane, started by its node image): only what a
   * workload cluster's kube-controller-manager and kube-proxy do here — Services' EndpointSlices and Endpoints, their
   * proxy (node ports on every Ready Node's InternalIP), NetworkPolicy, cluster DNS — no per-host node-port addresses
   * (`openpacific.io/node-port-address`) and no LoadBalancer ingress (the guest's cloud provider gives it).
   */
  VM_OPERATOR_MODE: 'supervisor' | 'guest';
  /**
   * Where every Service's node ports are served: `127.0.0.1` (every host's InternalIP) on the Supervisor; in a guest, its
   * control-plane VM's address, served besides every Ready guest Node's InternalIP (its VM's address).
   */
  NODE_PORT_ADDRESS: string;
}

const CIDR16 = '^\\d{1,3}(\\.\\d{1,3}){3}/16$';

export const configSchema = baseSchema({
  POD_CIDR: { type: 'string', pattern: `(${CIDR16})|^$`, default: LOOPBACK_NETWORK.podCIDR },
  SERVICE_CIDR: { type: 'string', pattern: CIDR16, default: LOOPBACK_NETWORK.serviceCIDR },
  LOADBALANCER_CIDR: { type: 'string', pattern: CIDR16, default: LOOPBACK_NETWORK.loadBalancerCIDR },
  WEB_CONSOLE_TTL_SECONDS: { type: 'integer', minimum: 1, default: 120 },
  VM_OPERATOR_MODE: { type: 'string', enum: ['supervisor', 'guest'], default: 'supervisor' },
  NODE_PORT_ADDRESS: { type: 'string', pattern: '^\\d{1,3}(\\.\\d{1,3}){3}$', default: '127.0.0.1' },
});

/** The cluster network this operator serves; throws, naming the variable, on an address with a bad octet. */
export function vmOperatorNetwork(config: Pick<VmOperatorConfig, 'POD_CIDR' | 'SERVICE_CIDR' | 'LOADBALANCER_CIDR'>): ClusterNetwork {
  return clusterNetworkFromEnv({ POD_CIDR: config.POD_CIDR, SERVICE_CIDR: config.SERVICE_CIDR, LOADBALANCER_CIDR: config.LOADBALANCER_CIDR });
}

/** Checked at boot, so a bad range stops the service with a clear message instead of failing later. */
export function prepareVmOperatorConfig(config: VmOperatorConfig): VmOperatorConfig {
  vmOperatorNetwork(config);
  if (!isIPv4(config.NODE_PORT_ADDRESS)) throw new Error(`NODE_PORT_ADDRESS must be an IPv4 address, got "${config.NODE_PORT_ADDRESS}"`);
  return config;
}
