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
  /**
   * The names an ExternalName Service leads to, in order (CNAME records, each owned by the name before it); the
   * addresses, when the last one is a name of the cluster that has some, are that name's.
   */
  aliases?: string[];
}

/** How many CNAMEs an answer follows within the cluster domain before it stops (a loop of ExternalName Services). */
const MAX_ALIASES = 8;

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
  if (svc.spec?.type === 'ExternalName') return []; // its CNAME is answered by answerQuestion
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
  if (!inClusterDomain(name)) return refused;
  const addresses = lookup(model, labelsOf(name));
  if (!addresses) return nxdomain;
  const aliases = externalNames(model, name);
  if (aliases.length > 0) {
    // As CoreDNS: the CNAME for any type; for A (or ANY) the addresses of the name it leads to, when that name is the
    // cluster's and has some (an outside name is the client's to look up: this server has no upstream).
    if (q.type === DnsType.CNAME) return { ...found([]), aliases: aliases.slice(0, 1) };
    const last = aliases[aliases.length - 1];
    const target = q.type === DnsType.A || q.type === DnsType.ANY ? (inClusterDomain(last) ? lookup(model, labelsOf(last)) : undefined) : undefined;
    return { ...found(target ?? []), aliases };
  }
  return found(q.type === DnsType.A || q.type === DnsType.ANY ? addresses : []);
}

function inClusterDomain(name: string): boolean {
  return name === CLUSTER_DOMAIN || name.endsWith(`.${CLUSTER_DOMAIN}`);
}

function labelsOf(name: string): string[] {
  return name === CLUSTER_DOMAIN ? [] : name.slice(0, -CLUSTER_DOMAIN.length - 1).split('.');
}

/**
 * The CNAME chain from `name`: an ExternalName Service's `spec.externalName`, followed while it names another such
 * Service of the cluster (at most MAX_ALIASES, so a loop ends).
 */
function externalNames(model: ReadModel, name: string): string[] {
  const out: string[] = [];
  for (let at = name; out.length < MAX_ALIASES; ) {
    if (!inClusterDomain(at)) break;
    const labels = labelsOf(at);
    if (labels.length !== 3 || labels[2] !== 'svc') break;
    const svc = model.get(SERVICES_RESOURCE, labels[1], labels[0])?.object;
    const target = svc?.spec?.type === 'ExternalName' ? String(svc.spec.externalName ?? '').toLowerCase().replace(/\.$/, '') : '';
    if (!target) break;
    out.push(target);
    at = target;
  }
  return out;
}
