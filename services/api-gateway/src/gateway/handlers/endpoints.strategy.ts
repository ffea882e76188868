import { isIP, isIPv4 } from 'node:net';
import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, StatusCause } from '@openpacific/kube-api';
import type { KindStrategy } from './kind-strategies';

/**
 * core v1 Endpoints as kube-apiserver admits them: ports default to TCP, and ValidateEndpoints' checks the schema
 * cannot express, with its field paths and messages — a subset lists addresses; each address an IP (not unspecified,
 * link-local or link-local multicast), a DNS-1123 label hostname; each port in range, a supported protocol, and a
 * name, unique, when the subset has several.
 *
 * Unlike kube-apiserver, loopback addresses (127.0.0.0/8, ::1) are allowed: here pods and the service ranges live on
 * loopback unless the pod network is enabled, so an Endpoints naming a pod or a process of the machine names one there.
 */

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MESSAGE = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

function labelProblems(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) out.push(DNS1123_LABEL_MESSAGE);
  return out;
}

/** ValidateNonSpecialIP, but loopback (see above). */
function specialIPProblem(ip: string): string | undefined {
  if (isIPv4(ip)) {
    const [a, b, c] = ip.split('.').map(Number);
    if (ip === '0.0.0.0') return 'may not be unspecified (0.0.0.0)';
    if (a === 169 && b === 254) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
    if (a === 224 && b === 0 && c === 0) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
    return undefined;
  }
  const lower = ip.toLowerCase();
  // A valid IPv6 address of zeros and colons only is `::`.
  if (lower.replace(/[0:]/g, '') === '') return 'may not be unspecified (::)';
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (/^ff02:/.test(lower)) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

function validateAddress(address: any, at: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const ip = address?.ip;
  if (typeof ip !== 'string' || isIP(ip) === 0) {
    causes.push(fieldInvalid(`${at}.ip`, ip, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  } else {
    const special = specialIPProblem(ip);
    if (special) causes.push(fieldInvalid(`${at}.ip`, ip, special));
  }
  if (typeof address?.hostname === 'string' && address.hostname !== '') {
    for (const p of labelProblems(address.hostname)) causes.push(fieldInvalid(`${at}.hostname`, address.hostname, p));
  }
  return causes;
}

export function defaultEndpoints(endpoints: any): any {
  for (const subset of Array.isArray(endpoints?.subsets) ? endpoints.subsets : []) {
    for (const port of Array.isArray(subset?.ports) ? subset.ports : []) if (port && typeof port === 'object') port.protocol ??= 'TCP';
  }
  return endpoints;
}

export function validateEndpoints(endpoints: any): StatusCause[] {
  const causes: StatusCause[] = [];
  (Array.isArray(endpoints?.subsets) ? endpoints.subsets : []).forEach((subset: any, i: number) => {
    const at = `subsets[${i}]`;
    const addresses: any[] = subset?.addresses ?? [];
    const notReady: any[] = subset?.notReadyAddresses ?? [];
    if (addresses.length === 0 && notReady.length === 0) causes.push(fieldRequired(at, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => causes.push(...validateAddress(a, `${at}.addresses[${j}]`)));
    notReady.forEach((a, j) => causes.push(...validateAddress(a, `${at}.notReadyAddresses[${j}]`)));
    const ports: any[] = subset?.ports ?? [];
    const names = new Set<string>();
    ports.forEach((port, j) => {
      const pat = `${at}.ports[${j}]`;
      const name = port?.name ?? '';
      if (ports.length > 1 && name === '') causes.push(fieldRequired(`${pat}.name`));
      else if (name !== '') {
        for (const p of labelProblems(name)) causes.push(fieldInvalid(`${pat}.name`, name, p));
        if (names.has(name)) causes.push(fieldDuplicate(`${pat}.name`, name));
        names.add(name);
      }
      if (!Number.isInteger(port?.port) || port.port < 1 || port.port > 65535) causes.push(fieldInvalid(`${pat}.port`, port?.port, 'must be between 1 and 65535, inclusive'));
      if (!port?.protocol) causes.push(fieldRequired(`${pat}.protocol`));
      else if (!PROTOCOLS.includes(port.protocol)) {
        causes.push(fieldNotSupported(`${pat}.protocol`, port.protocol, PROTOCOLS));
      }
    });
  });
  return causes;
}

export const endpointsKindStrategies: Record<string, KindStrategy> = {
  '/Endpoints': { defaults: defaultEndpoints, prepareUpdate: (_old, next) => defaultEndpoints(next), validate: validateEndpoints },
};
