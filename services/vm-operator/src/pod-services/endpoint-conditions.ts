/** An EndpointSlice endpoint's `conditions`, every one of them set. */
export interface EndpointConditions {
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

const isPodReady = (pod: any): boolean => (pod?.status?.conditions ?? []).some((c: any) => c?.type === 'Ready' && c?.status === 'True');

/**
 * Whether a selected pod is an endpoint at all, as the endpointslice controller decides: it has an address and has
 * not finished (a Succeeded or Failed pod may keep its address, but nothing answers there). Terminating pods stay:
 * their conditions say so.
 */
export function isEndpointPod(pod: any): boolean {
  const phase = pod?.status?.phase;
  return Boolean(pod?.status?.podIP) && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * A pod's conditions in its Service's slice, as the endpointslice controller sets them: `serving` is the pod's
 * readiness, `terminating` its deletion in progress, and `ready` serving and not terminating — or always, when the
 * Service publishes not-ready addresses (peers that must find each other before any of them is Ready, e.g. a
 * StatefulSet's members).
 */
export function podEndpointConditions(pod: any, service: any): EndpointConditions {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod?.metadata?.deletionTimestamp);
  return { ready: service?.spec?.publishNotReadyAddresses === true || (serving && !terminating), serving, terminating };
}

/** The conditions of a slice endpoint as kube-proxy and CoreDNS read them: `ready` and `serving` true unless false, `terminating` false unless true. */
export function readEndpointConditions(conditions: any): EndpointConditions {
  return { ready: conditions?.ready !== false, serving: conditions?.serving !== false, terminating: conditions?.terminating === true };
}

/**
 * Where new connections go, as kube-proxy chooses: the ready endpoints; when there are none, those still serving
 * while they terminate, so a Service whose every pod is being replaced keeps answering through the grace period.
 */
export function proxiedEndpoints<T extends { conditions: EndpointConditions }>(candidates: T[]): T[] {
  const ready = candidates.filter((c) => c.conditions.ready);
  return ready.length > 0 ? ready : candidates.filter((c) => c.conditions.serving && c.conditions.terminating);
}
