import { ENDPOINT_SLICES_RESOURCE, isIPv4, SERVICE_NAME_LABEL, SERVICES_RESOURCE } from '@openpacific/contracts';
import type { ReadModel } from '@openpacific/objects';
import { DnsQuestion, DnsRcode, DnsType } from './dns-message';

/** Short, as kube-dns's 5 s: a Service's address changes only by recreation, a headless service's pods more often. */
export const CLUSTER_DNS_TTL = 5;
export const CLUSTER_DOMAIN = 'cluster.local';

export interface DnsAnswerSet {
  rcode: number;
  /** Authoritative: the name is in the cluster domain (answered or known not to exist). */
  authoritative: boolean;
  addresses: string[];
}

const refused: DnsAnswerSet = { rcode: DnsRcode.REFUSED, authoritative: false, addresses: [] };
const nxdomain: DnsAnswerSet = { rcode: DnsRcode.NXDOMAIN, authoritative: true, addresses: [] };
const found = (addresses: string[]): DnsAnswerSet => ({ rcode: DnsRcode.NOERROR, authoritative: true, addresses });

/**
 * The Ready addresses of a Service's EndpointSlices, as CoreDNS takes them: endpoints whose `ready` is not false
 * (unset counts as ready), whatever `serving` and `terminating` say. A Service that publishes not-ready addresses has
 * every endpoint ready in its slice, so its pods have names before they are Ready, as a StatefulSet's peers need.
 * With `endpoint`, only those that answer to that name as CoreDNS names them: their `hostname`, else their address
 * with dashes (`10-65-1-5`).
 */
function readyAddresses(model: ReadModel, ns: string, service: string, endpoint?: string): string[] {
  const out = new Set<string>();
  for (const { object: slice } of model.list(ENDPOINT_SLICES_RESOURCE, ns)) {
    if (slice.metadata?.labels?.[SERVICE_NAME_LABEL] !== service || slice.addressType !== 'IPv4') continue;
    for (const e of slice.endpoints ?? []) {
      if (e?.conditions?.ready === false) continue;
      for (const a of e.addresses ?? []) {
        if (!isIPv4(a)) continue;
        if (endpoint === undefined || String(e.hostname || a.replace(/\./g, '-')).toLowerCase() === endpoint) out.add(a);
      }
    }
  }
  return [...out];
}

/** `<svc>.<ns>.svc.cluster.local`: the cluster IP, or for a headless Service its Ready endpoints; undefined when no such Service. */
function serviceAddresses(model: ReadModel, ns: string, name: string): string[] | undefined {
  const svc = model.get(SERVICES_RESOURCE, ns, name)?.object;
  if (!svc) return undefined;
  if (svc.spec?.type === 'ExternalName') return []; // a CNAME in kube-dns; not served here
  if (svc.spec?.clusterIP === 'None') return readyAddresses(model, ns, name);
  return isIPv4(svc.spec?.clusterIP ?? '') ? [svc.spec.clusterIP] : [];
}

/**
 * `<endpoint>.<svc>.<ns>.svc.cluster.local`: the Ready endpoints of the Service that answer to that name (a
 * StatefulSet pod's hostname, see `readyAddresses`). As CoreDNS, for any Service but an ExternalName one, headless or
 * not; undefined (NXDOMAIN) when none does, endpoints not ready left out as from the headless Service's own name.
 */
function endpointAddresses(model: ReadModel, ns: string, service: string, endpoint: string): string[] | undefined {
  const svc = model.get(SERVICES_RESOURCE, ns, service)?.object;
  if (!svc || svc.spec?.type === 'ExternalName') return undefined;
  const addresses = readyAddresses(model, ns, service, endpoint);
  return addresses.length > 0 ? addresses : undefined;
}

/** The addresses a cluster.local name (lower case, labels in order, without `cluster.local`) stands for. */
function lookup(model: ReadModel, labels: string[]): string[] | undefined {
  const [first, second, third] = labels;
  if (labels.length === 0) return [];
  if (labels[labels.length - 1] === 'svc') {
    if (labels.length === 1) return [];
    if (labels.length === 2) return model.list(SERVICES_RESOURCE, first).length > 0 ? [] : undefined;
    if (labels.length === 3) return serviceAddresses(model, second, first);
    if (labels.length === 4) return endpointAddresses(model, third, second, first);
    return undefined;
  }
  if (labels[labels.length - 1] === 'pod') {
    if (labels.length === 1) return [];
    // `<a-b-c-d>.<ns>.pod`: the address spelled by the first label, as kube-dns answers pod names.
    const ip = first.replace(/-/g, '.');
    return labels.length === 3 && third === 'pod' && isIPv4(ip) ? [ip] : undefined;
  }
  return undefined;
}

/**
 * The answer to one question from the read model of Services and EndpointSlices. Names outside the cluster domain
 * are REFUSED: there is no upstream to forward them to. A known name asked for another type than A (AAAA, SRV…)
 * gets an empty NOERROR, so resolvers do not take it for a missing name.
 */
export function answerQuestion(model: ReadModel, q: DnsQuestion): DnsAnswerSet {
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (name !== CLUSTER_DOMAIN && !name.endsWith(`.${CLUSTER_DOMAIN}`)) return refused;
  const labels = name === CLUSTER_DOMAIN ? [] : name.slice(0, -CLUSTER_DOMAIN.length - 1).split('.');
  const addresses = lookup(model, labels);
  if (!addresses) return nxdomain;
  return found(q.type === DnsType.A || q.type === DnsType.ANY ? addresses : []);
}
