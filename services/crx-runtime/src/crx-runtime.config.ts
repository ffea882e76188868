import { tmpdir } from 'node:os';
import { BaseConfig, configSchema as baseSchema } from '@openpacific/service-kit';

export interface CrxRuntimeConfig extends BaseConfig {
  /** The host whose containers this runtime runs (a DNS-1123 subdomain, like its Node name). */
  HOST_NAME: string;
  /** `process` runs real process trees; `sim` runs nothing (scale tests). */
  CRX_DRIVER: 'process' | 'sim';
  /** sim driver: how long a container takes to start, and the share of starts that fail. */
  CRX_SIM_START_DELAY_MS: number;
  CRX_SIM_FAILURE_RATE: number;
  /** Where sandboxes, logs and the runtime's state live; empty = <tmpdir>/openpacific-crx/<host>. */
  CRX_ROOT: string;
  /**
   * The /24 (in 127.0.0.0/8) its pods take their addresses from, `<a.b.c>.2` to `<a.b.c>.251` in turn (a guest
   * cluster's worker: `127.16.3.0/24`); empty = `127.<100 + host index>.x.y` from the number in HOST_NAME.
   */
  CRX_POD_SUBNET: string;
  /** The cluster's pod /16 (the same for every service); empty = pods on loopback addresses. */
  POD_CIDR: string;
  /**
   * `auto`: each pod in its own network namespace where POD_CIDR is set and the host allows it (root, iproute2,
   * process driver, no CRX_POD_SUBNET), else loopback; `netns` insists (the runtime does not start without it).
   */
  CRX_POD_NETWORK: 'auto' | 'netns' | 'loopback';
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

export const configSchema = baseSchema(
  {
    HOST_NAME: { type: 'string', format: 'dns1123-subdomain' },
    CRX_DRIVER: { type: 'string', enum: ['process', 'sim'], default: 'process' },
    CRX_ROOT: { type: 'string', default: '' },
    CRX_POD_SUBNET: { type: 'string', pattern: `^(127\\.${OCTET}\\.${OCTET}\\.0/24)?$`, default: '' },
    // Checked as a /16 by preparePodNetwork (the contracts' parseCIDR names what is wrong).
    POD_CIDR: { type: 'string', default: '' },
    CRX_POD_NETWORK: { type: 'string', enum: ['auto', 'netns', 'loopback'], default: 'auto' },
    CRX_SIM_START_DELAY_MS: { type: 'integer', minimum: 0, maximum: 600000, default: 0 },
    CRX_SIM_FAILURE_RATE: { type: 'number', minimum: 0, maximum: 1, default: 0 },
  },
  ['HOST_NAME'],
);

export function crxRoot(config: CrxRuntimeConfig): string {
  return config.CRX_ROOT || `${tmpdir()}/openpacific-crx/${config.HOST_NAME}`;
}

/** How a runtime addresses its pods: by its host's index, or from a /24 of its own (`CRX_POD_SUBNET`). */
export interface PodAddressing {
  hostIndex: number;
  podSubnet?: string;
}

export function podAddressing(config: Pick<CrxRuntimeConfig, 'HOST_NAME' | 'CRX_POD_SUBNET'>): PodAddressing {
  const hostIndex = Number(/(\d+)$/.exec(config.HOST_NAME)?.[1] ?? 0);
  return config.CRX_POD_SUBNET ? { hostIndex, podSubnet: config.CRX_POD_SUBNET } : { hostIndex };
}

/**
 * The address of a runtime's `n`-th pod sandbox (both drivers): `<a.b.c>.<2..251>` cycling in a pod subnet,
 * else `127.<100 + host index % 150>.<n / 250 % 256>.<2..251>`. A bare number is a host index.
 */
export function podAddress(addressing: number | PodAddressing, n: number): string {
  const { hostIndex, podSubnet } = typeof addressing === 'number' ? { hostIndex: addressing, podSubnet: undefined } : addressing;
  const host = (n % 250) + 2;
  if (podSubnet) return `${podSubnet.split('.').slice(0, 3).join('.')}.${host}`;
  return `127.${100 + (hostIndex % 150)}.${Math.floor(n / 250) % 256}.${host}`;
}
