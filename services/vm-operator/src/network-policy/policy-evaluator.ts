import { inCIDR, NAMESPACE_NAME_LABEL, POD_IP_ANNOTATION } from '@openpacific/contracts';
import { labelSelectorFromObject, matchesLabelSelector } from '@openpacific/kube-api';
import { ALL_PORTS, intersectPorts, isEmptyPorts, NO_PORTS, PortSet, portSet, portsContain, Protocol, unionPorts } from './port-set';

/** A pod as policies see it: where it is, what it is labelled, the address it has in the pod network. */
export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  containerPorts: Array<{ name?: string; containerPort: number; protocol?: string }>;
}

/** A source or destination: an address, and the pod behind it when it is one. */
export interface PolicyEndpoint {
  ip: string;
  pod?: PolicyPod;
}

/** Traffic from addresses that are not pods: to every address, or to a CIDR except some blocks (from an ipBlock). */
export interface NonPodAllowance {
  from: 'any' | { cidr: string; except: string[] };
  ports: PortSet;
}

export interface PolicyInputs {
  /** The pods' /16; only pods with an address inside it are subject to policies. */
  podCIDR: string;
  pods: any[];
  namespaces: any[];
  policies: any[];
}

const FINISHED = ['Succeeded', 'Failed'];

function selects(selector: any, labels: Record<string, string>): boolean {
  try {
    return matchesLabelSelector(labelSelectorFromObject(selector ?? {}), labels);
  } catch {
    return false;
  }
}

const hasType = (policy: any, type: 'Ingress' | 'Egress') => (policy.spec?.policyTypes ?? ['Ingress']).includes(type);

/**
 * NetworkPolicy decisions for a cluster's pod network (pure: built from the pods, namespaces and policies of the
 * moment). A pod that no ingress policy selects takes connections from pods of its own namespace and from anything
 * that is not a pod (OpenPacific isolates namespaces from each other, as vSphere namespaces are); a pod some ingress
 * policy selects takes only what one of those policies' rules allows. Egress likewise, without the namespace default:
 * a pod no egress policy selects may connect anywhere.
 */
export class PolicyEvaluator {
  private readonly byIP = new Map<string, PolicyPod>();
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly ingressOf = new Map<PolicyPod, any[]>();
  private readonly egressOf = new Map<PolicyPod, any[]>();

  constructor(inputs: PolicyInputs) {
    for (const ns of inputs.namespaces) {
      const name = ns.metadata?.name;
      if (name) this.namespaceLabels.set(name, { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: name });
    }
    for (const pod of inputs.pods) {
      const ip = pod.status?.podIP || pod.metadata?.annotations?.[POD_IP_ANNOTATION];
      if (!ip || !inputs.podCIDR || !inCIDR(ip, inputs.podCIDR) || FINISHED.includes(pod.status?.phase)) continue;
      const p: PolicyPod = {
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        labels: pod.metadata.labels ?? {},
        ip,
        containerPorts: (pod.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []),
      };
      this.byIP.set(ip, p);
      const mine = inputs.policies.filter((np) => np.metadata?.namespace === p.namespace && !np.metadata?.deletionTimestamp && selects(np.spec?.podSelector, p.labels));
      this.ingressOf.set(p, mine.filter((np) => hasType(np, 'Ingress')));
      this.egressOf.set(p, mine.filter((np) => hasType(np, 'Egress')));
    }
  }

  /** The pods subject to policies, by address. */
  pods(): PolicyPod[] {
    return [...this.byIP.values()];
  }

  endpoint(ip: string): PolicyEndpoint {
    return { ip, pod: this.byIP.get(ip) };
  }

  /** Whether a new connection (or datagram) from `srcIP` to `dstIP`:`port` may go. */
  allows(srcIP: string, dstIP: string, port: number, protocol: string): boolean {
    return portsContain(this.allowedPorts(this.endpoint(srcIP), this.endpoint(dstIP)), protocol, port);
  }

  /** What may go from `src` to `dst`: the destination's ingress allowance met by the source's egress allowance. */
  allowedPorts(src: PolicyEndpoint, dst: PolicyEndpoint): PortSet {
    const ingress = dst.pod ? this.ingressPorts(dst.pod, src) : ALL_PORTS;
    if (isEmptyPorts(ingress) || !src.pod) return ingress;
    return intersectPorts(ingress, this.egressPorts(src.pod, dst));
  }

