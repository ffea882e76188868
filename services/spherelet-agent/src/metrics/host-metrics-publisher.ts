import type { HostMetrics, NatsNames } from '@openpacific/contracts';
import type { Logger } from '@openpacific/service-kit';
import type { NatsConnection } from 'nats';
import { HostUsageRates, HostUsageReading, HostUsageSnapshot } from './usage-rates';

/** A host whose usage is sampled: its name and how to read its counters (one request to its runtime). */
export interface UsageSource {
  host: string;
  read(): Promise<HostUsageReading>;
}

/**
 * Every METRICS_INTERVAL_MS, reads each host's counters and publishes one `HostMetrics` per host on core NATS
 * (`<prefix>.hosts.<host>.metrics`): never an event, never the log, as kubelet's figures never reach etcd. The
 * gateway keeps the latest of each (HostMetricsCache) and serves metrics.k8s.io from it. A reading that fails (the
 * runtime is restarting) is skipped: the next one makes a longer window.
 */
export class HostMetricsPublisher {
  private readonly rates = new Map<string, HostUsageRates>();
  private timer?: NodeJS.Timeout;
  private busy = false;
  /** Hosts whose last reading failed: said once per outage, not every interval. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly names: NatsNames,
    private readonly intervalMs: number,
    /** The hosts to sample now (a fleet's change as its hosts restart). */
    private readonly sources: () => UsageSource[],
    private readonly logger: Logger,
  ) {}

  /** Takes a first reading at once (the start of the first window): the first sample follows one interval later. */
  start(): void {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The host's latest reading and what it made, for its kubelet API; undefined before the first. */
  latest(host: string): HostUsageSnapshot | undefined {
    return this.rates.get(host)?.latest;
  }

  /** One round: a reading of every host, and a sample published for each that has a window. */
  async tick(): Promise<HostMetrics[]> {
    // A slow runtime must not have readings pile up: this round is skipped, the window grows.
    if (this.busy) return [];
    this.busy = true;
    try {
      const sources = this.sources();
      for (const host of [...this.rates.keys()]) {
        if (!sources.some((s) => s.host === host)) {
          this.rates.delete(host);
          this.failing.delete(host);
        }
      }
      const published: HostMetrics[] = [];
      for (const source of sources) {
        const sample = await this.sample(source);
        if (!sample) continue;
        this.nats.publish(this.names.hostMetrics(source.host), JSON.stringify(sample));
        published.push(sample);
      }
      return published;
    } finally {
      this.busy = false;
    }
  }

  private async sample(source: UsageSource): Promise<HostMetrics | undefined> {
    let reading: HostUsageReading;
    try {
      reading = await source.read();
    } catch (err) {
      if (!this.failing.has(source.host)) this.logger.warn('host usage could not be read; its metrics wait for the runtime', { host: source.host, error: (err as Error).message });
      this.failing.add(source.host);
      return undefined;
    }
    this.failing.delete(source.host);
    let rates = this.rates.get(source.host);
    if (!rates) this.rates.set(source.host, (rates = new HostUsageRates(source.host)));
    return rates.next(reading);
  }
}
