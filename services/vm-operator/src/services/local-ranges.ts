import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterNetwork, inCIDR, intToIp, parseCIDR } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';

const run = promisify(execFile);

/** The ranges the balancer and the DNS server listen in that are not already local (all of 127.0.0.0/8 is). */
export function rangesToMakeLocal(network: ClusterNetwork): string[] {
  return [network.serviceCIDR, network.loadBalancerCIDR].filter((cidr) => {
    const { base, prefix } = parseCIDR(cidr);
    return prefix < 8 || !inCIDR(intToIp(base), '127.0.0.0/8');
  });
}

/**
 * Makes the service and load balancer ranges local on this machine (`ip route replace local <cidr> dev lo`, in the
 * local table, idempotent), so the balancer can bind any address in them, the machine reaches them, and pods, whose
 * traffic is routed through the machine, are delivered to them. Every replica does this at start, so whichever is
 * elected can listen. The routes stay when the operator stops: another replica on the machine may rely on them.
 * Returns the ranges that could not be made local, each logged with the reason (the balancer cannot listen there).
 */
export async function makeServiceRangesLocal(network: ClusterNetwork, logger: Pick<Logger, 'info' | 'warn'>): Promise<string[]> {
  const failed: string[] = [];
  for (const cidr of rangesToMakeLocal(network)) {
    try {
      await run('ip', ['route', 'replace', 'local', cidr, 'dev', 'lo', 'table', 'local']);
      logger.info('service range made local', { cidr });
    } catch (err) {
      const e = err as Error & { stderr?: string };
      failed.push(cidr);
      logger.warn('service range not made local: services cannot listen in it', { cidr, error: (e.stderr || e.message).trim() });
    }
  }
  return failed;
}
