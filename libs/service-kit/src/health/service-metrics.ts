import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * This process's Prometheus metrics: the process and Node.js runtime figures every service has (`process_cpu_seconds_total`,
 * `process_resident_memory_bytes`, `nodejs_eventloop_lag_seconds`…), and whatever the service registers on it (the
 * gateway's `apiserver_*`, the scheduler's `scheduler_*`). One per process, made on first use; the health server serves
 * it at GET /metrics in Prometheus' text format.
 */
let registry: Registry | undefined;

export function serviceMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
