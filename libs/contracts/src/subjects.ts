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
     * instead of Postgres NOTIFY, which serializes commits.
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
