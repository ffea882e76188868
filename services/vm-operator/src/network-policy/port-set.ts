/**
 * What a NetworkPolicy decision lets through between two addresses: per protocol, every port or some port ranges.
 * Ranges are kept sorted and merged so that equal sets have equal keys (the nft renderer groups sources by key).
 */
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export type PortRange = [number, number];
export type PortSet = Partial<Record<Protocol, 'all' | PortRange[]>>;

export const NO_PORTS: PortSet = {};
/** Every port of every protocol: what a rule without `ports` allows (and traffic that is not TCP, UDP or SCTP). */
export const ALL_PORTS: PortSet = { TCP: 'all', UDP: 'all', SCTP: 'all' };

function merge(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: PortRange[] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function portSet(protocol: Protocol, ranges: 'all' | PortRange[]): PortSet {
  return ranges === 'all' || ranges.length > 0 ? { [protocol]: ranges === 'all' ? 'all' : merge(ranges) } : {};
}

export function unionPorts(a: PortSet, b: PortSet): PortSet {
  const out: PortSet = {};
  for (const p of PROTOCOLS) {
    const x = a[p];
    const y = b[p];
    if (x === 'all' || y === 'all') out[p] = 'all';
    else if (x || y) out[p] = merge([...(x ?? []), ...(y ?? [])]);
  }
  return out;
}

export function intersectPorts(a: PortSet, b: PortSet): PortSet {
  const out: PortSet = {};
  for (const p of PROTOCOLS) {
    const x = a[p];
    const y = b[p];
    if (!x || !y) continue;
    if (x === 'all') out[p] = y === 'all' ? 'all' : y;
    else if (y === 'all') out[p] = x;
    else {
      const both: PortRange[] = [];
      for (const [lo1, hi1] of x) for (const [lo2, hi2] of y) if (Math.max(lo1, lo2) <= Math.min(hi1, hi2)) both.push([Math.max(lo1, lo2), Math.min(hi1, hi2)]);
      if (both.length) out[p] = merge(both);
    }
  }
  return out;
}

export function isEmptyPorts(set: PortSet): boolean {
  return PROTOCOLS.every((p) => !set[p]);
}

export function isAllPorts(set: PortSet): boolean {
  return PROTOCOLS.every((p) => set[p] === 'all');
}

export function portsContain(set: PortSet, protocol: string, port: number): boolean {
  const ranges = set[protocol as Protocol];
  return ranges === 'all' || (ranges ?? []).some(([lo, hi]) => port >= lo && port <= hi);
}

/** A stable text for a set (protocols in a fixed order, ranges merged). */
export function portSetKey(set: PortSet): string {
  return PROTOCOLS.map((p) => `${p}:${set[p] === 'all' ? '*' : (set[p] as PortRange[] | undefined)?.map(([lo, hi]) => `${lo}-${hi}`).join(',') ?? ''}`).join(';');
}
