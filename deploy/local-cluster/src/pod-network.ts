import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ClusterNetwork, indexedClusterNetwork, LOOPBACK_NETWORK, parseCIDR } from '@openpacific/contracts';

type Env = Record<string, string | undefined>;

const IP_PATHS = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** Why this machine cannot give pods their own network (undefined when it can): root and iproute2 are needed. */
export function podNetworkUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the launcher does not run as root';
  if (!IP_PATHS.some((p) => existsSync(p))) return 'iproute2 (ip) is not installed';
  return undefined;
}

/**
 * The cluster's network: POD_CIDR / SERVICE_CIDR / LOADBALANCER_CIDR when set; else, where the machine allows it,
 * pods 10.64.0.0/16, services 10.96.0.0/16 and load balancers 10.128.0.0/16; else (or with POD_NETWORK=loopback)
 * everything on loopback addresses as an unprivileged user can have it.
 */
export function chooseClusterNetwork(env: Env): { network: ClusterNetwork; note: string } {
  if (env.POD_CIDR !== undefined || env.SERVICE_CIDR || env.LOADBALANCER_CIDR) {
    const network = {
      podCIDR: env.POD_CIDR ?? '',
      serviceCIDR: env.SERVICE_CIDR || LOOPBACK_NETWORK.serviceCIDR,
      loadBalancerCIDR: env.LOADBALANCER_CIDR || LOOPBACK_NETWORK.loadBalancerCIDR,
    };
    if (network.podCIDR) parseCIDR(network.podCIDR, 'POD_CIDR', 16);
    parseCIDR(network.serviceCIDR, 'SERVICE_CIDR', 16);
    parseCIDR(network.loadBalancerCIDR, 'LOADBALANCER_CIDR', 16);
    return { network, note: 'as configured' };
  }
  if (env.POD_NETWORK === 'loopback') return { network: LOOPBACK_NETWORK, note: 'POD_NETWORK=loopback: pods share their host\'s network' };
  if (env.POD_NETWORK && env.POD_NETWORK !== 'auto') throw new Error(`POD_NETWORK must be auto or loopback, got "${env.POD_NETWORK}"`);
  const why = podNetworkUnavailable();
  if (why) return { network: LOOPBACK_NETWORK, note: `${why}: pods share their host's network with 127.x.y.z addresses` };
  return { network: indexedClusterNetwork(0), note: 'pods in their own network namespaces' };
}

function ip(args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/**
 * What a stopped cluster leaves on the machine, removed: its hosts' pod bridges (their pods' routes go with them),
 * its NetworkPolicy table and the local routes of its service and load balancer ranges. Pods' namespaces and veths
 * died with their hosts' processes.
 */
export function removeClusterNetwork(network: ClusterNetwork): void {
  if (!network.podCIDR || podNetworkUnavailable()) return;
  const octet = (parseCIDR(network.podCIDR).base >>> 16) & 255;
  const prefix = `op${octet}h`;
  for (const line of ip(['-o', 'link', 'show', 'type', 'bridge']).split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (name && name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length))) ip(['link', 'del', name]);
  }
  for (const cidr of [network.serviceCIDR, network.loadBalancerCIDR]) {
    if (!cidr.startsWith('127.')) ip(['route', 'del', 'local', cidr, 'dev', 'lo', 'table', 'local']);
  }
  try {
    execFileSync('nft', ['delete', 'table', 'inet', `openpacific_${octet}`], { stdio: 'ignore' });
  } catch {
    // no table (nothing enforced) or no nft
  }
}
