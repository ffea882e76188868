import { isIP } from 'node:net';
import { fieldDuplicate, fieldInvalid, goRendered, StatusCause } from '@openpacific/kube-api';

const IP_MESSAGE = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/**
 * A status's addresses as the internal API holds them: the list (`podIPs`), unless the single field (`podIP`) is set
 * and differs from its first entry, which is then the only one (the v1 conversion takes the single field as
 * authoritative, for older clients).
 */
function addressesOf(single: unknown, list: unknown): unknown[] {
  const entries = Array.isArray(list) ? list.map((e) => (e && typeof e === 'object' ? (e as { ip?: unknown }).ip : e)) : [];
  if (single !== undefined && single !== null && single !== '' && entries[0] !== single) return [single];
  return entries;
}

/** validatePodIPs / validateHostIPs: each a valid IP address, none twice. */
function addressCauses(field: string, addresses: unknown[], goType: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<unknown>();
  addresses.forEach((ip, i) => {
    if (typeof ip !== 'string' || isIP(ip) === 0) causes.push(fieldInvalid(`${field}[${i}]`, ip ?? '', IP_MESSAGE));
    if (seen.has(ip)) causes.push(fieldDuplicate(`${field}[${i}]`, goRendered(`${goType}{IP:${JSON.stringify(String(ip))}}`)));
    seen.add(ip);
  });
  return causes;
}

/**
 * ValidatePodStatusUpdate's addresses: a pod's IPs and its host's must be IP addresses. Only hosts write a pod's status
 * through the log; through the API (`pods/status`, which RBAC gives to admins) `fz-str`, a number or an object was
 * stored as a pod's IP.
 */
export function validatePodStatusAddresses(pod: any): StatusCause[] {
  const status = pod?.status ?? {};
  return [
    ...addressCauses('status.podIPs', addressesOf(status.podIP, status.podIPs), 'core.PodIP'),
    ...addressCauses('status.hostIPs', addressesOf(status.hostIP, status.hostIPs), 'core.HostIP'),
  ];
}