  /** Whether some ingress policy selects the pod (it no longer has the namespace default). */
  isolatedForIngress(pod: PolicyPod): boolean {
    return (this.ingressOf.get(pod) ?? []).length > 0;
  }

  /** What sources that are not pods may send to `dst`, for the nft renderer (which cannot ask per address). */
  nonPodIngress(dst: PolicyPod): NonPodAllowance[] {
    if (!this.isolatedForIngress(dst)) return [{ from: 'any', ports: ALL_PORTS }];
    const out: NonPodAllowance[] = [];
    for (const rule of (this.ingressOf.get(dst) ?? []).flatMap((np) => np.spec?.ingress ?? [])) {
      const ports = this.rulePorts(rule, dst);
      if (isEmptyPorts(ports)) continue;
      const peers: any[] = rule.from ?? [];
      if (peers.length === 0) out.push({ from: 'any', ports });
      for (const peer of peers) if (peer.ipBlock) out.push({ from: { cidr: peer.ipBlock.cidr, except: peer.ipBlock.except ?? [] }, ports });
    }
    return out;
  }

  private ingressPorts(dst: PolicyPod, src: PolicyEndpoint): PortSet {
    const policies = this.ingressOf.get(dst) ?? [];
    if (policies.length === 0) return !src.pod || src.pod.namespace === dst.namespace ? ALL_PORTS : NO_PORTS;
    let allowed = NO_PORTS;
    for (const np of policies) {
      for (const rule of np.spec?.ingress ?? []) {
        if (this.peersMatch(rule.from, np.metadata.namespace, src)) allowed = unionPorts(allowed, this.rulePorts(rule, dst));
      }
    }
    return allowed;
  }

  private egressPorts(src: PolicyPod, dst: PolicyEndpoint): PortSet {
    const policies = this.egressOf.get(src) ?? [];
    if (policies.length === 0) return ALL_PORTS;
    let allowed = NO_PORTS;
    for (const np of policies) {
      for (const rule of np.spec?.egress ?? []) {
        if (this.peersMatch(rule.to, np.metadata.namespace, dst)) allowed = unionPorts(allowed, this.rulePorts(rule, dst.pod));
      }
    }
    return allowed;
  }

  /** An empty or absent peer list matches everything; otherwise any one peer. */
  private peersMatch(peers: any[] | undefined, policyNamespace: string, at: PolicyEndpoint): boolean {
    if (!peers || peers.length === 0) return true;
    return peers.some((peer) => this.peerMatches(peer, policyNamespace, at));
  }

  private peerMatches(peer: any, policyNamespace: string, at: PolicyEndpoint): boolean {
    if (peer.ipBlock) return inCIDR(at.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inCIDR(at.ip, e));
    const pod = at.pod;
    if (!pod) return false;
    // namespaceSelector and podSelector in one peer: pods matching both (without namespaceSelector: the policy's namespace).
    const inNamespace = peer.namespaceSelector ? selects(peer.namespaceSelector, this.namespaceLabels.get(pod.namespace) ?? { [NAMESPACE_NAME_LABEL]: pod.namespace }) : pod.namespace === policyNamespace;
    return inNamespace && (!peer.podSelector || selects(peer.podSelector, pod.labels));
  }

  /** A rule's ports at a destination: none listed = all; named ports resolved against the destination pod's container ports. */
  private rulePorts(rule: any, dst: PolicyPod | undefined): PortSet {
    const ports: any[] = rule.ports ?? [];
    if (ports.length === 0) return ALL_PORTS;
    let out = NO_PORTS;
    for (const p of ports) {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      if (p.port === undefined || p.port === null) out = unionPorts(out, portSet(protocol, 'all'));
      else if (typeof p.port === 'number') out = unionPorts(out, portSet(protocol, [[p.port, p.endPort ?? p.port]]));
      else {
        const named = (dst?.containerPorts ?? []).filter((c) => c.name === p.port && (c.protocol ?? 'TCP') === protocol);
        out = unionPorts(out, portSet(protocol, named.map((c) => [c.containerPort, c.containerPort])));
      }
    }
    return out;
  }
}
