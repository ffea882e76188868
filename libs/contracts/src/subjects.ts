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
    /** Health pings answered by every service instance. */
    health: (service: string) => `${prefix}.health.${service}`,
  };
}
export type NatsNames = ReturnType<typeof natsNames>;

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
