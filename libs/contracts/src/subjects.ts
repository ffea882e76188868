/**
 * NATS subjects and JetStream names. Every name carries a prefix so that
 * several clusters (and every test file) share one NATS server without seeing
 * each other's traffic.
 */
export function natsNames(prefix: string) {
  return {
    /** JetStream stream that carries every committed event. */
    eventStream: `${prefix.toUpperCase()}_EVENTS`,
    /** `<prefix>.events.<event type>`: one subject per event type. */
    eventSubject: (eventType: string) => `${prefix}.events.${eventType}`,
    eventSubjects: `${prefix}.events.>`,
    /**
     * The JetStream object store bucket for request and answer bodies larger than one NATS message (admission
     * of large objects, or of many at once): the message carries a claim on the body instead (large-payloads.ts).
     */
    payloads: `${prefix.toUpperCase()}_PAYLOADS`,
    /** Admission requests from the api-gateway to the policy service (request/reply, queue group). */
    admission: `${prefix}.policy.admission`,
    /**
     * Core NATS poke sent after every append: "the log has grown, read it". Followers wake on it
     * instead of Postgres NOTIFY, which serializes commits. The payload names the resources appended
     * (`appendedPayload`); a follower of other resources need not read. An empty payload names none:
     * every follower reads.
     */
    logAppended: `${prefix}.log.appended`,
    /** Host heartbeats (core NATS, about once a second; never events): `{ host, epoch, time }`. */
    heartbeat: (host: string) => `${prefix}.hosts.${host}.heartbeat`,
    heartbeats: `${prefix}.hosts.*.heartbeat`,
    /** Host resource usage samples (core NATS, about every 10 s; never events): `HostMetrics` (metrics.ts). */
    hostMetrics: (host: string) => `${prefix}.hosts.${host}.metrics`,
    allHostMetrics: `${prefix}.hosts.*.metrics`,
    /** A host's kubelet API (request/reply, answered by its agent): `KubeletRequest` in, `KubeletReply` out (kubelet.ts). */
    kubelet: (host: string) => `${prefix}.hosts.${host}.kubelet`,
    /** Health pings answered by every service instance. */
    health: (service: string) => `${prefix}.health.${service}`,
  };
}
export type NatsNames = ReturnType<typeof natsNames>;

/**
 * Pod ServiceAccount tokens (request/reply, answered by every api-gateway replica in one queue group): a host's agent
 * asks for the token of a pod's projected `serviceAccountToken` source. Request `PodTokenRequest`, reply
 * `PodTokenReply` or `{ error: { code, message } }` with a code of `PodTokenErrorCodes` (serveJson's error shape).
 */
export function podTokenSubject(prefix: string): string {
  return `${prefix}.tokens.pod`;
}

export interface PodTokenRequest {
  namespace: string;
  /** The pod's name and uid: a pod of that name with another uid (deleted and made again) gets no token. */
  pod: string;
  uid: string;
  /** The asking host: the pod must be bound to it (`spec.nodeName`). */
  host: string;
  /** The token's audience; the API server's own (`https://kubernetes.default.svc.cluster.local`) when absent. */
  audience?: string;
  /** The token's lifetime, at least 600 (a projected source's `expirationSeconds`, 3607 for kube-api-access). */
  expirationSeconds: number;
}

export interface PodTokenReply {
  /** A JWT bound to the pod (as `kubectl create token <sa> --bound-object-kind Pod` gives), good while the pod exists. */
  token: string;
  /** RFC 3339, seconds: when the token stops working. */
  expirationTimestamp: string;
}

/** The codes of a refused pod token request. */
export const PodTokenErrorCodes = {
  /** The request is malformed (a field missing, a lifetime under 600 s or not an integer). */
  invalid: 'TOKENS.INVALID',
  /** No pod of that namespace, name and uid: it is gone (or was made again). Asking again will not help. */
  podNotFound: 'TOKENS.POD_NOT_FOUND',
  /** The pod is being deleted: it gets no new token. */
  podTerminating: 'TOKENS.POD_TERMINATING',
  /** The pod is not bound to the asking host. */
  wrongHost: 'TOKENS.WRONG_HOST',
  /** The pod's ServiceAccount does not exist (yet: a namespace's `default` comes a moment after the namespace). Ask again later. */
  serviceAccountNotFound: 'TOKENS.SERVICE_ACCOUNT_NOT_FOUND',
  /** This gateway signs no tokens (no ServiceAccount key). */
  unavailable: 'TOKENS.UNAVAILABLE',
} as const;

/**
 * The resource a stream's events belong to: the part of its id before the first `/` (object streams are
 * `<resource>/<namespace>/<name>` or `<resource>/<name>`). Followers filter the log on it.
 */
export function streamResource(streamId: string): string {
  const slash = streamId.indexOf('/');
  return slash < 0 ? streamId : streamId.slice(0, slash);
}

/** A logAppended payload naming these resources (comma-separated; resource names hold no commas). */
export function appendedPayload(resources: Iterable<string>): string {
  return [...resources].join(',');
}

/** The resources a logAppended payload names, or undefined when it names none (so every follower must read). */
export function appendedResources(payload: Uint8Array | string): string[] | undefined {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  return text ? text.split(',') : undefined;
}
