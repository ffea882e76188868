import { readFileSync } from 'node:fs';
import { PodSandboxConfig, podDnsSearches } from '@openpacific/contracts';

type Dns = NonNullable<PodSandboxConfig['dns']>;

/** kubelet's limits on what it writes (kube-apiserver's too): libc reads 3 nameservers and a search line this long. */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;
const MAX_SEARCH_LINE = 2048;
const MAX_SEARCH_DOMAIN = 253;

/**
 * The resolver of a pod's containers, by its `dnsPolicy` as kubelet chooses it: the cluster's DNS for `ClusterFirst`
 * and `ClusterFirstWithHostNet`, except that `ClusterFirst` on the host's network falls back to `Default`, the host's
 * own resolv.conf; `None` starts from nothing. The pod's `dnsConfig` is then added (`podDnsWithConfig`). Undefined:
 * nothing written (a ClusterFirst pod of a cluster without DNS and without a dnsConfig).
 */
export function podDns(pod: any, clusterDns: string | undefined, hostResolvConf: () => Dns | undefined = readHostResolvConf): Dns | undefined {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const cluster = policy === 'ClusterFirstWithHostNet' || (policy === 'ClusterFirst' && !pod.spec?.hostNetwork);
  const base = cluster
    ? clusterDns ? { nameservers: [clusterDns], searches: podDnsSearches(pod.metadata.namespace), options: ['ndots:5'] } : undefined
    : policy === 'None' ? { nameservers: [], searches: [], options: [] } : hostResolvConf();
  return podDnsWithConfig(base, pod.spec?.dnsConfig);
}

/**
 * kubelet's merge of a pod's `dnsConfig` into the resolver its policy gave: nameservers and search domains appended
 * (duplicates dropped, the first kept), options merged by name (the pod's win; an option without a value is its bare
 * name); then cut to libc's limits as kubelet cuts them: 3 nameservers; 32 search domains, none over 253 characters,
 * and the last ones dropped until the search line fits 2048 characters.
 */
export function podDnsWithConfig(base: Dns | undefined, config: any): Dns | undefined {
  if (!base && !config) return undefined;
  const from = base ?? { nameservers: [], searches: [], options: [] };
  const options = new Map<string, string>();
  for (const option of from.options ?? ['ndots:5']) {
    const colon = option.indexOf(':');
    options.set(colon < 0 ? option : option.slice(0, colon), colon < 0 ? '' : option.slice(colon + 1));
  }
  for (const option of config?.options ?? []) if (option?.name) options.set(option.name, option.value ?? '');
  let searches = unique([...from.searches, ...(config?.searches ?? [])]).slice(0, MAX_SEARCHES).filter((s) => s.length <= MAX_SEARCH_DOMAIN);
  while (searches.join(' ').length > MAX_SEARCH_LINE) searches = searches.slice(0, -1);
  return {
    nameservers: unique([...from.nameservers, ...(config?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    searches,
    options: [...options].map(([name, value]) => (value ? `${name}:${value}` : name)),
  };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
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
