import { isIP } from 'node:net';
import { fieldRequired, goQuote, StatusCause, validateDns1123Subdomain } from '@openpacific/kube-api';

/** kube-apiserver's limits on a pod's resolver, derived from libc's (kubelet cuts what it composes to the same). */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;

const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** A list of strings as Go's `%#v` prints it, as kube-apiserver's message shows an invalid list. */
function goStrings(list: string[]): string {
  return `[]string{${list.map(goQuote).join(', ')}}`;
}

/**
 * A Pod's `dnsPolicy` and `dnsConfig` as kube-apiserver 1.32 validates them (without the alpha RelaxedDNSSearchValidation):
 * `None` needs a dnsConfig with a nameserver; at most 3 nameservers, each an IP; at most 32 search domains of 2048
 * characters together, each a DNS subdomain (a trailing dot allowed); every option named.
 */
/** kube-apiserver's ValidateHostAliases: each alias an IP address and DNS subdomains for it. */
export function validateHostAliases(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  ((spec.hostAliases ?? []) as any[]).forEach((alias, i) => {
    const at = `spec.hostAliases[${i}]`;
    if (!isIP(alias?.ip ?? '')) causes.push({ field: `${at}.ip`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(alias?.ip ?? '')}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)` });
    ((alias?.hostnames ?? []) as string[]).forEach((name, j) => {
      for (const m of validateDns1123Subdomain(name)) causes.push({ field: `${at}.hostnames[${j}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(name)}: ${m}` });
    });
  });
  return causes;
}

export function validatePodDns(spec: any): StatusCause[] {
  const causes: StatusCause[] = [];
  const policy = spec?.dnsPolicy;
  if (policy === '') causes.push(fieldRequired('spec.dnsPolicy'));
  else if (policy !== undefined && !DNS_POLICIES.includes(policy)) {
    causes.push({ field: 'spec.dnsPolicy', reason: 'FieldValueNotSupported', message: `Unsupported value: ${goQuote(String(policy))}: supported values: ${DNS_POLICIES.map((p) => `"${p}"`).join(', ')}` });
  }
  const config = spec?.dnsConfig;
  const nameservers: string[] = config?.nameservers ?? [];
  if (policy === 'None') {
    if (!config) return [...causes, fieldRequired('spec.dnsConfig', 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (nameservers.length === 0) return [...causes, fieldRequired('spec.dnsConfig.nameservers', 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return causes;
  if (nameservers.length > MAX_DNS_NAMESERVERS) {
    causes.push({ field: 'spec.dnsConfig.nameservers', reason: 'FieldValueInvalid', message: `Invalid value: ${goStrings(nameservers)}: must not have more than ${MAX_DNS_NAMESERVERS} nameservers` });
  }
  nameservers.forEach((ns, i) => {
    if (!isIP(ns)) causes.push({ field: `spec.dnsConfig.nameservers[${i}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(ns)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)` });
  });
  const searches: string[] = config.searches ?? [];
  if (searches.length > MAX_DNS_SEARCH_PATHS) {
    causes.push({ field: 'spec.dnsConfig.searches', reason: 'FieldValueInvalid', message: `Invalid value: ${goStrings(searches)}: must not have more than ${MAX_DNS_SEARCH_PATHS} search paths` });
  }
  if (searches.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) {
    causes.push({ field: 'spec.dnsConfig.searches', reason: 'FieldValueInvalid', message: `Invalid value: ${goStrings(searches)}: must not have more than ${MAX_DNS_SEARCH_LIST_CHARS} characters (including spaces) in the search list` });
  }
  searches.forEach((search, i) => {
    const domain = search.endsWith('.') ? search.slice(0, -1) : search;
    for (const m of validateDns1123Subdomain(domain)) causes.push({ field: `spec.dnsConfig.searches[${i}]`, reason: 'FieldValueInvalid', message: `Invalid value: ${goQuote(domain)}: ${m}` });
  });
  ((config.options ?? []) as any[]).forEach((option, i) => {
    if (!option?.name) causes.push({ field: `spec.dnsConfig.options[${i}]`, reason: 'FieldValueRequired', message: 'Required value: must not be empty' });
  });
  return causes;
}
