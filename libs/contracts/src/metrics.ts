/**
 * Resource usage as hosts sample it, the way kubelet's summary feeds metrics-server: each host publishes one
 * `HostMetrics` on core NATS (`natsNames(prefix).hostMetrics(host)`) about every `windowSeconds`. Samples are
 * not events and never reach the log: like metrics-server, readers keep only each host's latest sample in
 * memory (`HostMetricsCache` in @openpacific/messaging), and a host that stops publishing drops out.
 */
export interface HostMetrics {
  host: string;
  /** RFC 3339 (milliseconds): the end of the window the sample covers. */
  timestamp: string;
  /** The window the CPU rates are averaged over, in seconds (metrics-server reports it as `window`). */
  windowSeconds: number;
  /** The host as a whole (its pods and its own agent and runtime). */
  node: UsageSample;
  pods: PodMetricsSample[];
}

/** CPU as a rate in nanocores (1e9 = one core busy the whole window), memory as the working set in bytes. */
export interface UsageSample {
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodMetricsSample {
  namespace: string;
  name: string;
  uid: string;
  containers: Array<{ name: string } & UsageSample>;
}
