import { readFileSync } from 'node:fs';
import { PodSandboxConfig, podDnsSearches } from '@openpacific/contracts';

type Dns = NonNullable<PodSandboxConfig['dns']>;

/**
 * The resolver of a pod's containers, by its `dnsPolicy` as kubelet chooses it: the cluster's DNS for `ClusterFirst`
 * and `ClusterFirstWithHostNet`, except that `ClusterFirst` on the host's network falls back to `Default`, the host's
 * own resolv.conf. Undefined: nothing written (a ClusterFirst pod of a cluster without DNS, or `None`, whose
 * dnsConfig this agent does not apply).
 */
export function podDns(pod: any, clusterDns: string | undefined, hostResolvConf: () => Dns | undefined = readHostResolvConf): Dns | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec?.hostNetwork);
  if (cluster) return clusterDns ? { nameservers: [clusterDns], searches: podDnsSearches(pod.metadata.namespace) } : undefined;
  return policy === 'None' ? undefined : hostResolvConf();
}

/** This machine's /etc/resolv.conf as kubelet reads it (its nameservers, its last search line, its options). */
export function readHostResolvConf(file = '/etc/resolv.conf'): Dns | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseResolvConf(text);
}

export function parseResolvConf(text: string): Dns {
  const dns: Required<Dns> = { nameservers: [], searches: [], options: [] };
  for (const line of text.split('\n')) {
    const fields = line.replace(/[#;].*$/, '').trim().split(/\s+/).filter(Boolean);
    if (fields.length < 2) continue;
    if (fields[0] === 'nameserver') dns.nameservers.push(fields[1]);
    else if (fields[0] === 'search') dns.searches = fields.slice(1);
    else if (fields[0] === 'options') dns.options.push(...fields.slice(1));
  }
  return dns;
}
