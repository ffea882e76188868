import { intToIp, ipToInt, parseCIDR, POD_IP_ANNOTATION, POD_NETWORK_ANNOTATION } from '@openpacific/contracts';

/** Addresses .2 to .254 of a namespace's /24 go to its pods (.0 network, .1 kept for a gateway, .255 broadcast). */
const FIRST_HOST = 2;
const LAST_HOST = 254;
/** /24 number 0 of the pod range holds the hosts' bridge gateways; namespaces take 1..255. */
const FIRST_SUBNET = 1;
const LAST_SUBNET = 255;

export class PodAddressesExhausted extends Error {}

/**
 * Pod addresses for hosts that give pods their own network namespace, chosen by the scheduler as it binds: each
 * Kubernetes namespace holds one /24 of the cluster's pod range (as each vSphere Namespace has its own segment),
 * and each pod an address in it, kept on the pod as an annotation for its whole life — also when it fails over to
 * another host. Which /24 a namespace holds is read back from its pods' addresses, so a new leader knows them all
 * from the log; a namespace whose pods are all gone gives its /24 back. Kept as pods change (`count`), by pod key:
 * built afresh for every pass, it walked every pod of the cluster each time.
 */
export class PodAddressAllocator {
  private readonly base: number;
  /** The address each pod holds, by key. */
  private readonly held = new Map<string, { address: number; namespace: string; subnet: number }>();
  private readonly holders = new Map<number, number>();
  /** Each namespace's /24s, with how many of its pods hold an address in each: the first is where its new pods go. */
  private readonly subnetsOf = new Map<string, Map<number, number>>();
  private readonly subnetHolders = new Map<number, number>();

  constructor(podCIDR: string) {
    this.base = parseCIDR(podCIDR, 'POD_CIDR', 16).base;
  }

  /**
   * From now on `key` holds the address `pod` carries (none: undefined, no annotation, or a finished pod whose host
   * has stopped its sandbox and so ended its network: the address is free to give again, though the pod keeps it in
   * its status as kubelet leaves it).
   */
  count(key: string, pod: any): void {
    this.release(key);
    if (addressReleased(pod)) return;
    const ip = pod?.metadata?.annotations?.[POD_IP_ANNOTATION];
    if (typeof ip !== 'string') return;
    const n = ipToInt(ip);
    if (n - this.base < 0 || n - this.base >= 65536) return;
    this.hold(key, n, pod.metadata.namespace);
  }

  /** The pod's address: the one it holds, else the lowest free one in its namespace's /24 (held by `key` from now on). */
  assign(key: string, pod: any): string {
    const carried = pod.metadata?.annotations?.[POD_IP_ANNOTATION];
    if (typeof carried === 'string') return carried;
    const held = this.held.get(key);
    if (held && held.namespace === pod.metadata.namespace) return intToIp(held.address);
    this.release(key);
    const subnet = this.subnetFor(pod.metadata.namespace);
    for (let host = FIRST_HOST; host <= LAST_HOST; host++) {
      const n = this.base + subnet * 256 + host;
      if (this.holders.has(n)) continue;
      this.hold(key, n, pod.metadata.namespace);
      return intToIp(n);
    }
    throw new PodAddressesExhausted(`namespace ${pod.metadata.namespace} has no free pod address left in ${intToIp(this.base + subnet * 256)}/24 (${LAST_HOST - FIRST_HOST + 1} pods at most)`);
  }

  private hold(key: string, address: number, namespace: string): void {
    const subnet = ((address - this.base) >>> 8) & 255;
    this.held.set(key, { address, namespace, subnet });
    bump(this.holders, address, 1);
    let subnets = this.subnetsOf.get(namespace);
    if (!subnets) this.subnetsOf.set(namespace, (subnets = new Map()));
    bump(subnets, subnet, 1);
    bump(this.subnetHolders, subnet, 1);
  }

  private release(key: string): void {
    const held = this.held.get(key);
    if (!held) return;
    this.held.delete(key);
    bump(this.holders, held.address, -1);
    const subnets = this.subnetsOf.get(held.namespace)!;
    bump(subnets, held.subnet, -1);
    if (subnets.size === 0) this.subnetsOf.delete(held.namespace);
    bump(this.subnetHolders, held.subnet, -1);
  }

  private subnetFor(namespace: string): number {
    const known = this.subnetsOf.get(namespace)?.keys().next();
    if (known && !known.done) return known.value;
    for (let subnet = FIRST_SUBNET; subnet <= LAST_SUBNET; subnet++) {
      if (!this.subnetHolders.has(subnet)) return subnet;
    }
    throw new PodAddressesExhausted(`every /24 of the pod range is held by a namespace (${LAST_SUBNET} namespaces with pods at most)`);
  }
}

/** A finished pod (Succeeded or Failed) whose host says its sandbox is gone (`PodReadyToStartContainers` False). */
export function addressReleased(pod: any): boolean {
  const phase = pod?.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return false;
  return (pod.status.conditions ?? []).some((c: any) => c?.type === 'PodReadyToStartContainers' && c.status === 'False');
}

/** Adds `by` to the count at `key`, dropping the entry at zero. */
function bump<K>(counts: Map<K, number>, key: K, by: number): void {
  const n = (counts.get(key) ?? 0) + by;
  if (n > 0) counts.set(key, n);
  else counts.delete(key);
}

/** Whether a host gives its pods their own network namespace (and so needs an address for each). */
export function networksPods(host: any): boolean {
  return host?.metadata?.annotations?.[POD_NETWORK_ANNOTATION] === 'netns';
}

/** The pod with its address annotation set. */
export function withPodAddress(pod: any, ip: string): any {
  if (pod.metadata.annotations?.[POD_IP_ANNOTATION] === ip) return pod;
  return { ...pod, metadata: { ...pod.metadata, annotations: { ...(pod.metadata.annotations ?? {}), [POD_IP_ANNOTATION]: ip } } };
}
