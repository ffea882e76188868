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
 * from the log; a namespace whose pods are all gone gives its /24 back. Built afresh for every pass.
 */
export class PodAddressAllocator {
  private readonly base: number;
  private readonly subnetOf = new Map<string, number>();
  private readonly subnetsTaken = new Set<number>();
  private readonly used = new Set<number>();

  constructor(podCIDR: string, pods: Iterable<any>) {
    this.base = parseCIDR(podCIDR, 'POD_CIDR', 16).base;
    for (const pod of pods) {
      const ip = pod.metadata?.annotations?.[POD_IP_ANNOTATION];
      if (typeof ip !== 'string') continue;
      const n = ipToInt(ip);
      if (n - this.base < 0 || n - this.base >= 65536) continue;
      this.used.add(n);
      const subnet = ((n - this.base) >>> 8) & 255;
      if (!this.subnetOf.has(pod.metadata.namespace)) this.subnetOf.set(pod.metadata.namespace, subnet);
      this.subnetsTaken.add(subnet);
    }
  }

  /** The pod's address: the one it holds, else the lowest free one in its namespace's /24 (taken in this pass too). */
  assign(pod: any): string {
    const held = pod.metadata?.annotations?.[POD_IP_ANNOTATION];
    if (typeof held === 'string') return held;
    const subnet = this.subnetFor(pod.metadata.namespace);
    for (let host = FIRST_HOST; host <= LAST_HOST; host++) {
      const n = this.base + subnet * 256 + host;
      if (this.used.has(n)) continue;
      this.used.add(n);
      return intToIp(n);
    }
    throw new PodAddressesExhausted(`namespace ${pod.metadata.namespace} has no free pod address left in ${intToIp(this.base + subnet * 256)}/24 (${LAST_HOST - FIRST_HOST + 1} pods at most)`);
  }

  private subnetFor(namespace: string): number {
    const known = this.subnetOf.get(namespace);
    if (known !== undefined) return known;
    for (let subnet = FIRST_SUBNET; subnet <= LAST_SUBNET; subnet++) {
      if (this.subnetsTaken.has(subnet)) continue;
      this.subnetsTaken.add(subnet);
      this.subnetOf.set(namespace, subnet);
      return subnet;
    }
    throw new PodAddressesExhausted(`every /24 of the pod range is held by a namespace (${LAST_SUBNET} namespaces with pods at most)`);
  }
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
